"""The line log's services: logging, bad input, linking and opening cases, tips, callbacks, who
may do what, and the audit trail."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
from beacon.cases.services import case_timeline_add
from beacon.cases.tests.test_exploitation import exploitation
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditRecord
from beacon.line import selectors
from beacon.line.models import Call
from beacon.line.services import (
    call_acknowledge_flag,
    call_end,
    call_link_case,
    call_log,
    call_open_case,
    call_update,
    callback_done,
)
from beacon.people.models import Person


def log(actor, **overrides) -> Call:
    values: dict[str, Any] = {
        "channel": "116000",
        "caller_kind": "parent",
        "topic_kind": "case_category",
        "topic_category": "runaway",
        "language": "nl",
        "note": "Mother calls: daughter did not come home",
    }
    values.update(overrides)
    return call_log(actor=actor, **values)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def written() -> tuple[int, ...]:
    """Everything a refused call must leave as it was."""
    return (
        Call.objects.count(),
        Case.objects.count(),
        Person.objects.count(),
        TimelineEntry.objects.count(),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def responder(cast):
    return cast["first_responder"]


def test_a_responder_logs_an_open_call_and_ends_it(responder):
    call = log(responder)
    assert call.is_open and call.taken_by == responder and call.topic_category.key == "runaway"
    assert (call.language, call.version, call.flagged) == ("nl", 1, False)
    call_end(actor=responder, call=call, expected_version=call.version)
    call.refresh_from_db()
    assert call.ended_at is not None and call.ended_at >= call.started_at and call.version == 2
    records = AuditRecord.objects.filter(object_type="line.call", object_id=str(call.pk))
    assert list(records.order_by("id").values_list("action", "fields")) == [
        ("create", ["*"]),
        ("update", ["ended_at"]),
    ]
    with pytest.raises(ValidationError) as excinfo:
        call_end(actor=responder, call=call, expected_version=call.version)
    assert errors_of(excinfo) == {"ended_at": ["The call has already ended."]}


def test_the_start_defaults_to_now_and_a_few_minutes_of_clock_skew_are_allowed(responder):
    before = timezone.now()
    assert before <= log(responder).started_at <= timezone.now()
    ahead = timezone.now() + timedelta(minutes=4)
    assert log(responder, started_at=ahead).started_at == ahead


# (field, overrides relative to a start 30 hours ago, words of the message)
BAD_CALLS = [
    ("ended_at", {"ended_at": -timedelta(minutes=1)}, "before it starts"),
    ("ended_at", {"ended_at": timedelta(hours=24, minutes=1)}, "longer than 24"),
    ("started_at", {"started_at": "future"}, "in the future"),
    ("topic_category", {"topic_category": None}, "Choose the case category"),
    ("topic_category", {"topic_kind": "internet_safety"}, "only when the topic"),
    ("topic_category", {"topic_category": "legacy_abduction_by_third_party"}, "legacy"),
    ("topic_category", {"topic_category": "nope"}, "Unknown category"),
    ("note", {"note": "bell\x07"}, "control"),
    ("channel", {"channel": "pigeon"}, "listed values"),
    ("caller_kind", {"caller_kind": "alien"}, "listed values"),
    ("language", {"language": "tlh"}, "listed values"),
    ("callback_due_at", {"callback_due_at": -timedelta(minutes=5)}, "before the call"),
]


@pytest.mark.parametrize(("field", "overrides", "words"), BAD_CALLS)
def test_bad_calls_are_refused_on_their_field_and_nothing_is_written(
    responder, open_case, field, overrides, words
):
    start = timezone.now() - timedelta(hours=30)
    values: dict[str, Any] = {"started_at": start, "case": open_case}
    for name, value in overrides.items():
        if value == "future":
            value = timezone.now() + timedelta(minutes=6)
        elif isinstance(value, timedelta):
            value = start + value
        values[name] = value
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        log(responder, **values)
    assert list(errors_of(excinfo)) == [field]
    assert words in " ".join(errors_of(excinfo)[field])
    assert written() == before


def test_all_the_errors_of_a_call_are_given_at_once(responder):
    start = timezone.now() - timedelta(hours=2)
    with pytest.raises(ValidationError) as excinfo:
        log(
            responder,
            started_at=start,
            ended_at=start - timedelta(minutes=1),
            topic_category=None,
            note="\x00",
        )
    assert set(errors_of(excinfo)) == {"ended_at", "topic_category", "note"}
    assert not Call.objects.exists()


def test_roles_without_the_line_cannot_log_or_read_calls(cast, responder):
    call = log(responder)
    before = written()
    for role in ("analyst", "finance", "statistics_reader", "volunteer_coordinator", "nobody"):
        user = cast[role]
        with pytest.raises(PermissionDenied):
            log(user)
        with pytest.raises(PermissionDenied):
            selectors.board(user=user)
        with pytest.raises(PermissionDenied):
            selectors.call_list(user=user)
        with pytest.raises(PermissionDenied):
            selectors.call_get(user=user, pk=call.pk)
        with pytest.raises(PermissionDenied):
            call_end(actor=user, call=call, expected_version=call.version)
    for role in ("case_manager", "team_lead"):
        # They read the line (the board, a case's calls); responders log it.
        with pytest.raises(PermissionDenied):
            log(cast[role])
        with pytest.raises(PermissionDenied):
            call_end(actor=cast[role], call=call, expected_version=call.version)
        assert [c.pk for c in selectors.call_list(user=cast[role]).items] == [call.pk]
    assert written() == before
    assert log(cast["administrator"]).taken_by == cast["administrator"]


def test_a_call_about_an_existing_case_shows_on_its_timeline(responder, open_case):
    call = log(responder, case=open_case)
    entry = TimelineEntry.objects.get(case=open_case, kind="call")
    assert (entry.data, entry.text, entry.author) == (
        {"call": call.pk, "channel": "116000", "flagged": False},
        call.note,
        responder,
    )
    assert not call.flagged
    assert AuditRecord.objects.filter(
        object_type="cases.case", object_id=str(open_case.pk), fields=["timeline"]
    ).exists()


def test_a_call_is_linked_to_a_case_afterwards_once(cast, responder, open_case):
    call = log(responder)
    call_link_case(actor=responder, call=call, expected_version=call.version, case=open_case.pk)
    call.refresh_from_db()
    assert call.case == open_case and call.version == 2
    assert TimelineEntry.objects.filter(case=open_case, kind="call").count() == 1
    # Linking again to the same case changes nothing; to another is refused.
    call_link_case(actor=responder, call=call, expected_version=call.version, case=open_case)
    other = log(responder, case=None)
    with pytest.raises(ValidationError) as excinfo:
        call_link_case(actor=responder, call=call, expected_version=call.version, case=other.pk)
    assert "case" in errors_of(excinfo)
    assert TimelineEntry.objects.filter(case=open_case, kind="call").count() == 1


def test_a_case_the_responder_may_not_open_is_not_found(cast, responder):
    restricted = exploitation(cast["case_manager"], facts={"victim_age": 15})
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        log(responder, case=restricted.pk, topic_category="child_prostitution")
    assert errors_of(excinfo) == {"case": ["No such case."]}
    with pytest.raises(ValidationError) as excinfo:
        log(responder, case=999_999)
    assert errors_of(excinfo) == {"case": ["No such case."]}  # the same answer as a missing one
    call = log(responder, topic_category="child_prostitution")
    with pytest.raises(ValidationError) as excinfo:
        call_link_case(
            actor=responder, call=call, expected_version=call.version, case=restricted.pk
        )
    assert errors_of(excinfo) == {"case": ["No such case."]}
    call.refresh_from_db()
    assert call.case is None and written()[3] == before[3]


def test_a_116800_tip_about_a_missing_child_is_flagged_until_the_manager_reads_it(
    cast, responder, open_case
):
    tip = log(responder, channel="116800", caller_kind="witness", note="Seen at the station")
    assert not tip.flagged  # about no case yet
    call_link_case(actor=responder, call=tip, expected_version=tip.version, case=open_case)
    tip.refresh_from_db()
    assert tip.flagged and tip.flag_acknowledged_at is None
    entry = TimelineEntry.objects.get(case=open_case, kind="tip")
    assert entry.data["flagged"] is True and entry.text == "Seen at the station"
    assert [c.pk for c in selectors.calls_of_case(case=open_case)] == [tip.pk]
    assert selectors.board(user=responder).flagged_tips == 1
    for who in ("first_responder", "analyst"):
        with pytest.raises(PermissionDenied):
            call_acknowledge_flag(actor=cast[who], call=tip)  # only who may change the case
    tip.refresh_from_db()
    assert tip.flag_acknowledged_at is None
    call_acknowledge_flag(actor=cast["case_manager"], call=tip)
    tip.refresh_from_db()
    assert tip.flag_acknowledged_by == cast["case_manager"]
    assert tip.flag_acknowledged_at is not None
    assert selectors.board(user=cast["case_manager"]).flagged_tips == 0
    acknowledged = AuditRecord.objects.filter(
        object_type="line.call", object_id=str(tip.pk), fields=["flag_acknowledged_at"]
    )
    assert acknowledged.count() == 1
    call_acknowledge_flag(actor=cast["administrator"], call=tip)  # read already: no new record
    assert acknowledged.count() == 1
    tip.refresh_from_db()
    assert tip.flag_acknowledged_by == cast["case_manager"]


def test_a_tip_logged_about_a_case_is_flagged_at_once_and_unread_tips_come_first(
    responder, open_case
):
    call = log(responder, case=open_case)
    tip = log(responder, channel="116800", caller_kind="witness", case=open_case)
    later = log(responder, case=open_case)
    assert tip.flagged and not call.flagged and not later.flagged
    assert [c.pk for c in selectors.calls_of_case(case=open_case)] == [tip.pk, later.pk, call.pk]


def test_a_tip_about_an_exploitation_case_is_not_flagged(cast):
    manager = cast["case_manager"]
    case = exploitation(manager, facts={"victim_age": 15})
    tip = log(
        cast["administrator"],
        channel="116800",
        caller_kind="witness",
        topic_category="child_prostitution",
        case=case,
    )
    assert not tip.flagged
    assert TimelineEntry.objects.get(case=case, kind="tip").data["flagged"] is False
    with pytest.raises(ValidationError):
        call_acknowledge_flag(actor=manager, call=tip)


def test_opening_a_case_from_a_call_fills_in_the_callers_facts(responder):
    call, case = call_open_case(
        actor=responder,
        call_values={
            "channel": "walk_in",
            "caller_kind": "witness",
            "language": "fr",
            "note": "Son left after an argument",
        },
        category="runaway",
        person_data={
            "first_name": "Jules",
            "last_name": "Example",
            "date_of_birth": date(2011, 5, 5),
            "gender": "male",
        },
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_place="Market square, Exampletown",
        reporter_contact="+32 2 000 00 00",
    )
    call.refresh_from_db()
    case.refresh_from_db()
    assert call.case == case and call.topic_category == case.category
    assert (call.topic_kind, call.language) == ("case_category", "fr")
    assert (case.channel, case.reporter_kind, case.summary, case.last_seen_place) == (
        "other",  # a walk-in has no channel of its own on a case
        "other",
        "Son left after an argument",
        "Market square, Exampletown",
    )
    assert (case.person.first_name, case.person.last_name, case.person.gender) == (
        "Jules",
        "Example",
        "male",
    )
    assert case.created_by == responder and case.category.key == "runaway"
    entry = TimelineEntry.objects.get(case=case, kind="call")
    assert entry.data["call"] == call.pk
    assert AuditRecord.objects.filter(object_type="line.call", action="create").count() == 1
    assert AuditRecord.objects.filter(object_type="cases.case", action="create").count() == 1


def test_an_exploitation_case_is_opened_from_a_call_without_a_last_seen_time(cast, responder):
    call, case = call_open_case(
        actor=responder,
        call_values={"channel": "chat", "caller_kind": "child", "note": "Pictures are shared"},
        category="sexting_without_consent",
        person_data={"first_name": "Noor", "last_name": "Example", "estimated_age": 14},
    )
    assert case.mission == "exploitation" and case.last_seen_at is None
    assert case.facts.victim_age == 14
    assert (case.channel, case.reporter_kind, call.case_id) == ("chat", "child", case.pk)
    assert TimelineEntry.objects.filter(case=case, kind="call").exists()


def test_opening_a_case_from_a_bad_call_saves_neither(responder):
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        call_open_case(
            actor=responder,
            call_values={
                "channel": "116000",
                "caller_kind": "parent",
                "ended_at": timezone.now() - timedelta(days=2),
                "started_at": timezone.now() - timedelta(hours=1),
            },
            category="runaway",
            person_data={"first_name": "", "last_name": "Example"},
            last_seen_at=timezone.now() - timedelta(hours=2),
        )
    errors = errors_of(excinfo)
    assert {"ended_at", "first_name"} <= set(errors)  # the call's and the case's errors
    assert written() == before


@pytest.mark.parametrize(
    ("call_values", "case_values", "field"),
    [
        # Only the case is wrong: the call is not saved either.
        ({}, {"last_seen_at": None}, "last_seen_at"),
        ({}, {"last_seen_at": "future"}, "last_seen_at"),
        ({}, {"category": "legacy_abduction_by_third_party"}, "topic_category"),
        ({}, {"category": "family_context"}, "subkind"),
        # Only the call is wrong: the case it opened is undone.
        ({"note": "\x1b[2J"}, {}, "note"),
        ({"started_at": "future"}, {}, "started_at"),
    ],
)
def test_any_error_of_a_call_opening_a_case_saves_nothing(
    responder, call_values, case_values, field
):
    now = timezone.now()
    call = {"channel": "116000", "caller_kind": "parent", **call_values}
    case: dict[str, Any] = {
        "category": "runaway",
        "person_data": {"first_name": "Mila", "last_name": "Example", "estimated_age": 12},
        "last_seen_at": now - timedelta(hours=1),
        **case_values,
    }
    for values in (call, case):
        for name, value in values.items():
            if value == "future":
                values[name] = now + timedelta(hours=1)
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        call_open_case(actor=responder, call_values=call, **case)
    assert field in errors_of(excinfo)
    if field == "topic_category":  # the call's topic and the case's category: said once
        assert "category" not in errors_of(excinfo)
    assert written() == before


def test_a_stale_correction_is_refused(cast, responder):
    call = log(responder)
    mine = Call.objects.get(pk=call.pk)
    theirs = Call.objects.get(pk=call.pk)
    call_update(actor=responder, call=theirs, expected_version=1, note="Caller hung up")
    with pytest.raises(ConcurrentEditError):
        call_update(actor=responder, call=mine, expected_version=mine.version, note="Mine")
    with pytest.raises(ConcurrentEditError):
        call_end(actor=cast["administrator"], call=mine, expected_version=mine.version)
    call.refresh_from_db()
    assert (call.note, call.version, call.ended_at) == ("Caller hung up", 2, None)


def test_a_correction_is_checked_against_the_rest_of_the_call(responder):
    start = timezone.now() - timedelta(hours=1)
    call = log(responder, started_at=start)
    with pytest.raises(ValidationError) as excinfo:
        call_update(
            actor=responder, call=call, expected_version=1, ended_at=start - timedelta(seconds=1)
        )
    assert list(errors_of(excinfo)) == ["ended_at"]
    with pytest.raises(ValidationError) as excinfo:
        call_update(actor=responder, call=call, expected_version=1, topic_kind="out_of_scope")
    assert list(errors_of(excinfo)) == ["topic_category"]  # it still names a category
    call_update(
        actor=responder,
        call=call,
        expected_version=1,
        topic_kind="out_of_scope",
        topic_category=None,
    )
    call.refresh_from_db()
    assert (call.topic_kind, call.topic_category, call.version) == ("out_of_scope", None, 2)
    # Nothing changed: no write, no new version, no audit record.
    records = AuditRecord.objects.count()
    call_update(actor=responder, call=call, expected_version=2, topic_kind="out_of_scope")
    assert (Call.objects.get().version, AuditRecord.objects.count()) == (2, records)


def test_callbacks_due_show_on_the_board_until_done(responder):
    start = timezone.now() - timedelta(hours=2)
    call = log(responder, started_at=start, callback_due_at=start + timedelta(minutes=30))
    later = log(responder, started_at=start, callback_due_at=timezone.now() + timedelta(hours=3))
    board = selectors.board(user=responder)
    assert [c.pk for c in board.callbacks_due] == [call.pk] and board.callbacks_due_count == 1
    callback_done(actor=responder, call=call, expected_version=call.version)
    call.refresh_from_db()
    assert call.callback_done_at is not None
    board = selectors.board(user=responder)
    assert (board.callbacks_due, board.callbacks_due_count) == ([], 0)
    with pytest.raises(ValidationError) as excinfo:
        callback_done(actor=responder, call=call, expected_version=call.version)
    assert list(errors_of(excinfo)) == ["callback_done_at"]
    later.refresh_from_db()
    assert later.callback_done_at is None
    no_callback = log(responder)
    with pytest.raises(ValidationError) as excinfo:
        callback_done(actor=responder, call=no_callback, expected_version=1)
    assert list(errors_of(excinfo)) == ["callback_due_at"]


def test_the_call_list_is_newest_first_in_keyset_pages_with_filters(cast, responder):
    start = timezone.now() - timedelta(hours=3)
    calls = [
        log(
            responder,
            started_at=start + timedelta(minutes=i),
            channel="chat" if i % 2 else "116000",
        )
        for i in range(5)
    ]
    log(cast["administrator"], started_at=start)
    first = selectors.call_list(user=responder, page_size=2)
    assert [c.pk for c in first.items] == [calls[4].pk, calls[3].pk] and first.next_cursor
    second = selectors.call_list(user=responder, page_size=2, cursor=first.next_cursor)
    assert [c.pk for c in second.items] == [calls[2].pk, calls[1].pk]
    chats = selectors.call_list(user=responder, filters=selectors.CallFilters(channel="chat"))
    assert [c.pk for c in chats.items] == [calls[3].pk, calls[1].pk]
    mine = selectors.call_list(user=responder, filters=selectors.CallFilters(taken_by=responder.pk))
    assert len(mine.items) == 5
    day = timezone.localtime(start).date()
    on_day = selectors.call_list(user=responder, filters=selectors.CallFilters(day=day))
    assert len(on_day.items) == len(
        [c for c in Call.objects.all() if timezone.localtime(c.started_at).date() == day]
    )
    call_end(actor=responder, call=calls[0], expected_version=1)
    still_open = selectors.call_list(user=responder, filters=selectors.CallFilters(open_only=True))
    assert calls[0].pk not in [c.pk for c in still_open.items] and len(still_open.items) == 5


def test_case_timeline_add_needs_the_missions_view_permission_and_a_kind_of_its_own(
    cast, open_case
):
    entry = case_timeline_add(
        actor=cast["first_responder"], case=open_case, kind="call", text=" A call ", data={"x": 1}
    )
    assert (entry.kind, entry.text, entry.data) == ("call", "A call", {"x": 1})
    before = TimelineEntry.objects.count()
    with pytest.raises(PermissionDenied):
        case_timeline_add(actor=cast["analyst"], case=open_case, kind="call")
    for kind in ("opened", "status", "nonsense"):
        with pytest.raises(ValidationError):
            case_timeline_add(actor=cast["case_manager"], case=open_case, kind=kind)
    with pytest.raises(ValidationError):
        case_timeline_add(actor=cast["case_manager"], case=open_case, kind="call", text="\x07")
    assert TimelineEntry.objects.count() == before
