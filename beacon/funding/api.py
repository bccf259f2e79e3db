"""Funding's endpoints, mounted at /funding: donors and gifts, bank statements, certificates,
the accounts. Permissions are the services' and selectors' own (funding.view_donor etc.: finance
users and administrators only); errors as everywhere (beacon/api.py)."""

from ninja import Router

from beacon.funding import api_accounts, api_bank, api_certificates, api_donors

router = Router()
router.add_router("/", api_donors.router)
router.add_router("/bank", api_bank.router)
router.add_router("/certificates", api_certificates.router)
router.add_router("/accounts", api_accounts.router)
