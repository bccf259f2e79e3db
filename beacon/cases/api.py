"""Case endpoints: parse, call the selectors and services the UI uses, respond."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from beacon.cases import selectors, services
from beacon.cases.models import Assessment, Case, Category
from beacon.cases.schemas import (
    AssessmentIn,
    AssessmentOut,
    CaseIn,
    CaseOut,
    CasePageOut,
    CasePatch,
    CaseSummaryOut,
    CategoryOut,
    CloseIn,
    NoteIn,
    RegionOut,
    ReopenIn,
    TimelineOut,
)
from beacon.core.models import Region
from beacon.people.models import Person

router = Router(tags=["cases"])
User = get_user_model()


class CaseListQuery(Schema):
    category: str = ""
    status: str = ""
    worrying: bool | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    assigned_to: int | None = None
    region: str = ""
    q: str = ""
    cursor: str = ""
    limit: int = selectors.PAGE_SIZE


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


def case_summary(case: Case) -> dict:
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
        "assigned_to": case.assigned_to.username if case.assigned_to else None,
        "person": {
            "id": case.person.pk,
            "first_name": case.person.first_name,
            "last_name": case.person.last_name,
        },
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
        "age_at_disappearance": case.age_at_disappearance,
        "current_assessment": assessment_out(current),
    }


def _assignee(user_id: int | None):
    if user_id is None:
        return None
    assignee = User.objects.filter(pk=user_id, is_active=True).first()
    if assignee is None:
        raise ValidationError({"assigned_to": ["Unknown user."]})
    return assignee


def _load(request, case_id: int, *, audited: bool = False) -> Case:
    _require_reader(request)
    return selectors.case_get(user=request.user, pk=case_id, audited=audited)


@router.get("/categories", response=list[CategoryOut], summary="Case categories and sub-kinds")
def list_categories(request):
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


@router.get("/regions", response=list[RegionOut], summary="Regions (provinces)")
def list_regions(request):
    return [{"code": r.code, "name": r.name} for r in Region.objects.all()]


@router.get("/cases", response=CasePageOut, summary="Find cases (filtered, keyset-paginated)")
def list_cases(request, query: Query[CaseListQuery]):
    _require_reader(request)
    filters = selectors.CaseFilters(
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
    return {"items": [case_summary(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/cases", response={201: CaseOut}, summary="Open a case")
def open_case(request, payload: CaseIn):
    person = None
    if payload.person_id is not None:
        person = Person.objects.visible_to(request.user).filter(pk=payload.person_id).first()
        if person is None:
            raise ValidationError({"person_id": ["Unknown person."]})
    elif payload.person is None:
        raise ValidationError({"person": ["Give person_id or person."]})
    data = payload.dict(
        exclude={"person_id", "person", "category", "subkind", "criteria", "notes", "assigned_to"}
    )
    case = services.case_open(
        actor=request.user,
        category=payload.category,
        subkind=payload.subkind,
        person=person,
        person_data=payload.person.dict() if person is None and payload.person else None,
        criteria=services.CriteriaInput(held=payload.criteria, notes=payload.notes),
        assigned_to=_assignee(payload.assigned_to),
        **data,
    )
    return Status(201, case_out(selectors.case_get(user=request.user, pk=case.pk, audited=False)))


@router.get("/cases/{case_id}", response=CaseOut, summary="One case (the read is audited)")
def get_case(request, case_id: int):
    return case_out(_load(request, case_id, audited=True))


@router.patch("/cases/{case_id}", response=CaseOut, summary="Change a case's details")
def update_case(request, case_id: int, payload: CasePatch):
    case = _load(request, case_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    if "assigned_to" in changes:
        changes["assigned_to"] = _assignee(changes["assigned_to"])
    services.case_update(actor=request.user, case=case, expected_version=payload.version, **changes)
    return case_out(selectors.case_get(user=request.user, pk=case.pk, audited=False))


@router.get(
    "/cases/{case_id}/assessments", response=list[AssessmentOut], summary="Assessment history"
)
def list_assessments(request, case_id: int):
    case = _load(request, case_id, audited=True)
    return [assessment_out(a) for a in selectors.case_assessments(case=case)]


@router.post(
    "/cases/{case_id}/assessments", response={201: AssessmentOut}, summary="Record an assessment"
)
def record_assessment(request, case_id: int, payload: AssessmentIn):
    case = _load(request, case_id)
    assessment = services.assessment_record(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        criteria=services.CriteriaInput(held=payload.criteria, notes=payload.notes),
    )
    return Status(201, assessment_out(assessment))


@router.get("/cases/{case_id}/timeline", response=list[TimelineOut], summary="The case's timeline")
def list_timeline(request, case_id: int):
    case = _load(request, case_id, audited=True)
    return [
        {
            "at": e.at,
            "author": e.author.username if e.author else None,
            "kind": e.kind,
            "text": e.text,
            "data": e.data,
        }
        for e in selectors.case_timeline(case=case)
    ]


@router.post("/cases/{case_id}/notes", response={201: TimelineOut}, summary="Add a note or contact")
def add_note(request, case_id: int, payload: NoteIn):
    case = _load(request, case_id)
    entry = services.case_add_note(
        actor=request.user, case=case, text=payload.text, kind=payload.kind
    )
    return Status(
        201,
        {
            "at": entry.at,
            "author": request.user.username,
            "kind": entry.kind,
            "text": entry.text,
            "data": entry.data,
        },
    )


@router.post("/cases/{case_id}/close", response=CaseOut, summary="Close with an outcome")
def close_case(request, case_id: int, payload: CloseIn):
    case = _load(request, case_id)
    services.case_close(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        outcome=payload.outcome,
        found_at=payload.found_at,
        note=payload.note,
    )
    return case_out(selectors.case_get(user=request.user, pk=case.pk, audited=False))


@router.post("/cases/{case_id}/reopen", response=CaseOut, summary="Reopen a closed case")
def reopen_case(request, case_id: int, payload: ReopenIn):
    case = _load(request, case_id)
    services.case_reopen(
        actor=request.user, case=case, expected_version=payload.version, reason=payload.reason
    )
    return case_out(selectors.case_get(user=request.user, pk=case.pk, audited=False))


__all__ = ["router", "CaseSummaryOut", "case_summary"]
