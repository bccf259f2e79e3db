"""The line log: logging, bad input, linking and opening cases, tips, the night rule, the board."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
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
    callback_done,
)
from beacon.people.models import Person

BRUSSELS = ZoneInfo("Europe/Brussels")


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


@pytest.fixture
def responder(cast):
    return cast["first_responder"]


def test_a_responder_logs_an_open_call_and_ends_it(responder):
    call = log(responder)
    assert call.is_open and call.taken_by == responder and call.topic_category.key == "runaway"
    call_end(actor=responder, call=call, expected_version=call.version)
    call.refresh_from_db()
    assert call.ended_at is not None and call.ended_at >= call.started_at
    assert AuditRecord.objects.filter(object_id=str(call.pk), action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ended_at_offset": -timedelta(minutes=1)}, "ended_at", "before it starts"),
        ({"ended_at_offset": timedelta(hours=24, minutes=1)}, "ended_at", "longer than 24"),
        ({"start_offset": timedelta(hours=1)}, "started_at", "in the future"),
        ({"topic_category": None}, "topic_category", "Choose the case category"),
        ({"topic_kind": "internet_safety"}, "topic_category", "only when the topic"),
        ({"topic_category": "legacy_abduction_by_third_party"}, "topic_category", "legacy"),
        ({"topic_category": "nope"}, "topic_category", "Unknown category"),
        ({"note": "bell\x07"}, "note", ""),
        ({"channel": "pigeon"}, "channel", "listed values"),
        ({"callback_offset": -timedelta(minutes=5)}, "callback_due_at", "before the call"),
    ],
)
def test_bad_calls_are_refused_with_field_errors_and_nothing_saved(
    responder, overrides, field, message
):
    start = timezone.now() - timedelta(hours=30)
    values: dict = {"started_at": start}
    if "start_offset" in overrides:
        values["started_at"] = timezone.now() + overrides.pop("start_offset")
    if "ended_at_offset" in overrides:
        values["ended_at"] = start + overrides.pop("ended_at_offset")
    if "callback_offset" in overrides:
        values["callback_due_at"] = start + overrides.pop("callback_offset")
    values.update(overrides)
    with pytest.raises(ValidationError) as excinfo:
        log(responder, **values)
    assert field in errors_of(excinfo)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Call.objects.exists()


def test_roles_without_the_line_cannot_log_or_read_calls(cast):
    for role in ("analyst", "finance", "statistics_reader", "volunteer_coordinator", "nobody"):
        with pytest.raises(PermissionDenied):
            log(cast[role])
        with pytest.raises(PermissionDenied):
            selectors.board(user=cast[role])
    with pytest.raises(PermissionDenied):
        log(cast["case_manager"])  # case managers read the line, responders log it
    assert selectors.board(user=cast["case_manager"]).calls_today == 0


def test_a_call_about_an_existing_case_shows_on_its_timeline(responder, open_case):
    call = log(responder, case=open_case)
    entry = TimelineEntry.objects.get(case=open_case, kind="call")
    assert entry.data["call"] == call.pk and entry.text == call.note
    assert not call.flagged


def test_a_116800_tip_about_a_missing_child_is_flagged_until_the_manager_reads_it(
    cast, responder, open_case
):
    tip = log(responder, channel="116800", caller_kind="witness", note="Seen at the station")
    call_link_case(actor=responder, call=tip, expected_version=tip.version, case=open_case)
    tip.refresh_from_db()
    assert tip.flagged and tip.flag_acknowledged_at is None
    assert TimelineEntry.objects.get(case=open_case, kind="tip").data["flagged"] is True
    with pytest.raises(PermissionDenied):
        call_acknowledge_flag(actor=responder, call=tip)  # only who may change the case
    call_acknowledge_flag(actor=cast["case_manager"], call=tip)
    tip.refresh_from_db()
    assert tip.flag_acknowledged_by == cast["case_manager"]
    assert selectors.board(user=cast["case_manager"]).flagged_tips == 0


def test_a_case_the_responder_may_not_open_is_not_found(cast, responder):
    from beacon.cases.tests.test_exploitation import exploitation

    restricted = exploitation(cast["case_manager"], facts={"victim_age": 15})
    with pytest.raises(ValidationError) as excinfo:
        log(responder, case=restricted.pk, topic_category="child_prostitution")
    assert errors_of(excinfo)["case"] == ["No such case."]
    assert not Call.objects.exists()


def test_opening_a_case_from_a_call_fills_in_the_callers_facts(responder):
    call, case = call_open_case(
        actor=responder,
        call_values={
            "channel": "116000",
            "caller_kind": "parent",
            "language": "fr",
            "note": "Son left after an argument",
        },
        category="runaway",
        person_data={
            "first_name": "Jules",
            "last_name": "Example",
            "date_of_birth": date(2011, 5, 5),
        },
        last_seen_at=timezone.now() - timedelta(hours=2),
        reporter_contact="+32 2 000 00 00",
    )
    assert call.case == case and call.topic_category == case.category
    assert (case.channel, case.reporter_kind, case.summary) == (
        "116000",
        "parent",
        "Son left after an argument",
    )
    assert TimelineEntry.objects.filter(case=case, kind="call").exists()


def test_opening_a_case_from_a_bad_call_saves_neither(responder):
    before = (Call.objects.count(), Case.objects.count(), Person.objects.count())
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
    assert "ended_at" in errors and "first_name" in errors  # the call's and the case's errors
    assert (Call.objects.count(), Case.objects.count(), Person.objects.count()) == before


def test_a_stale_update_is_refused(responder):
    call = log(responder)
    call_end(actor=responder, call=call, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        call_end(actor=responder, call=Call.objects.get(pk=call.pk), expected_version=1)


def test_callbacks_due_show_on_the_board_until_done(responder):
    start = timezone.now() - timedelta(hours=2)
    call = log(responder, started_at=start, callback_due_at=start + timedelta(minutes=30))
    later = log(responder, started_at=start, callback_due_at=timezone.now() + timedelta(hours=3))
    board = selectors.board(user=responder)
    assert [c.pk for c in board.callbacks_due] == [call.pk]
    callback_done(actor=responder, call=call, expected_version=call.version)
    assert selectors.board(user=responder).callbacks_due == []
    assert later.callback_done_at is None


# --- the night rule: 23:00 to 07:00 in Brussels, whatever the UTC offset ----------------------


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


NIGHT_CASES = [
    # (local start, at night?) on an ordinary winter day, and on both DST-change nights of 2025.
    (local(2025, 1, 15, 22, 59), False),
    (local(2025, 1, 15, 23, 0), True),
    (local(2025, 1, 16, 6, 59), True),
    (local(2025, 1, 16, 7, 0), False),
    # 30 March 2025: clocks go from 02:00 to 03:00 (UTC+1 -> UTC+2).
    (local(2025, 3, 29, 22, 59), False),
    (local(2025, 3, 29, 23, 0), True),
    (local(2025, 3, 30, 3, 30), True),
    (local(2025, 3, 30, 6, 59), True),
    (local(2025, 3, 30, 7, 0), False),
    # 26 October 2025: clocks go from 03:00 back to 02:00 (the 02:xx hour happens twice).
    (local(2025, 10, 25, 22, 59), False),
    (local(2025, 10, 25, 23, 0), True),
    (datetime(2025, 10, 26, 2, 30, fold=0, tzinfo=BRUSSELS), True),
    (datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=BRUSSELS), True),
    (local(2025, 10, 26, 6, 59), True),
    (local(2025, 10, 26, 7, 0), False),
]


def test_the_night_rule_at_its_boundaries_across_dst_changes(db):
    calls = {
        Call.objects.create(
            channel="116000", caller_kind="child", topic_kind="out_of_scope", started_at=start
        ).pk: night
        for start, night in NIGHT_CASES
    }
    at_night = set(Call.objects.at_night().values_list("pk", flat=True))
    assert {pk for pk, night in calls.items() if night} == at_night
    # The two 02:30s of 26 October are an hour apart in UTC, and both at night.
    assert NIGHT_CASES[11][0].astimezone(ZoneInfo("UTC")).hour == 0  # 02:30 summer time
    assert NIGHT_CASES[12][0].astimezone(ZoneInfo("UTC")).hour == 1  # 02:30 winter time


def test_the_board_counts_the_local_day_and_its_nights(cast, responder):
    # 26 October 2025 (25 hours long): a call at 00:30 local is today though still 25 Oct in UTC.
    now = local(2025, 10, 26, 23, 30)
    for start in (
        local(2025, 10, 25, 23, 45),  # yesterday
        local(2025, 10, 26, 0, 30),
        datetime(2025, 10, 26, 2, 15, fold=1, tzinfo=BRUSSELS),
        local(2025, 10, 26, 7, 0),
        local(2025, 10, 26, 12, 5),
        local(2025, 10, 26, 12, 55),
        local(2025, 10, 26, 23, 10),
    ):
        Call.objects.create(
            channel="116000", caller_kind="child", topic_kind="out_of_scope", started_at=start
        )
    board = selectors.board(user=responder, now=now)
    assert board.calls_today == 6
    assert board.night_today == 3  # 00:30, 02:15 (second time), 23:10
    per_hour = dict(board.per_hour)
    assert (per_hour[0], per_hour[2], per_hour[7], per_hour[12], per_hour[23]) == (1, 1, 1, 2, 1)
    assert sum(per_hour.values()) == board.calls_today
