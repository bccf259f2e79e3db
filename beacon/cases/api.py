"""Case endpoints: parse, call the selectors and services the UI uses, respond.

Permissions are the services' and selectors' own: an endpoint adds no rule of its own except the
"may read case files at all" check the UI's views make too."""

from contextlib import contextmanager
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from beacon.cases import exploitation, selectors, services
from beacon.cases.choices import CRITERION_KEYS, CaseStatus, Mission
from beacon.cases.models import EXPLOITATION_FIELDS, Assessment, Case, Category, TakedownRequest
from beacon.cases.schemas import (
    AssessmentIn,
    AssessmentOut,
    CaseIn,
    CaseOut,
    CasePageOut,
    CasePatch,
    CategoryOut,
    CloseIn,
    FactsPatch,
    NoteIn,
    PersonIn,
    PoliceReferralIn,
    RegionOut,
    ReopenIn,
    SupportSessionIn,
    SupportSessionOut,
    TakedownIn,
    TakedownOut,
    TakedownPatch,
    TimelineOut,
)
from beacon.core.api import error_responses, query_error
from beacon.core.models import Region
from beacon.people.models import Person
from beacon.people.schemas import person_out

router = Router(tags=["cases"])
User = get_user_model()

PERSON_FIELDS = frozenset(PersonIn.model_fields)
FACT_FIELDS = frozenset({"victim_age", *EXPLOITATION_FIELDS})
# Text fields a PATCH may clear with null; the services store them as empty strings.
CLEARABLE_TEXT = (
    "last_seen_place",
    "reporter_contact",
    "police_reference",
    "summary",
    "direction",
    "country_of_origin",
)


