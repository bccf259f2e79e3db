"""Prevention's endpoints, mounted at /prevention."""

from ninja import Router

router = Router(tags=["prevention"])
