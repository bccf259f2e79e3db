"""Call.local_hour: the hour a call started in Brussels, stored on every write path, right on the
nights the clocks change and across midnight; and the report's night figure it feeds."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F, Q
from django.db.models.functions import ExtractHour

from beacon.figures.definitions import hotline_calls
from beacon.line.models import NIGHT_ENDS, NIGHT_STARTS, Call, local_hour_of

BRUSSELS = ZoneInfo("Europe/Brussels")

# (UTC instant, hour in Brussels), worked out by hand.
HOURS = [
    # 26 October 2025, clocks back at 03:00 CEST (01:00 UTC): 00:59 UTC is still summer time
    # (UTC+2), 01:00 UTC is the second 02:00 (UTC+1).
    (datetime(2025, 10, 26, 0, 59, tzinfo=UTC), 2),
    (datetime(2025, 10, 26, 1, 0, tzinfo=UTC), 2),
    (datetime(2025, 10, 26, 0, 30, tzinfo=UTC), 2),
    (datetime(2025, 10, 26, 1, 30, tzinfo=UTC), 2),
    (datetime(2025, 10, 26, 2, 0, tzinfo=UTC), 3),
    (datetime(2025, 10, 25, 23, 59, tzinfo=UTC), 1),
    # 30 March 2025, clocks forward at 02:00 CET (01:00 UTC): 00:59 UTC is 01:59, 01:00 UTC 03:00.
    (datetime(2025, 3, 30, 0, 59, tzinfo=UTC), 1),
    (datetime(2025, 3, 30, 1, 0, tzinfo=UTC), 3),
    # Midnight: 00:00 UTC is 01:00 in winter, 02:00 in summer; local midnight is 23:00 / 22:00 UTC.
    (datetime(2025, 1, 15, 0, 0, tzinfo=UTC), 1),
    (datetime(2025, 7, 15, 0, 0, tzinfo=UTC), 2),
    (datetime(2025, 1, 14, 23, 0, tzinfo=UTC), 0),
    (datetime(2025, 7, 14, 22, 0, tzinfo=UTC), 0),
    (datetime(2025, 1, 14, 22, 59, tzinfo=UTC), 23),
    (datetime(2025, 7, 14, 21, 59, tzinfo=UTC), 23),
    # The edges of the night: 06:59 and 07:00 on both change days, 22:59 in winter and summer.
    (datetime(2025, 3, 30, 4, 59, tzinfo=UTC), 6),
    (datetime(2025, 3, 30, 5, 0, tzinfo=UTC), 7),
    (datetime(2025, 10, 26, 5, 59, tzinfo=UTC), 6),
    (datetime(2025, 10, 26, 6, 0, tzinfo=UTC), 7),
    (datetime(2025, 1, 14, 21, 59, tzinfo=UTC), 22),
    (datetime(2025, 7, 14, 20, 59, tzinfo=UTC), 22),
    (datetime(2025, 7, 15, 12, 0, tzinfo=UTC), 14),
]


def new_call(started_at: datetime, channel: str = "116000") -> Call:
    return Call(
        channel=channel, caller_kind="child", topic_kind="out_of_scope", started_at=started_at
    )


def stored_hours() -> list[int]:
    return list(Call.objects.order_by("started_at", "pk").values_list("local_hour", flat=True))


def expected_hours(cases=HOURS) -> list[int]:
    return [hour for _at, hour in sorted(cases, key=lambda case: case[0])]


@pytest.mark.parametrize(("at", "hour"), HOURS)
def test_local_hour_of_is_the_brussels_wall_clock_hour(at, hour):
    assert local_hour_of(at) == hour
    assert at.astimezone(BRUSSELS).hour == hour  # the table itself is right


def test_save_stores_the_local_hour(db):
    for at, _hour in HOURS:
        new_call(at).save()
    assert stored_hours() == expected_hours()


def test_create_stores_the_local_hour(db):
    call = Call.objects.create(
        channel="116000",
        caller_kind="child",
        topic_kind="out_of_scope",
        started_at=datetime(2025, 10, 26, 1, 0, tzinfo=UTC),
    )
    assert call.local_hour == 2
    assert Call.objects.get(pk=call.pk).local_hour == 2


def test_bulk_create_stores_the_local_hour(db):
    Call.objects.bulk_create(new_call(at) for at, _hour in HOURS)  # a generator is fine too
    assert stored_hours() == expected_hours()


def test_saving_a_new_start_moves_the_hour_even_with_update_fields(db):
    call = new_call(datetime(2025, 10, 26, 0, 59, tzinfo=UTC))
    call.save()
    call.started_at = datetime(2025, 10, 26, 2, 0, tzinfo=UTC)
    call.save(update_fields=["started_at"])
    assert Call.objects.get(pk=call.pk).local_hour == 3


def test_bulk_update_of_the_start_moves_the_hour(db):
    call = new_call(datetime(2025, 1, 15, 0, 0, tzinfo=UTC))
    call.save()
    call.started_at = datetime(2025, 1, 14, 22, 59, tzinfo=UTC)
    Call.objects.bulk_update([call], ["started_at"])
    assert Call.objects.get(pk=call.pk).local_hour == 23


def test_update_of_the_start_moves_the_hour(db):
    call = new_call(datetime(2025, 1, 15, 0, 0, tzinfo=UTC))
    call.save()
    Call.objects.filter(pk=call.pk).update(started_at=datetime(2025, 7, 14, 22, 0, tzinfo=UTC))
    assert Call.objects.get(pk=call.pk).local_hour == 0


def test_update_of_the_start_by_an_expression_recomputes_the_hours_it_changed(db):
    # A day back from 23:30 UTC on 30 March (01:30 CEST on the 31st): 23:30 UTC on the 29th is
    # 00:30 CET, an hour earlier in local time. The call not shifted keeps its hour.
    shifted = new_call(datetime(2025, 3, 30, 23, 30, tzinfo=UTC))
    kept = new_call(datetime(2025, 1, 15, 0, 0, tzinfo=UTC))
    Call.objects.bulk_create([shifted, kept])
    assert shifted.local_hour == 1
    count = Call.objects.filter(started_at__gte=datetime(2025, 3, 1, tzinfo=UTC)).update(
        started_at=F("started_at") - timedelta(days=1)
    )
    assert count == 1
    assert Call.objects.get(pk=shifted.pk).local_hour == 0
    assert Call.objects.get(pk=kept.pk).local_hour == 1


def test_the_night_figure_counts_what_the_conversion_per_row_counted(db):
    calls = [new_call(at) for at, _hour in HOURS]
    calls += [new_call(at, "international") for at, _hour in HOURS[:4]]
    calls += [new_call(at, "chat") for at, _hour in HOURS]  # not calls to 116 000
    Call.objects.bulk_create(calls)
    # The computation the stored hour replaces: the hour converted per row by the database.
    converted = (
        Call.objects.on_116000()
        .annotate(hour=ExtractHour("started_at", tzinfo=BRUSSELS))
        .filter(Q(hour__gte=NIGHT_STARTS) | Q(hour__lt=NIGHT_ENDS))
        .count()
    )
    # By hand: of the 21 instants, 16 are at night (hours 23, 0-3 and the two 06:59s), and the
    # first four (all at night) again on the international line.
    assert converted == 20
    assert hotline_calls(2025, 2025)["116000_calls_at_night_23h_to_7h"] == {"2025": 20}
    assert Call.objects.on_116000().at_night().count() == 20
