"""Reads of the line log: the board, the list, one call, the cases a call may concern.
Permission-checked; the board is counted by the database."""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from beacon.cases.models import Case
from beacon.cases.selectors import CaseFilters, can_read_cases, case_list
from beacon.core.localtime import local_days_bounds
from beacon.core.permissions import require
from beacon.line.models import CHANNELS_116000, Call

PAGE_SIZE = 50
# The board lists this many open calls and callbacks due (its counts are not capped).
BOARD_LIST = 50
CASE_SEARCH_LIMIT = 10


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a local calendar day starts and ends (23 or 25 hours on DST days)."""
    return local_days_bounds(day)


@dataclass
class Board:
    """The line at a glance: what is going on now and how today (the local day) went."""

    open_count: int
    calls_today: int
    calls_116000_today: int  # of which to the emergency number (Call.objects.on_116000())
    night_today: int
    per_hour: list[tuple[int, int]]  # (local hour 0-23, calls that started in it), today
    callbacks_due_count: int
    flagged_tips: int
    open_calls: list[Call] = field(default_factory=list)  # the oldest BOARD_LIST
    callbacks_due: list[Call] = field(default_factory=list)  # the most overdue BOARD_LIST
    busiest: int = 0


def board(*, user, now: datetime | None = None) -> Board:
    """Five queries whatever the traffic: one aggregate of the counts, the night count, calls per
    local hour (grouped), and the two short lists."""
    require(user, "line.view_call")
    now = now or timezone.now()
    start, end = local_day_bounds(timezone.localtime(now).date())
    today = Q(started_at__gte=start, started_at__lt=end)
    due = Q(callback_due_at__lte=now, callback_done_at__isnull=True)
    totals = Call.objects.aggregate(
        calls_today=Count("id", filter=today),
        calls_116000_today=Count("id", filter=today & Q(channel__in=CHANNELS_116000)),
        open_count=Count("id", filter=Q(ended_at__isnull=True)),
        callbacks_due=Count("id", filter=due),
        flagged=Count("id", filter=Q(flagged=True, flag_acknowledged_at__isnull=True)),
    )
    todays = Call.objects.filter(today)
    night = todays.at_night().count()
    hours = dict(
        todays.with_local_hour()
        .order_by()
        .values("local_hour")
        .annotate(n=Count("id"))
        .values_list("local_hour", "n")
    )
    per_hour = [(hour, hours.get(hour, 0)) for hour in range(24)]
    open_calls = list(
        Call.objects.filter(ended_at__isnull=True)
        .select_related("taken_by", "case", "topic_category")
        .order_by("started_at", "id")[:BOARD_LIST]
    )
    callbacks = list(
        Call.objects.filter(due)
        .select_related("case")
        .order_by("callback_due_at", "id")[:BOARD_LIST]
    )
    return Board(
        open_count=totals["open_count"],
        calls_today=totals["calls_today"],
        calls_116000_today=totals["calls_116000_today"],
        night_today=night,
        per_hour=per_hour,
        callbacks_due_count=totals["callbacks_due"],
        flagged_tips=totals["flagged"],
        open_calls=open_calls,
        callbacks_due=callbacks,
        busiest=max(n for _hour, n in per_hour),
    )


@dataclass
class CallFilters:
    """The call list's filters; empty values filter nothing."""

    channel: str = ""
    day: date | None = None  # the local calendar day the call started
    taken_by: int | None = None  # user id
    open_only: bool = False


@dataclass
class CallPage:
    items: list[Call]
    next_cursor: str | None


def encode_cursor(call: Call) -> str:
    raw = f"{call.started_at.isoformat()}|{call.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """A cursor from the client; None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        started, pk = raw.split("|")
        moment = parse_datetime(started)
        if moment is None or timezone.is_naive(moment):
            return None
        return moment, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def call_list(
    *, user, filters: CallFilters | None = None, cursor: str = "", page_size: int = PAGE_SIZE
) -> CallPage:
    """Newest first, keyset-paginated on (started_at, id): a page costs the same at any depth."""
    require(user, "line.view_call")
    filters = filters or CallFilters()
    calls: QuerySet[Call] = Call.objects.select_related("taken_by", "case", "topic_category")
    if filters.channel:
        calls = calls.filter(channel=filters.channel)
    if filters.day is not None:
        start, end = local_day_bounds(filters.day)
        calls = calls.filter(started_at__gte=start, started_at__lt=end)
    if filters.taken_by is not None:
        calls = calls.filter(taken_by_id=filters.taken_by)
    if filters.open_only:
        calls = calls.filter(ended_at__isnull=True)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        started, pk = position
        calls = calls.filter(Q(started_at__lt=started) | Q(started_at=started, id__lt=pk))
    items = list(calls.order_by("-started_at", "-id")[: page_size + 1])
    next_cursor = encode_cursor(items[page_size - 1]) if len(items) > page_size else None
    return CallPage(items=items[:page_size], next_cursor=next_cursor)


def call_get(*, user, pk: int) -> Call:
    """One call (Call.DoesNotExist when there is none)."""
    require(user, "line.view_call")
    return Call.objects.select_related("taken_by", "case", "topic_category").get(pk=pk)


def calls_of_case(*, case: Case, user=None) -> list[Call]:
    """The calls about a case, unread flagged tips first, then newest first. Empty for a user
    who does not read the line (`user=None`: the caller checked). The caller has opened the case."""
    if user is not None and not user.has_perm("line.view_call"):
        return []
    unread = Choose(
        When(flagged=True, flag_acknowledged_at__isnull=True, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        Call.objects.filter(case=case)
        .select_related("taken_by", "flag_acknowledged_by")
        .order_by(unread, "-started_at", "-id")
    )


def cases_to_link(*, user, q: str) -> list[Case]:
    """The cases a call may be linked to: found by number or by the start of the person's name
    with the case list's own search, and only those the user may open."""
    q = q.strip()
    if len(q) < 2 or not can_read_cases(user):
        return []
    page = case_list(user=user, filters=CaseFilters(q=q), page_size=CASE_SEARCH_LIMIT)
    return [case for case in page.items if case.pk in page.openable]