class CaseListQuery(Schema):
    """The case list's filters (as the UI's) and the page to read."""

    mission: str = Field("", json_schema_extra={"enum": ["", *Mission.values]})
    category: str = Field("", description="Category key.")
    status: str = Field("", json_schema_extra={"enum": ["", *CaseStatus.values]})
    worrying: bool | None = None
    opened_from: date | None = Field(None, description="First day, inclusive.")
    opened_to: date | None = Field(None, description="Last day, inclusive.")
    assigned_to: int | None = Field(None, description="User id.")
    region: str = Field("", description="Region code.")
    q: str = Field("", description="Case number, or the start of the person's name.")
    cursor: str = Field("", description="`next_cursor` of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)


def _require_reader(request) -> None:
    if not selectors.can_read_cases(request.user):
        raise PermissionDenied("cases")


def assessment_out(assessment: Assessment | None) -> dict | None:
    if assessment is None:
        return None
    return {
        "id": assessment.pk,
        "assessed_at": assessment.assessed_at,
        "assessed_by": assessment.assessed_by.username if assessment.assessed_by else None,
        "is_worrying": assessment.is_worrying,
        "criteria_held": assessment.criteria_held(),
        "notes": assessment.notes,
    }


def case_summary(case: Case, *, restricted: bool = False) -> dict:
    """A case in a list. A restricted case (an exploitation case the user may not open) shows
    only that it exists: number, category, status, opening day and assignee, no person."""
    assignee = case.assigned_to
    if restricted:
        return {
            "id": case.pk,
            "number": case.number,
            "category": case.category.key,
            "subkind": None,
            "status": case.status,
            "worrying": False,
            "opened_at": case.opened_at,
            "last_seen_at": None,
            "region": None,
            "assigned_to": {"id": assignee.pk, "username": assignee.username} if assignee else None,
            "person": None,
            "restricted": True,
        }
    return {
        "id": case.pk,
        "number": case.number,
        "category": case.category.key,
        "subkind": case.subkind.key if case.subkind else None,
        "status": case.status,
        "worrying": case.worrying,
        "opened_at": case.opened_at,
        "last_seen_at": case.last_seen_at,
        "region": case.region.code if case.region else None,
        "assigned_to": {"id": assignee.pk, "username": assignee.username} if assignee else None,
        "person": {
            "id": case.person.pk,
            "first_name": case.person.first_name,
            "last_name": case.person.last_name,
        },
        "restricted": False,
    }


def case_out(case: Case) -> dict:
    current = case.assessments.select_related("assessed_by").first()
    fields = (
        "version",
        "last_seen_place",
        "channel",
        "reporter_kind",
        "reporter_contact",
        "police_reference",
        "summary",
        "direction",
        "countries",
        "country_of_origin",
        "outcome",
        "found_at",
        "closed_at",
    )
    return {
        **case_summary(case),
        **{name: getattr(case, name) for name in fields},
        "person": person_out(case.person),
        "age_at_disappearance": case.age_at_disappearance,
        "current_assessment": assessment_out(current),
        "facts": facts_out(getattr(case, "facts", None)),
        "linked_cases": list(case.linked_cases.values_list("pk", flat=True)),
    }


def facts_out(facts) -> dict | None:
    if facts is None:
        return None
    values = {name: getattr(facts, name) for name in ("victim_age", "referred_to_police_at")}
    for name in EXPLOITATION_FIELDS:
        if name != "linked_cases":
            values[name] = getattr(facts, name)
    for name in ("amount_demanded", "amount_paid"):
        values[name] = str(values[name]) if values[name] is not None else None
    return values


def _assignee(user_id: int | None):
    if user_id is None:
        return None
    assignee = User.objects.filter(pk=user_id, is_active=True).first()
    if assignee is None:
        raise ValidationError({"assigned_to": [_("Unknown user.")]})
    return assignee


def _load(request, case_id: int, *, audited: bool = False) -> Case:
    _require_reader(request)
    return selectors.case_get(user=request.user, pk=case_id, audited=audited)


def _reread(request, case: Case) -> dict:
    # The service that just ran audited the write; reading the result back is part of it.
    return case_out(selectors.case_get(user=request.user, pk=case.pk, audited=False))


@contextmanager
def located_as_in_request(*, person: str | None = None, facts: bool = False):
    """Name a service's errors by where the value sits in the request body.

    The services name fields as the UI's forms do: a criterion's note is "note_medication" and a
    person's fields are flat ("date_of_birth"). Here the note is at notes.medication, and the
    person's fields under "person" or, for an existing person, behind "person_id"."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        located: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            if field.startswith("note_") and field[5:] in CRITERION_KEYS:
                field = f"notes.{field[5:]}"
            elif person == "person" and field in PERSON_FIELDS:
                field = f"person.{field}"
            elif person == "person_id" and field in PERSON_FIELDS:
                field = "person_id"
            elif facts and field in FACT_FIELDS:
                field = f"facts.{field}"
            located.setdefault(field, []).extend(messages)
        raise ValidationError(located) from exc


@router.get(
    "/categories",
    response={200: list[CategoryOut], **error_responses()},
    summary="Case categories and their sub-kinds",
)
def list_categories(request):
    """Every category, usable and legacy (`legacy`: old cases keep it, new ones cannot use it),
    with names in the user's language. Reference data: any authenticated user may read it."""
    today = timezone.localdate()
    return [
        {
            "key": c.key,
            "mission": c.mission,
            "name": c.name,
            "figure_key": c.figure_key,
            "legacy": not c.usable_on(today),
            "extra_fields": c.extra_fields,
            "subkinds": [{"key": s.key, "name": s.name} for s in c.subkinds.all()],
        }
        for c in Category.objects.prefetch_related("subkinds")
    ]


@router.get(
    "/regions",
    response={200: list[RegionOut], **error_responses()},
    summary="Regions (provinces)",
)
def list_regions(request):
    """The organisation's regions, names in the user's language. Reference data."""
    return [{"code": r.code, "name": r.name} for r in Region.objects.all()]


@router.get(
    "/cases",
    response={200: CasePageOut, **error_responses(403, 422)},
    summary="Find cases (filtered, keyset-paginated)",
)
def list_cases(request, query: Query[CaseListQuery]):
    """The cases the user may read, newest first. Pages are keyset pages: follow `next_cursor`;
    a page costs the same at any depth. Filters that match nothing give an empty page."""
    _require_reader(request)
    if query.cursor and selectors.decode_cursor(query.cursor) is None:
        raise query_error("cursor", _("Not a cursor from this list."))
    filters = selectors.CaseFilters(
        mission=query.mission,
        category=query.category,
        status=query.status,
        worrying=query.worrying,
        opened_from=query.opened_from,
        opened_to=query.opened_to,
        assigned_to=query.assigned_to,
        region=query.region,
        q=query.q,
    )
    page = selectors.case_list(
        user=request.user, filters=filters, cursor=query.cursor, page_size=query.limit
    )
    return {
        "items": [case_summary(c, restricted=c.pk not in page.openable) for c in page.items],
        "next_cursor": page.next_cursor,
    }


def person_of_payload(user, person_id: int | None, person_data, *, at: str = "") -> Person | None:
    """The existing person a new case is for (`person_id`, if the user may see them), or None
    for a new one described by `person_data`; exactly one of the two must be given. `at`
    prefixes the error locations (e.g. "open_case.")."""
    if person_id is not None and person_data is not None:
        raise ValidationError({f"{at}person": [_("Give person_id or person, not both.")]})
    if person_id is not None:
        person = Person.objects.visible_to(user).filter(pk=person_id).first()
        if person is None:
            raise ValidationError({f"{at}person_id": [_("Unknown person.")]})
        return person
    if person_data is None:
        raise ValidationError({f"{at}person": [_("Give person_id or person.")]})
    return None


@router.post(
    "/cases",
    response={201: CaseOut, **error_responses(403, 422)},
    summary="Open a case",
)
def open_case(request, payload: CaseIn):
    """Record a disappearance with its first worrying assessment. Needs the permission to open
    cases of the category's mission (case managers, first responders, administrators)."""
    person = person_of_payload(request.user, payload.person_id, payload.person)
    details = payload.dict(
        exclude={
            "person_id",
            "person",
            "category",
            "subkind",
            "criteria",
            "notes",
            "assigned_to",
            "facts",
        }
    )
    if details["last_seen_at"] is None:
        del details["last_seen_at"]  # an exploitation case has none; a disappearance needs it
    facts = payload.facts.dict(exclude_unset=True) if payload.facts is not None else None
    with located_as_in_request(person="person_id" if person is not None else "person", facts=True):
        case = services.case_open(
            actor=request.user,
            category=payload.category,
            subkind=payload.subkind,
            person=person,
            person_data=payload.person.dict() if payload.person is not None else None,
            criteria=services.CriteriaInput(held=payload.criteria, notes=payload.notes),
            assigned_to=_assignee(payload.assigned_to),
            facts=facts,
            **details,
        )
    if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        # Opened for the team (e.g. by a first responder): the opener may not read it back.
        summary = case_summary(case, restricted=True)
        return Status(201, {**summary, **_restricted_out()})
    return Status(201, _reread(request, case))


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, **error_responses(403, 404)},
    summary="One case (the read is audited)",
)
def get_case(request, case_id: int):
    """The case with its current assessment and person. 404 also for a case the user may not
    see. Keep `version` to send back with a change."""
    return case_out(_load(request, case_id, audited=True))


