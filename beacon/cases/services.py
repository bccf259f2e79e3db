"""Every write on case files: transactional, keyword-only, authorised, audited.

Views, the API, tasks and commands all call these functions; nothing else writes cases.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.cases.choices import (
    CRITERION_KEYS,
    EXPLOITATION_OUTCOMES,
    CaseStatus,
    Channel,
    Direction,
    Mission,
    Outcome,
    ReporterKind,
    TimelineKind,
)
from beacon.cases.models import (
    EXTRA_FIELDS,
    Assessment,
    Case,
    CaseNumberCounter,
    Category,
    SubKind,
    TimelineEntry,
)
from beacon.cases.signals import case_closed
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction, Organisation, Region
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters, reject_control_characters_single_line
from beacon.people.models import Person
from beacon.people.services import check_age_limit, person_build, photo_thumbnail_enqueue

# Fields of a case that its intake and later edits set (besides person, category and sub-kind).
CASE_DETAIL_FIELDS = (
    "last_seen_at",
    "last_seen_place",
    "region",
    "channel",
    "reporter_kind",
    "reporter_contact",
    "police_reference",
    "summary",
    "direction",
    "countries",
    "country_of_origin",
    "assigned_to",
)


def outcomes_for(mission: str) -> list[str]:
    """The outcomes a case of the mission can close with."""
    if mission == Mission.EXPLOITATION:
        return [*EXPLOITATION_OUTCOMES, Outcome.OTHER]
    return [o for o in Outcome.values if o not in EXPLOITATION_OUTCOMES]


def _permission(action: str, mission: str) -> str:
    return f"cases.{action}_{mission}_case"


def _next_case_number(*, prefix: str, year: int) -> str:
    """Claim the next number for (prefix, year) under a row lock: no two cases share one."""
    CaseNumberCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return f"{prefix}-{year}-{counter.last + 1:06d}"


def _resolve_category(
    errors: FieldErrors, category, subkind, *, on_day
) -> tuple[Category | None, SubKind | None]:
    if isinstance(category, str):
        category = Category.objects.filter(key=category).first()
        if category is None:
            errors.add("category", _("Unknown category."))
            return None, None
    if category is None:
        errors.add("category", _("This field is required."))
        return None, None
    if not category.usable_on(on_day):
        errors.add(
            "category",
            _("“%(name)s” is a legacy category: new cases cannot use it.")
            % {"name": category.name},
        )
    if isinstance(subkind, str):
        subkind_key = subkind
        subkind = category.subkinds.filter(key=subkind_key).first() if subkind_key else None
        if subkind_key and subkind is None:
            errors.add("subkind", _("Unknown sub-kind for this category."))
    if subkind is not None and subkind.category_id != category.pk:
        errors.add("subkind", _("This sub-kind does not belong to the category."))
        subkind = None
    elif subkind is None and category.subkinds.exists() and "subkind" not in errors.errors:
        errors.add("subkind", _("Choose a sub-kind for this category."))
    return category, subkind


def _validate_details(errors: FieldErrors, details: dict, category: Category | None) -> dict:
    """Check the case's own fields; returns the cleaned values for the ones given."""
    cleaned = dict(details)
    now = timezone.now()
    if "last_seen_at" in details:
        seen = details["last_seen_at"]
        if seen is None:
            errors.add("last_seen_at", _("This field is required."))
        elif timezone.is_naive(seen):
            errors.add("last_seen_at", _("Give a time with its time zone."))
        elif seen > now:
            errors.add("last_seen_at", _("The last-seen time is in the future."))
    for field in ("last_seen_place", "reporter_contact", "police_reference"):
        if field in details:
            cleaned[field] = (details[field] or "").strip()
            errors.run(field, reject_control_characters_single_line, cleaned[field])
    if "summary" in details:
        cleaned["summary"] = (details["summary"] or "").strip()
        errors.run("summary", reject_control_characters, cleaned["summary"])
    for field, choices in (("channel", Channel), ("reporter_kind", ReporterKind)):
        if field in details and details[field] not in choices.values:
            errors.add(field, _("Choose one of the listed values."))
    if details.get("direction") and details["direction"] not in Direction.values:
        errors.add("direction", _("Choose one of the listed values."))
    if "region" in details and isinstance(details["region"], str):
        code = details["region"]
        cleaned["region"] = Region.objects.filter(code=code).first() if code else None
        if code and cleaned["region"] is None:
            errors.add("region", _("Unknown province."))
    if "countries" in details:
        countries = []
        for code in details["countries"] or []:
            code = str(code).strip().upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                errors.add(
                    "countries", _("“%(code)s” is not a country code.") % {"code": code[:20]}
                )
            else:
                countries.append(code)
        cleaned["countries"] = countries
    if details.get("country_of_origin"):
        code = str(details["country_of_origin"]).strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            errors.add("country_of_origin", _("Not a country code."))
        cleaned["country_of_origin"] = code
    if category is not None:
        for field in EXTRA_FIELDS:
            if cleaned.get(field) and field not in category.extra_fields:
                errors.add(
                    field,
                    _("This does not apply to the category “%(name)s”.") % {"name": category.name},
                )
    return cleaned


