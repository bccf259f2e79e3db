"""The staff pages of funding: accounts (mounted under /funding/ by beacon/funding/urls.py)."""

from django.urls import path

from beacon.funding import views_accounts

urlpatterns: list = [
    path("accounts/", views_accounts.accounts_page, name="accounts"),
    path("accounts/import/", views_accounts.accounts_import, name="accounts_import"),
]