@router.patch(
    "/cases/{case_id}",
    response={200: CaseOut, **error_responses(403, 404, 409, 422)},
    summary="Change a case's details",
)
def update_case(request, case_id: int, payload: CasePatch):
    """Optimistic locking: `version` must be the case's current one, else 409 and nothing
    changes (reload, then apply the change again). Case managers and administrators."""
    case = _load(request, case_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    for name in CLEARABLE_TEXT:
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "countries" in changes and changes["countries"] is None:
        changes["countries"] = []
    if "assigned_to" in changes:
        changes["assigned_to"] = _assignee(changes["assigned_to"])
    services.case_update(actor=request.user, case=case, expected_version=payload.version, **changes)
    return _reread(request, case)


@router.get(
    "/cases/{case_id}/assessments",
    response={200: list[AssessmentOut], **error_responses(403, 404)},
    summary="Assessment history",
)
def list_assessments(request, case_id: int):
    """Every worrying assessment of the case, newest first, with who made it and when."""
    case = _load(request, case_id, audited=True)
    return [assessment_out(a) for a in selectors.case_assessments(case=case)]


@router.post(
    "/cases/{case_id}/assessments",
    response={201: AssessmentOut, **error_responses(403, 404, 409, 422)},
    summary="Record an assessment",
)
def record_assessment(request, case_id: int, payload: AssessmentIn):
    """A new assessment; the case is worrying when at least one criterion holds (under_13 is
    computed). Needs `version`, like a change of details."""
    case = _load(request, case_id)
    with located_as_in_request():
        assessment = services.assessment_record(
            actor=request.user,
            case=case,
            expected_version=payload.version,
            criteria=services.CriteriaInput(held=payload.criteria, notes=payload.notes),
        )
    return Status(201, assessment_out(assessment))


def _timeline_out(entry) -> dict:
    return {
        "at": entry.at,
        "author": entry.author.username if entry.author else None,
        "kind": entry.kind,
        "text": entry.text,
        "data": entry.data,
    }


@router.get(
    "/cases/{case_id}/timeline",
    response={200: list[TimelineOut], **error_responses(403, 404)},
    summary="The case's timeline",
)
def list_timeline(request, case_id: int):
    """Notes, contacts, assessments, edits and status changes, newest first (200 at most)."""
    case = _load(request, case_id, audited=True)
    return [_timeline_out(e) for e in selectors.case_timeline(case=case)]


@router.post(
    "/cases/{case_id}/notes",
    response={201: TimelineOut, **error_responses(403, 404, 422)},
    summary="Add a note or a contact",
)
def add_note(request, case_id: int, payload: NoteIn):
    """Case managers add notes; first responders log the contacts they take."""
    case = _load(request, case_id)
    entry = services.case_add_note(
        actor=request.user, case=case, text=payload.text, kind=payload.kind
    )
    return Status(201, _timeline_out(entry))


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, **error_responses(403, 404, 409, 422)},
    summary="Close with an outcome",
)
def close_case(request, case_id: int, payload: CloseIn):
    """Close an open case with its outcome and when the person was found (not before they were
    last seen). Case managers and administrators."""
    case = _load(request, case_id)
    services.case_close(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        outcome=payload.outcome,
        found_at=payload.found_at,
        note=payload.note,
    )
    return _reread(request, case)