def _criterion_1(person: Person, last_seen_at: datetime | None) -> bool:
    if last_seen_at is None:
        return False
    age = person.age_on(timezone.localtime(last_seen_at).date())
    return age is not None and age < 13


@dataclass(frozen=True)
class CriteriaInput:
    """The judged criteria (2-6) and a note for any of the six."""

    held: dict[str, bool]
    notes: dict[str, str]


def _add_assessment(*, actor, case: Case, criteria: CriteriaInput, at=None) -> Assessment:
    values = {key: bool(criteria.held.get(key)) for key in CRITERION_KEYS if key != "under_13"}
    values["under_13"] = _criterion_1(case.person, case.last_seen_at)
    notes = {
        k: v.strip() for k, v in criteria.notes.items() if k in CRITERION_KEYS and v and v.strip()
    }
    assessment = Assessment.objects.create(
        case=case,
        assessed_by=actor if actor is not None and actor.is_authenticated else None,
        assessed_at=at or timezone.now(),
        notes=notes,
        is_worrying=any(values.values()),
        **values,
    )
    return assessment


def _validate_criteria(errors: FieldErrors, criteria: CriteriaInput) -> None:
    for key in list(criteria.held) + list(criteria.notes):
        if key not in CRITERION_KEYS:
            errors.add("criteria", _("Unknown criterion “%(key)s”.") % {"key": key[:40]})
    for key, note in criteria.notes.items():
        errors.run(f"note_{key}", reject_control_characters, note or "")


def _timeline(
    *, case: Case, actor, kind: str, text: str = "", data: dict | None = None
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        case=case,
        author=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        text=text,
        data=data or {},
    )


def _save_versioned(case: Case, expected_version: int, values: dict) -> None:
    """Optimistic lock: write only if nobody saved the case since `expected_version`."""
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:
        raise ConcurrentEditError()
    for field, value in values.items():
        setattr(case, field, value)
    case.version = expected_version + 1


@transaction.atomic
def case_open(
    *,
    actor,
    category: Category | str | None,
    subkind: SubKind | str | None = None,
    person: Person | None = None,
    person_data: dict | None = None,
    photo=None,
    criteria: CriteriaInput | None = None,
    facts: dict | None = None,
    **details,
) -> Case:
    """Open a case, for a known person (a repeat episode) or a new one.

    A disappearance needs its last-seen time and gets its worrying assessment (`criteria`).
    A sexual-exploitation case has no last-seen time and no assessment: it records its `facts`
    (see beacon.cases.exploitation.validate_facts); when nobody is assigned and the actor is a
    case manager, it is assigned to them, since only its assignee (and their team lead, and
    administrators) may open it afterwards.
    """
    from beacon.cases.exploitation import facts_create, validate_facts

    errors = FieldErrors()
    unknown = set(details) - set(CASE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"case_open() got unknown fields {sorted(unknown)}")
    today = timezone.localdate()
    category, subkind = _resolve_category(errors, category, subkind, on_day=today)
    if category is not None:
        require(actor, _permission("open", category.mission))
    exploitation = category is not None and category.mission == Mission.EXPLOITATION
    if facts and category is not None and not exploitation:
        errors.add("category", _("Only sexual-exploitation cases record these facts."))
    if not exploitation:
        details.setdefault("last_seen_at", None)
    elif not details.get("assigned_to") and actor.has_perm(
        _permission("change", Mission.EXPLOITATION)
    ):
        details["assigned_to"] = actor
    cleaned = _validate_details(errors, details, category)
    criteria = criteria or CriteriaInput(held={}, notes={})
    _validate_criteria(errors, criteria)
    if person is None:
        person = person_build(data=person_data or {}, photo=photo, errors=errors)
    facts_cleaned: dict = {}
    if exploitation:
        facts_cleaned = validate_facts(
            errors,
            facts or {},
            actor=actor,
            category=category,
            subkind=subkind,
            person=person,
            on_day=today,
        )
    if cleaned.get("last_seen_at") and "last_seen_at" not in errors.errors:
        check_age_limit(
            errors,
            person,
            timezone.localtime(cleaned["last_seen_at"]).date(),
            field="date_of_birth" if person.date_of_birth else "estimated_age",
        )
    errors.raise_if_any()
    assert category is not None

    if person.pk is None:
        person.save()
        photo_thumbnail_enqueue(person)
        audit(actor=actor, action=AuditAction.CREATE, obj=person, fields=["*"])
    organisation = Organisation.objects.first()
    prefix = organisation.case_number_prefix if organisation else "MC"
    now = timezone.now()
    case = Case.objects.create(
        number=_next_case_number(prefix=prefix, year=timezone.localtime(now).year),
        mission=category.mission,
        category=category,
        subkind=subkind,
        person=person,
        opened_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **cleaned,
    )
    _timeline(case=case, actor=actor, kind=TimelineKind.OPENED, data={"category": category.key})
    if exploitation:
        facts_create(case=case, cleaned=facts_cleaned)
    else:
        assessment = _add_assessment(actor=actor, case=case, criteria=criteria)
        if assessment.is_worrying:
            Case.objects.filter(pk=case.pk).update(worrying=True)
            case.worrying = True
        _timeline(
            case=case, actor=actor, kind=TimelineKind.ASSESSMENT, data=_assessment_data(assessment)
        )
    audit(actor=actor, action=AuditAction.CREATE, obj=case, fields=["*"])
    from beacon.risk.services import risk_evaluate

    risk_evaluate(person=person, trigger_case=case)
    return case


