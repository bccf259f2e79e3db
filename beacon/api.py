"""The REST API under /api/v1/: one NinjaAPI, one router per app, personal-token auth.

Endpoints parse, call the same selectors and services as the UI, and respond; the error shapes
are set once here (422 naming each field, 403 audited, 404, 409 for a stale version).
"""

from beacon.alerts.api import router as alerts_router
from beacon.alerts.models import SearchNotice
from beacon.cases.api import router as cases_router
from beacon.cases.models import Case
from beacon.core.api import BeaconAPI, PersonalToken, install_error_handlers
from beacon.funding.api import router as funding_router
from beacon.funding.models import Donor, Gift, StatementLine, TaxCertificate, TrialBalance
from beacon.line.api import router as line_router
from beacon.line.models import Call
from beacon.matching import api as matching_api
from beacon.matching.api_banks import router as banks_router
from beacon.matching.models import ScanItem
from beacon.network.api import router as network_router
from beacon.network.models import Follower, Partner, Volunteer
from beacon.people.api import router as people_router
from beacon.people.models import Person, PersonMerge
from beacon.prevention.api import router as prevention_router
from beacon.prevention.models import Session, ToolHandout, Training
from beacon.reports.api import router as reports_router
from beacon.reports.models import Notice, UrlItem, VictimReferral
from beacon.risk.api import router as risk_router
from beacon.risk.models import RiskFlag

api = BeaconAPI(
    title="Beacon API",
    version="1",
    description=(
        "Case files of a missing-children organisation, and the civil hotline for reports of "
        "child sexual abuse material (`/hotline/`: the analysts' queue, assessments, notices, "
        "victim referrals; reported URLs are returned as text, never fetched).\n\n"
        "**Authentication**: a personal token, created with `beacon token create USERNAME`, "
        "sent as `Authorization: Bearer bcn_...`. Every call has the permissions of the token's "
        "user, the same as in the staff interface; a refusal answers 403 and is audited. "
        "Reads of cases and persons are audited too.\n\n"
        "**Errors**: 401 no or bad token; 403 not allowed; 404 not found or not visible to you; "
        "409 someone changed the case (or reported URL, or notice) since you read it (send the `version` you read); "
        "422 invalid input, one entry per message, `loc` naming the field, e.g. "
        '`{"detail": [{"type": "value_error", "loc": ["body", "last_seen_at"], "msg": "..."}]}`.'
        "\n\nImage matching (`/matching/`): scanning tools submit batches of images or PDQ "
        "hashes; analysts decide the near matches. Banked images are never returned: Beacon "
        "keeps only their hashes."
        "\n\nFunding (`/funding/`): donors, gifts, bank statements (CAMT.053), tax certificates "
        "(281.71) and the accounts, for finance users and administrators only; a donor's "
        "national register number is returned masked, in full only in the donor's export. "
        "Prevention (`/prevention/`): trainings, school sessions and stands, tools handed out."
        "\n\nPhotos are not uploaded through this version of the API."
    ),
    auth=PersonalToken(),
    urls_namespace="api",
)
install_error_handlers(
    api,
    not_found=(
        Case.DoesNotExist,
        Person.DoesNotExist,
        PersonMerge.DoesNotExist,
        Call.DoesNotExist,
        RiskFlag.DoesNotExist,
        UrlItem.DoesNotExist,
        Notice.DoesNotExist,
        VictimReferral.DoesNotExist,
        ScanItem.DoesNotExist,
        SearchNotice.DoesNotExist,
        Volunteer.DoesNotExist,
        Partner.DoesNotExist,
        Follower.DoesNotExist,
        Donor.DoesNotExist,
        Gift.DoesNotExist,
        StatementLine.DoesNotExist,
        TaxCertificate.DoesNotExist,
        TrialBalance.DoesNotExist,
        Training.DoesNotExist,
        Session.DoesNotExist,
        ToolHandout.DoesNotExist,
    ),
)
matching_api.install(api)
api.add_router("/", cases_router)
api.add_router("/people", people_router)
api.add_router("/line", line_router)
api.add_router("/risk", risk_router)
api.add_router("/hotline", reports_router)
api.add_router("/matching/banks", banks_router)
api.add_router("/matching", matching_api.router)
api.add_router("/notices", alerts_router)
api.add_router("/network", network_router)
api.add_router("/prevention", prevention_router)
api.add_router("/funding", funding_router)
