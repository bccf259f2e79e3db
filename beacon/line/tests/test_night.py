"""The night rule (23:00 to 07:00 in Brussels, whatever the UTC offset) and the board's local day,
on the nights the clocks change. Runs on SQLite and PostgreSQL alike (the suite runs on both)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beacon.line import selectors
from beacon.line.models import Call

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(year: int, month: int, day: int, hour: int, minute: int, *, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS, fold=fold)


def make(started_at: datetime, channel: str = "116000") -> Call:
    # Calls in the past (2025) are written as records here: the night rule is about the query.
    return Call.objects.create(
        channel=channel, caller_kind="child", topic_kind="out_of_scope", started_at=started_at
    )


# (local start, at night?)
NIGHT_CASES = [
    # An ordinary winter night (UTC+1).
    (local(2025, 1, 15, 22, 59), False),
    (local(2025, 1, 15, 23, 0), True),
    (local(2025, 1, 16, 6, 59), True),
    (local(2025, 1, 16, 7, 0), False),
    # An ordinary summer night (UTC+2).
    (local(2025, 7, 15, 22, 59), False),
    (local(2025, 7, 15, 23, 0), True),
    (local(2025, 7, 16, 6, 59), True),
    (local(2025, 7, 16, 7, 0), False),
    # 30 March 2025: at 02:00 the clocks go to 03:00 (UTC+1 -> UTC+2).
    (local(2025, 3, 29, 22, 59), False),
    (local(2025, 3, 29, 23, 0), True),
    (local(2025, 3, 30, 1, 59), True),
    (local(2025, 3, 30, 3, 0), True),
    (local(2025, 3, 30, 6, 59), True),
    (local(2025, 3, 30, 7, 0), False),
    (local(2025, 3, 30, 22, 59), False),
    (local(2025, 3, 30, 23, 0), True),
    # 26 October 2025: at 03:00 the clocks go back to 02:00 (the 02:xx hour happens twice).
    (local(2025, 10, 25, 22, 59), False),
    (local(2025, 10, 25, 23, 0), True),
    (local(2025, 10, 26, 2, 0, fold=0), True),
    (local(2025, 10, 26, 2, 30, fold=0), True),
    (local(2025, 10, 26, 2, 0, fold=1), True),
    (local(2025, 10, 26, 2, 30, fold=1), True),
    (local(2025, 10, 26, 6, 59), True),
    (local(2025, 10, 26, 7, 0), False),
    (local(2025, 10, 26, 22, 59), False),
    (local(2025, 10, 26, 23, 0), True),
]


def test_the_instants_are_the_ones_meant():
    # 22:59 and 23:00 local are 21:59 and 22:00 UTC in winter, 20:59 and 21:00 in summer.
    assert local(2025, 1, 15, 23, 0).astimezone(UTC).hour == 22
    assert local(2025, 7, 15, 23, 0).astimezone(UTC).hour == 21
    # 07:00 on 30 March is already summer time; 01:59 that night was still winter time.
    assert local(2025, 3, 30, 7, 0).astimezone(UTC).hour == 5
    assert local(2025, 3, 30, 1, 59).astimezone(UTC).hour == 0
    # The two 02:30s of 26 October are an hour apart: summer time, then winter time.
    first, second = local(2025, 10, 26, 2, 30, fold=0), local(2025, 10, 26, 2, 30, fold=1)
    assert (first.astimezone(UTC).hour, second.astimezone(UTC).hour) == (0, 1)
    assert local(2025, 10, 26, 7, 0).astimezone(UTC).hour == 6


def test_at_night_returns_exactly_the_calls_from_23_00_to_06_59_local(db):
    expected = {make(start).pk: night for start, night in NIGHT_CASES}
    at_night = set(Call.objects.at_night().values_list("pk", flat=True))
    assert at_night == {pk for pk, night in expected.items() if night}
    assert len(expected) == len(NIGHT_CASES)  # the repeated hour gave two distinct calls each
    hours = dict(Call.objects.with_local_hour().values_list("pk", "local_hour"))
    assert [hours[pk] for pk in expected] == [start.hour for start, _night in NIGHT_CASES]


def test_on_116000_counts_the_free_and_the_international_line(db):
    start = local(2025, 10, 26, 2, 30, fold=1)
    kept = {make(start, "116000").pk, make(start, "international").pk}
    for other in ("116800", "chat", "email", "police", "walk_in"):
        make(start, other)
    assert set(Call.objects.on_116000().values_list("pk", flat=True)) == kept
    assert Call.objects.on_116000().at_night().count() == 2


@pytest.mark.parametrize(
    ("now", "starts", "today", "night", "hours"),
    [
        (
            # 26 October 2025 is 25 hours long. At 00:30 local it is still 25 October in UTC.
            local(2025, 10, 26, 23, 30),
            [
                (local(2025, 10, 25, 23, 45), False),  # yesterday
                (local(2025, 10, 26, 0, 30), True),
                (local(2025, 10, 26, 2, 15, fold=0), True),
                (local(2025, 10, 26, 2, 15, fold=1), True),
                (local(2025, 10, 26, 6, 59), True),
                (local(2025, 10, 26, 7, 0), True),
                (local(2025, 10, 26, 12, 5), True),
                (local(2025, 10, 26, 12, 55), True),
                (local(2025, 10, 26, 23, 10), True),
                (local(2025, 10, 27, 0, 0), False),  # tomorrow (a call logged ahead of time)
            ],
            8,
            5,  # 00:30, both 02:15s, 06:59, 23:10
            {0: 1, 2: 2, 6: 1, 7: 1, 12: 2, 23: 1},
        ),
        (
            # 30 March 2025 is 23 hours long: 02:xx never happens.
            local(2025, 3, 30, 12, 0),
            [
                (local(2025, 3, 29, 23, 59), False),
                (local(2025, 3, 30, 0, 30), True),
                (local(2025, 3, 30, 1, 59), True),
                (local(2025, 3, 30, 3, 0), True),
                (local(2025, 3, 30, 7, 0), True),
                (local(2025, 3, 30, 11, 59), True),
            ],
            5,
            3,
            {0: 1, 1: 1, 3: 1, 7: 1, 11: 1},
        ),
    ],
)
def test_the_board_counts_the_local_day_and_agrees_with_the_night_rule(
    cast, now, starts, today, night, hours
):
    calls = [(make(start), counted) for start, counted in starts]
    with CaptureQueriesContext(connection) as queries:
        board = selectors.board(user=cast["first_responder"], now=now)
    assert board.calls_today == today == board.calls_116000_today
    assert board.night_today == night
    todays = [call.pk for call, counted in calls if counted]
    assert board.night_today == Call.objects.filter(pk__in=todays).at_night().count()
    assert {h: n for h, n in board.per_hour if n} == hours
    assert sum(n for _h, n in board.per_hour) == board.calls_today
    assert board.busiest == max(hours.values())
    # Counted by the database whatever the traffic: the permission check and five queries.
    assert len([q for q in queries.captured_queries if "line_call" in q["sql"]]) == 5


def test_the_board_counts_open_calls_and_callbacks_beyond_the_listed_ones(cast):
    now = local(2025, 6, 1, 12, 0)
    for minute in range(selectors.BOARD_LIST + 3):
        call = make(now - timedelta(hours=2, minutes=minute))
        Call.objects.filter(pk=call.pk).update(callback_due_at=now - timedelta(minutes=1))
    board = selectors.board(user=cast["case_manager"], now=now)
    assert board.open_count == selectors.BOARD_LIST + 3
    assert len(board.open_calls) == selectors.BOARD_LIST
    assert board.callbacks_due_count == selectors.BOARD_LIST + 3
    assert len(board.callbacks_due) == selectors.BOARD_LIST