def _assessment_data(assessment: Assessment) -> dict:
    return {"worrying": assessment.is_worrying, "criteria": assessment.criteria_held()}


@transaction.atomic
def case_update(*, actor, case: Case, expected_version: int, **changes) -> Case:
    """Change the case's details (not its status or assessment); optimistic-locked."""
    require(actor, _permission("change", case.mission))
    errors = FieldErrors()
    category: Category | None = case.category
    subkind: SubKind | None = case.subkind
    if "category" in changes or "subkind" in changes:
        new_category = changes.pop("category", case.category)
        new_subkind = changes.pop(
            "subkind", case.subkind if new_category == case.category else None
        )
        if new_category != case.category:
            category, subkind = _resolve_category(
                errors, new_category, new_subkind, on_day=timezone.localdate()
            )
            if category is not None and category.mission != case.mission:
                errors.add("category", _("A case cannot move to another mission."))
        else:
            _cat, subkind = _resolve_category(
                errors, case.category, new_subkind, on_day=case.opened_at.date()
            )
            # An existing legacy case keeps its category: only a new use of it is refused.
            errors.errors.pop("category", None)
    unknown = set(changes) - set(CASE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"case_update() got unknown fields {sorted(unknown)}")
    cleaned = _validate_details(errors, changes, category)
    if (
        "last_seen_at" in cleaned
        and cleaned["last_seen_at"]
        and "last_seen_at" not in errors.errors
    ):
        check_age_limit(
            errors,
            case.person,
            timezone.localtime(cleaned["last_seen_at"]).date(),
            field="last_seen_at",
        )
        if case.found_at and case.found_at < cleaned["last_seen_at"]:
            errors.add(
                "last_seen_at", _("The last-seen time is after the time the person was found.")
            )
    errors.raise_if_any()
    cleaned["category"], cleaned["subkind"] = category, subkind
    changed = {f: v for f, v in cleaned.items() if getattr(case, f) != v}
    if not changed:
        return case
    _save_versioned(case, expected_version, changed)
    _timeline(case=case, actor=actor, kind=TimelineKind.EDIT, data={"fields": sorted(changed)})
    audit(actor=actor, action=AuditAction.UPDATE, obj=case, fields=changed)
    return case


@transaction.atomic
def assessment_record(
    *, actor, case: Case, expected_version: int, criteria: CriteriaInput
) -> Assessment:
    """Record a new worrying assessment; the case is worrying when at least one criterion holds."""
    require(actor, _permission("assess", case.mission))
    errors = FieldErrors()
    _validate_criteria(errors, criteria)
    errors.raise_if_any()
    assessment = _add_assessment(actor=actor, case=case, criteria=criteria)
    _save_versioned(case, expected_version, {"worrying": assessment.is_worrying})
    _timeline(
        case=case, actor=actor, kind=TimelineKind.ASSESSMENT, data=_assessment_data(assessment)
    )
    audit(actor=actor, action=AuditAction.UPDATE, obj=case, fields=["worrying", "assessment"])
    return assessment


