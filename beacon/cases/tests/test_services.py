"""The case services: the worrying rule, repeat episodes, lifecycle, bad input, permissions, audit."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.cases.choices import CaseStatus, Outcome, TimelineKind
from beacon.cases.models import Assessment, Case, Category, SubKind, TimelineEntry
from beacon.cases.selectors import person_episodes
from beacon.cases.services import (
    CriteriaInput,
    assessment_record,
    case_add_note,
    case_close,
    case_open,
    case_reopen,
    case_update,
)
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditRecord
from beacon.people.models import Person

BRUSSELS = ZoneInfo("Europe/Brussels")


def intake(actor, **overrides):
    values = {
        "category": "runaway",
        "person_data": {
            "first_name": "Mila",
            "last_name": "Voorbeeld",
            "date_of_birth": date(2010, 6, 1),
        },
        "last_seen_at": timezone.now() - timedelta(hours=3),
        "channel": "116000",
        "reporter_kind": "parent",
    }
    values.update(overrides)
    return case_open(actor=actor, **values)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- the worrying rule -------------------------------------------------------------------------


def test_teenager_with_no_criterion_is_not_worrying(case_manager):
    case = intake(case_manager)
    assessment = case.assessments.get()
    assert case.worrying is False
    assert assessment.is_worrying is False
    assert assessment.criteria_held() == []


def test_criterion_1_is_computed_from_date_of_birth_at_disappearance(case_manager):
    # 12 years old on the day last seen, though 13 today: criterion 1 holds.
    last_seen = timezone.now() - timedelta(days=30)
    born = (timezone.localtime(last_seen) - timedelta(days=365 * 13 - 10)).date()
    case = intake(
        case_manager,
        last_seen_at=last_seen,
        person_data={"first_name": "Noor", "last_name": "Jong", "date_of_birth": born},
    )
    assert case.person.age_on(timezone.localdate()) == 13
    assert case.age_at_disappearance == 12
    assert case.worrying is True
    assert case.assessments.get().criteria_held() == ["under_13"]


def test_criterion_1_cannot_be_set_by_hand(case_manager):
    case = intake(case_manager, criteria=CriteriaInput(held={"under_13": True}, notes={}))
    assert case.worrying is False
    assert case.assessments.get().under_13 is False


def test_one_judged_criterion_makes_the_case_worrying_and_history_is_kept(case_manager):
    case = intake(case_manager)
    first = case.assessments.get()
    second = assessment_record(
        actor=case_manager,
        case=case,
        expected_version=case.version,
        criteria=CriteriaInput(
            held={"medication": True}, notes={"medication": "Needs insulin daily"}
        ),
    )
    case.refresh_from_db()
    assert case.worrying is True
    assert second.criteria_held() == ["medication"]
    assert second.notes == {"medication": "Needs insulin daily"}
    third = assessment_record(
        actor=case_manager,
        case=case,
        expected_version=case.version,
        criteria=CriteriaInput(held={}, notes={}),
    )
    case.refresh_from_db()
    assert case.worrying is False
    history = list(case.assessments.all())
    assert [a.pk for a in history] == [third.pk, second.pk, first.pk]
    assert all(a.assessed_by == case_manager for a in history)
    assert TimelineEntry.objects.filter(case=case, kind=TimelineKind.ASSESSMENT).count() == 3


def test_unknown_criterion_is_refused(case_manager, open_case):
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(
            actor=case_manager,
            case=open_case,
            expected_version=open_case.version,
            criteria=CriteriaInput(held={"astrology": True}, notes={}),
        )
    assert "criteria" in field_errors(excinfo)
    assert open_case.assessments.count() == 1


# --- lifecycle and repeat episodes ---------------------------------------------------------------


def test_close_and_reopen(case_manager, open_case):
    found = timezone.now() - timedelta(hours=1)
    case_close(
        actor=case_manager,
        case=open_case,
        expected_version=open_case.version,
        outcome=Outcome.FOUND_SAFE,
        found_at=found,
        note="Found at a friend's home",
    )
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.CLOSED
    assert open_case.outcome == Outcome.FOUND_SAFE
    assert open_case.found_at == found
    assert open_case.missing_for == found - open_case.last_seen_at
    case_reopen(
        actor=case_manager,
        case=open_case,
        expected_version=open_case.version,
        reason="Closed by mistake",
    )
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.OPEN
    assert open_case.outcome == "" and open_case.found_at is None and open_case.closed_at is None
    statuses = list(
        open_case.timeline.filter(kind=TimelineKind.STATUS).values_list("data__status", flat=True)
    )
    assert statuses == ["open", "closed"]


def test_a_new_disappearance_of_the_same_child_is_a_new_episode(case_manager, open_case):
    found = timezone.now() - timedelta(hours=4)
    case_close(
        actor=case_manager,
        case=open_case,
        expected_version=open_case.version,
        outcome=Outcome.RETURNED,
        found_at=found,
    )
    second = intake(
        case_manager, person=open_case.person, last_seen_at=timezone.now() - timedelta(hours=1)
    )
    assert second.person_id == open_case.person_id
    assert second.number != open_case.number
    assert Person.objects.count() == 1
    episodes = person_episodes(user=case_manager, person=open_case.person)
    assert episodes.count == 2
    assert [c.pk for c in episodes.cases] == [second.pk, open_case.pk]
    assert episodes.longest is not None and episodes.longest >= found - open_case.last_seen_at


def test_case_numbers_are_unique_and_sequential(case_manager):
    numbers = [intake(case_manager).number for _ in range(3)]
    year = timezone.localtime().year
    assert numbers == [f"MC-{year}-{n:06d}" for n in (1, 2, 3)]


def test_family_context_takes_sub_kind_direction_and_countries(case_manager):
    case = intake(
        case_manager,
        category="family_context",
        subkind="preventive",
        direction="outbound",
        countries=["ma", "ES"],
    )
    assert case.subkind.key == "preventive"
    assert case.countries == ["MA", "ES"]


# --- bad input: clear field errors, nothing saved --------------------------------------------------


def assert_nothing_saved():
    assert Case.objects.count() == 0
    assert Person.objects.count() == 0
    assert Assessment.objects.count() == 0
    assert AuditRecord.objects.filter(action="create").count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"last_seen_at": timezone.now() + timedelta(days=1)}, "last_seen_at"),
        ({"category": "no_such_category"}, "category"),
        (
            {"category": "legacy_international_parental_abduction", "subkind": "effective"},
            "category",
        ),
        ({"category": "family_context", "subkind": "attempted"}, "subkind"),
        ({"category": "family_context"}, "subkind"),
        ({"country_of_origin": "MA"}, "country_of_origin"),
        ({"channel": "pigeon"}, "channel"),
        ({"summary": "ok\x1b[31mred"}, "summary"),
        ({"last_seen_place": "Gent\u202eevil"}, "last_seen_place"),
        (
            {
                "person_data": {
                    "first_name": "Old",
                    "last_name": "Er",
                    "date_of_birth": date(1990, 1, 1),
                }
            },
            "date_of_birth",
        ),
        (
            {"person_data": {"first_name": "Est", "last_name": "Imated", "estimated_age": 40}},
            "estimated_age",
        ),
        ({"person_data": {"first_name": "Nul\x00l", "last_name": "Byte"}}, "first_name"),
        ({"person_data": {"first_name": "", "last_name": "Nameless"}}, "first_name"),
    ],
)
def test_bad_intake_is_refused_with_a_field_error_and_saves_nothing(case_manager, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        intake(case_manager, **overrides)
    assert field in field_errors(excinfo)
    assert_nothing_saved()


def test_person_older_than_24_at_disappearance_is_refused_but_24_is_accepted(case_manager):
    last_seen = timezone.now() - timedelta(days=2)
    day = timezone.localtime(last_seen).date()
    born_24 = (
        date(day.year - 24, day.month, 1) if day.day > 1 else date(day.year - 25, day.month, 28)
    )
    case = intake(
        case_manager,
        category="undefined_and_other",
        subkind="young_adult",
        last_seen_at=last_seen,
        person_data={"first_name": "Jo", "last_name": "Adult", "date_of_birth": born_24},
    )
    assert case.age_at_disappearance == 24
    born_25 = date(born_24.year - 1, born_24.month, born_24.day)
    with pytest.raises(ValidationError) as excinfo:
        intake(
            case_manager,
            category="undefined_and_other",
            subkind="young_adult",
            last_seen_at=last_seen,
            person_data={"first_name": "Jo", "last_name": "Older", "date_of_birth": born_25},
        )
    assert "date_of_birth" in field_errors(excinfo)


def test_found_before_disappeared_is_refused(case_manager, open_case):
    with pytest.raises(ValidationError) as excinfo:
        case_close(
            actor=case_manager,
            case=open_case,
            expected_version=open_case.version,
            outcome=Outcome.FOUND_SAFE,
            found_at=open_case.last_seen_at - timedelta(minutes=1),
        )
    assert "found_at" in field_errors(excinfo)
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.OPEN and open_case.version == 1


def test_a_minor_cannot_leave_voluntarily(case_manager, open_case):
    with pytest.raises(ValidationError) as excinfo:
        case_close(
            actor=case_manager,
            case=open_case,
            expected_version=open_case.version,
            outcome=Outcome.LEFT_VOLUNTARILY,
            found_at=None,
        )
    assert "outcome" in field_errors(excinfo)


def test_legacy_case_keeps_its_category_when_edited(case_manager, open_case):
    legacy = Category.objects.get(key="legacy_abduction_by_third_party")
    # An old record: written directly as the demo loader and migrations do.
    Case.objects.filter(pk=open_case.pk).update(category=legacy)
    open_case.refresh_from_db()
    case_update(
        actor=case_manager,
        case=open_case,
        expected_version=open_case.version,
        police_reference="PV 12/345",
    )
    open_case.refresh_from_db()
    assert open_case.category == legacy
    assert open_case.police_reference == "PV 12/345"


def test_sub_kind_of_another_category_is_refused_on_update(case_manager):
    case = intake(case_manager, category="family_context", subkind="preventive")
    foreign = SubKind.objects.get(category__key="abduction_outside_family", key="attempted")
    with pytest.raises(ValidationError) as excinfo:
        case_update(actor=case_manager, case=case, expected_version=case.version, subkind=foreign)
    assert "subkind" in field_errors(excinfo)


# --- optimistic locking -------------------------------------------------------------------------------


def test_second_editor_with_a_stale_version_is_refused_and_the_first_edit_kept(
    case_manager, cast, open_case
):
    first_view = Case.objects.get(pk=open_case.pk)
    second_view = Case.objects.get(pk=open_case.pk)
    case_update(
        actor=case_manager,
        case=first_view,
        expected_version=first_view.version,
        police_reference="PV-1",
    )
    with pytest.raises(ConcurrentEditError):
        case_update(
            actor=cast["administrator"],
            case=second_view,
            expected_version=second_view.version,
            police_reference="PV-2",
        )
    open_case.refresh_from_db()
    assert open_case.police_reference == "PV-1"
    assert open_case.version == 2


# --- permissions and audit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["analyst", "volunteer_coordinator", "finance", "statistics_reader", "nobody"]
)
def test_roles_without_case_work_cannot_open_cases(cast, role):
    with pytest.raises(PermissionDenied):
        intake(cast[role])
    assert Case.objects.count() == 0


def test_first_responder_opens_and_logs_contacts_but_cannot_close(cast):
    responder = cast["first_responder"]
    case = intake(responder)
    entry = case_add_note(actor=responder, case=case, text="Mother called back", kind="contact")
    assert entry.author == responder
    with pytest.raises(PermissionDenied):
        case_close(
            actor=responder,
            case=case,
            expected_version=case.version,
            outcome="found_safe",
            found_at=timezone.now(),
        )
    with pytest.raises(PermissionDenied):
        case_update(actor=responder, case=case, expected_version=case.version, summary="changed")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.summary == ""


def test_every_write_is_audited_with_the_fields_changed(case_manager, open_case):
    case_update(
        actor=case_manager,
        case=open_case,
        expected_version=open_case.version,
        police_reference="PV 2026/1",
        last_seen_place="Brugge",
    )
    record = AuditRecord.objects.filter(
        object_type="cases.case", object_id=str(open_case.pk)
    ).first()
    assert record.action == "update"
    assert record.actor == case_manager
    assert record.fields == ["last_seen_place", "police_reference"]
    created = AuditRecord.objects.filter(object_type="cases.case", action="create").get()
    assert created.object_id == str(open_case.pk)


def test_audit_records_cannot_be_changed_or_deleted(open_case):
    record = AuditRecord.objects.first()
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        AuditRecord.objects.all().update(action="view")
    with pytest.raises(TypeError):
        AuditRecord.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_to_rewrite_audit_records(cast):
    from django.db import DatabaseError, connection, transaction

    intake(cast["case_manager"])
    record = AuditRecord.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditrecord SET action = 'view' WHERE id = %s", [record.pk])
    assert AuditRecord.objects.get(pk=record.pk).action == record.action


def test_case_opened_late_on_new_years_eve_belongs_to_the_local_year(case_manager, monkeypatch):
    # 23:30 UTC on 31 December is already the new year in Brussels: the number says so.
    instant = datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    monkeypatch.setattr(timezone, "now", lambda: instant)
    case = intake(case_manager, last_seen_at=instant - timedelta(hours=2))
    assert case.number.startswith("MC-2026-")
    assert timezone.localtime(case.opened_at, BRUSSELS).year == 2026
