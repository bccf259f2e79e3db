"""Reads of the line log: the board, the list, one call. Permission-checked."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from beacon.core.permissions import require
from beacon.line.models import Call

PAGE_SIZE = 50


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a local calendar day starts and ends (23 or 25 hours on DST days)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


@dataclass
class Board:
    """The line at a glance: what is going on now and how today went."""

    open_calls: list[Call]
    calls_today: int
    night_today: int
    per_hour: list[tuple[int, int]]  # (local hour 0-23, calls that started in it), today
    callbacks_due: list[Call]
    flagged_tips: int
    busiest: int = field(default=0)


def board(*, user, now: datetime | None = None) -> Board:
    """Counted by the database: one aggregate and one grouped query for today, two short lists."""
    require(user, "line.view_call")
    now = now or timezone.now()
    start, end = local_day_bounds(timezone.localtime(now).date())
    today = Call.objects.filter(started_at__gte=start, started_at__lt=end)
    totals = today.aggregate(calls=Count("id"))
    night = today.at_night().count()
    hours = dict(
        today.with_local_hour()
        .values_list("local_hour")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("local_hour", "n")
    )
    per_hour = [(hour, hours.get(hour, 0)) for hour in range(24)]
    open_calls = list(
        Call.objects.filter(ended_at__isnull=True)
        .select_related("taken_by", "case", "topic_category")
        .order_by("started_at")[:50]
    )
    due = list(
        Call.objects.filter(callback_due_at__lte=now, callback_done_at__isnull=True)
        .select_related("taken_by", "case")
        .order_by("callback_due_at")[:50]
    )
    flagged = Call.objects.filter(flagged=True, flag_acknowledged_at__isnull=True).count()
    return Board(
        open_calls=open_calls,
        calls_today=totals["calls"],
        night_today=night,
        per_hour=per_hour,
        callbacks_due=due,
        flagged_tips=flagged,
        busiest=max((n for _h, n in per_hour), default=0),
    )


def call_list(
    *, user, before: tuple[datetime, int] | None = None, channel: str = "", open_only: bool = False
) -> list[Call]:
    """Newest first, keyset-paginated on (started_at, id)."""
    require(user, "line.view_call")
    calls: QuerySet[Call] = Call.objects.select_related("taken_by", "case", "topic_category")
    if channel:
        calls = calls.filter(channel=channel)
    if open_only:
        calls = calls.filter(ended_at__isnull=True)
    if before is not None:
        started, pk = before
        calls = calls.filter(Q(started_at__lt=started) | Q(started_at=started, id__lt=pk))
    return list(calls.order_by("-started_at", "-id")[: PAGE_SIZE + 1])


def call_get(*, user, pk: int) -> Call:
    require(user, "line.view_call")
    return Call.objects.select_related("taken_by", "case", "topic_category").get(pk=pk)


def calls_of_case(*, case) -> list[Call]:
    """The calls about a case (the caller has opened the case), flagged unread tips first."""
    return sorted(
        case.calls.select_related("taken_by", "flag_acknowledged_by"),
        key=lambda c: (
            not (c.flagged and c.flag_acknowledged_at is None),
            -c.started_at.timestamp(),
        ),
    )