@transaction.atomic
def case_add_note(*, actor, case: Case, text: str, kind: str = TimelineKind.NOTE) -> TimelineEntry:
    """Add a note or a logged contact to the case's timeline."""
    require(actor, _permission("view", case.mission))
    # Case managers write notes; first responders, who open cases, log the contacts they take.
    if not actor.has_perm(_permission("open", case.mission)):
        require(actor, _permission("change", case.mission))
    if kind not in (TimelineKind.NOTE, TimelineKind.CONTACT):
        raise ValidationError({"kind": [_("Only notes and contacts can be added by hand.")]})
    errors = FieldErrors()
    text = (text or "").strip()
    if not text:
        errors.add("text", _("This field is required."))
    errors.run("text", reject_control_characters, text)
    errors.raise_if_any()
    entry = _timeline(case=case, actor=actor, kind=kind, text=text)
    audit(actor=actor, action=AuditAction.UPDATE, obj=case, fields=["timeline"])
    return entry


@transaction.atomic
def case_close(
    *,
    actor,
    case: Case,
    expected_version: int,
    outcome: str,
    found_at: datetime | None,
    note: str = "",
) -> Case:
    """Close the case with its outcome and the time the person was found."""
    require(actor, _permission("close", case.mission))
    errors = FieldErrors()
    if not case.is_open:
        errors.add("status", _("The case is already closed."))
    if outcome not in outcomes_for(case.mission):
        errors.add("outcome", _("Choose one of the listed outcomes."))
    if outcome == Outcome.LEFT_VOLUNTARILY and (case.age_at_disappearance or 0) < 18:
        errors.add("outcome", _("Only an adult can leave voluntarily."))
    if found_at is not None:
        if timezone.is_naive(found_at):
            errors.add("found_at", _("Give a time with its time zone."))
        elif found_at > timezone.now():
            errors.add("found_at", _("The time found is in the future."))
        elif case.mission == Mission.EXPLOITATION:
            errors.add("found_at", _("A sexual-exploitation case has no time found."))
        elif case.last_seen_at and found_at < case.last_seen_at:
            errors.add("found_at", _("The person cannot be found before they disappeared."))
    elif outcome in (Outcome.FOUND_SAFE, Outcome.RETURNED, Outcome.FOUND_DECEASED) and (
        case.mission == Mission.MISSING
    ):
        errors.add("found_at", _("Give the time the person was found."))
    errors.run("note", reject_control_characters, note or "")
    errors.raise_if_any()
    now = timezone.now()
    _save_versioned(
        case,
        expected_version,
        {"status": CaseStatus.CLOSED, "outcome": outcome, "found_at": found_at, "closed_at": now},
    )
    _timeline(
        case=case,
        actor=actor,
        kind=TimelineKind.STATUS,
        text=(note or "").strip(),
        data={"status": CaseStatus.CLOSED, "outcome": outcome},
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        fields=["status", "outcome", "found_at", "closed_at"],
    )
    case_closed.send(sender=Case, case=case, actor=actor, outcome=outcome)
    return case


@transaction.atomic
def case_reopen(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    """Reopen a closed case (the same episode: e.g. closed by mistake). A new disappearance of
    the same person is a new case instead, opened with `case_open(person=...)`."""
    require(actor, _permission("close", case.mission))
    errors = FieldErrors()
    if case.is_open:
        errors.add("status", _("The case is already open."))
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why the case is reopened."))
    errors.run("reason", reject_control_characters, reason)
    errors.raise_if_any()
    previous = {"outcome": case.outcome}
    _save_versioned(
        case,
        expected_version,
        {"status": CaseStatus.OPEN, "outcome": "", "found_at": None, "closed_at": None},
    )
    _timeline(
        case=case,
        actor=actor,
        kind=TimelineKind.STATUS,
        text=reason,
        data={"status": CaseStatus.OPEN, **previous},
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        fields=["status", "outcome", "found_at", "closed_at"],
    )
    return case


# Timeline kinds that only this module's own services write, as part of the change they record.
_LIFECYCLE_KINDS = (
    TimelineKind.OPENED,
    TimelineKind.STATUS,
    TimelineKind.ASSESSMENT,
    TimelineKind.EDIT,
)


@transaction.atomic
def case_timeline_add(
    *, actor, case: Case, kind: str, text: str = "", data: dict | None = None
) -> TimelineEntry:
    """Put an event of another app on the case's timeline (e.g. a contact taken on the line).

    The calling service has decided the event concerns this case and checked that the actor may
    open it; here only the mission's view permission is required. Lifecycle entries (opened,
    status, assessment, edit) are refused: they belong to the change that this module makes."""
    require(actor, _permission("view", case.mission))
    if kind not in TimelineKind.values or kind in _LIFECYCLE_KINDS:
        raise ValidationError({"kind": [_("Choose one of the listed values.")]})
    errors = FieldErrors()
    text = (text or "").strip()
    errors.run("text", reject_control_characters, text)
    errors.raise_if_any()
    entry = _timeline(case=case, actor=actor, kind=kind, text=text, data=data)
    audit(actor=actor, action=AuditAction.UPDATE, obj=case, fields=["timeline"])
    return entry