@router.post(
    "/cases/{case_id}/reopen",
    response={200: CaseOut, **error_responses(403, 404, 409, 422)},
    summary="Reopen a closed case",
)
def reopen_case(request, case_id: int, payload: ReopenIn):
    """Reopen a case closed by mistake; the reason goes on the timeline. A person missing again
    later is a new case (POST /cases with person_id), not a reopened one."""
    case = _load(request, case_id)
    services.case_reopen(
        actor=request.user, case=case, expected_version=payload.version, reason=payload.reason
    )
    return _reread(request, case)


def _restricted_out() -> dict:
    """The rest of CaseOut for a case its opener may not read (all empty)."""
    return {
        "version": 0,
        "last_seen_place": "",
        "channel": "",
        "reporter_kind": "",
        "reporter_contact": "",
        "police_reference": "",
        "summary": "",
        "direction": "",
        "countries": [],
        "country_of_origin": "",
        "outcome": "",
        "found_at": None,
        "closed_at": None,
        "age_at_disappearance": None,
        "current_assessment": None,
        "facts": None,
        "linked_cases": [],
    }


# --- sexual-exploitation cases: facts and help given --------------------------------------------


@router.patch(
    "/cases/{case_id}/facts",
    response={200: CaseOut, **error_responses(403, 404, 409, 422)},
    summary="Change the facts of an exploitation case",
)
def update_facts(request, case_id: int, payload: FactsPatch):
    """Only the facts sent change; a fact the category does not record is refused (422).
    `version` is the case's; a stale one answers 409."""
    case = _load(request, case_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    with located_as_in_request(facts=True):
        exploitation.facts_update(
            actor=request.user, case=case, expected_version=payload.version, **changes
        )
    return _reread(request, case)


def _support_out(session) -> dict:
    return {
        "id": session.pk,
        "at": session.at,
        "kind": session.kind,
        "duration_minutes": session.duration_minutes,
        "note": session.note,
        "given_by": session.given_by.username if session.given_by else None,
    }


@router.get(
    "/cases/{case_id}/support-sessions",
    response={200: list[SupportSessionOut], **error_responses(403, 404)},
    summary="Psychosocial support sessions of an exploitation case",
)
def list_support_sessions(request, case_id: int):
    case = _load(request, case_id, audited=True)
    return [_support_out(s) for s in case.support_sessions.select_related("given_by")]


@router.post(
    "/cases/{case_id}/support-sessions",
    response={201: SupportSessionOut, **error_responses(403, 404, 422)},
    summary="Record a support session",
)
def add_support_session(request, case_id: int, payload: SupportSessionIn):
    case = _load(request, case_id)
    session = exploitation.support_session_add(actor=request.user, case=case, **payload.dict())
    return Status(201, _support_out(session))


def _takedown_out(takedown: TakedownRequest) -> dict:
    fields = ("id", "version", "platform", "url", "sent_at", "answered_at", "removed_at", "note")
    return {name: getattr(takedown, name) for name in fields}


@router.get(
    "/cases/{case_id}/takedowns",
    response={200: list[TakedownOut], **error_responses(403, 404)},
    summary="Takedown requests of an exploitation case",
)
def list_takedowns(request, case_id: int):
    case = _load(request, case_id, audited=True)
    return [_takedown_out(t) for t in case.takedowns.all()]


@router.post(
    "/cases/{case_id}/takedowns",
    response={201: TakedownOut, **error_responses(403, 404, 422)},
    summary="Record a takedown request to a platform",
)
def add_takedown(request, case_id: int, payload: TakedownIn):
    case = _load(request, case_id)
    takedown = exploitation.takedown_add(actor=request.user, case=case, **payload.dict())
    return Status(201, _takedown_out(takedown))


@router.patch(
    "/cases/{case_id}/takedowns/{takedown_id}",
    response={200: TakedownOut, **error_responses(403, 404, 409, 422)},
    summary="Record a takedown's progress (sent, answered, removed)",
)
def update_takedown(request, case_id: int, takedown_id: int, payload: TakedownPatch):
    """Only the fields sent change. Removed or answered before sent answers 422."""
    case = _load(request, case_id)
    takedown = case.takedowns.filter(pk=takedown_id).first()
    if takedown is None:
        raise Case.DoesNotExist
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    exploitation.takedown_update(
        actor=request.user, takedown=takedown, expected_version=payload.version, **changes
    )
    return _takedown_out(takedown)


@router.post(
    "/cases/{case_id}/police-referral",
    response={200: CaseOut, **error_responses(403, 404, 409, 422)},
    summary="Record the referral of an exploitation case to police",
)
def refer_to_police(request, case_id: int, payload: PoliceReferralIn):
    case = _load(request, case_id)
    exploitation.police_referral_record(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        at=payload.at,
        police_reference=payload.police_reference,
    )
    return _reread(request, case)
