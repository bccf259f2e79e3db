"""The REST API under /api/v1/: one NinjaAPI, one router per app, personal-token auth.

Endpoints parse, call the same selectors and services as the UI, and respond; the error shapes
are set once here (422 naming each field, 403 audited, 404, 409 for a stale version).
"""

from ninja import NinjaAPI

from beacon.cases.api import router as cases_router
from beacon.core.api import PersonalToken, install_error_handlers
from beacon.people.api import router as people_router

api = NinjaAPI(
    title="Beacon API",
    version="1",
    description=(
        "Case files of a missing-children organisation. Authenticate with a personal token "
        "(`beacon token create USERNAME`) as `Authorization: Bearer bcn_...`. Every call has the "
        "permissions of the token's user; reads of cases and persons are audited."
    ),
    auth=PersonalToken(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", cases_router)
api.add_router("/people", people_router)
