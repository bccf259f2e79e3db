"""Funding's staff pages under /funding/: donors and gifts, bank statements, tax certificates,
the accounts. Each area keeps its own url module."""

from beacon.funding import urls_accounts, urls_bank, urls_certificates, urls_donors

app_name = "funding"
urlpatterns = [
    *urls_donors.urlpatterns,
    *urls_bank.urlpatterns,
    *urls_certificates.urlpatterns,
    *urls_accounts.urlpatterns,
]
