"""The API of funding: accounts (mounted under /api/v1/funding by beacon/funding/api.py)."""

from ninja import Router

router = Router(tags=["funding: accounts"])
