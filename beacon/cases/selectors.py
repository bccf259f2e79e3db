"""Reads of case files that have rules: permission-filtered, audited, keyset-paginated."""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from beacon.cases.choices import Mission
from beacon.cases.models import MISSION_VIEW_PERMISSION, Assessment, Case, TimelineEntry
from beacon.core.audit import audit, audit_view
from beacon.core.models import AuditAction
from beacon.people.models import Person, normalise_name

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass
class CaseFilters:
    """The case list's filters; empty values filter nothing."""

    category: str = ""
    status: str = ""
    worrying: bool | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    assigned_to: int | None = None
    region: str = ""
    q: str = ""
    mission: str = ""


@dataclass
class CasePage:
    items: list[Case]
    next_cursor: str | None
    filters: CaseFilters = field(default_factory=CaseFilters)
    # The items the user may open; the others are restricted exploitation cases, listed so the
    # user knows they exist but shown without who they are about.
    openable: set[int] = field(default_factory=set)


def encode_cursor(case: Case) -> str:
    raw = f"{case.opened_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """A cursor from the client; None when it is not one of ours (then the first page is shown)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        opened, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        when = parse_datetime(opened)
        if when is None or timezone.is_naive(when):
            return None
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Up to this many persons matching a name, the list reads their cases through the person index
# and sorts them; beyond, it walks the newest-first index. The person path costs about 3 ms per
# thousand cases (first30: 11,000 persons, 12,000 cases, ~45 ms at 1 M cases) whatever their
# age; the walk is faster when matches are common and recent, but reads most of the index when
# they are few or all years old (first30 by walk: ~450 ms). 20,000 bounds the person path's worst.
NAME_MATCH_LIST_LIMIT = 20000

# ORDER BY this instead of opened_at when the cases are already narrowed to a few persons: the
# expression has the same value, but no index yields it in order, so PostgreSQL reads the few
# cases through the person index and sorts them, instead of walking the newest-first index
# probing each row. That walk, which it prefers because it assumes matches are spread evenly
# in time, took 450 ms at 1 M cases for ~1,100 persons whose cases were all years old
# (benchmarks/case_list.py, "first301"); read through the person index the page takes ~20 ms.
# PostgreSQL only: SQLite has no such planner choice and computes the sum as text.
_OPENED_AT_UNINDEXED = ExpressionWrapper(
    F("opened_at") + timedelta(0), output_field=DateTimeField()
)


class _AnyOf(Func):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL). The server builds the array, so no ids
    travel through Python (13 ms for 11,000), and reads the column's index once for all of them
    in order: 12-22 ms for the cases of 11,000 persons where `IN (subquery)` took 22-38 ms, or
    hashed the persons and scanned every case in parallel (300 ms on 2 cores)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


def _people_named(query: str) -> QuerySet[Person] | None:
    """The persons whose name starts with the query when there are at most
    NAME_MATCH_LIST_LIMIT of them (the usual case); None for a broader prefix."""
    name = normalise_name(query)
    limit = NAME_MATCH_LIST_LIMIT
    # Counted per column, each through its own index alone and only up to the limit: a count
    # of the OR first builds a bitmap of every match (~30 ms for a prefix matching 12% of
    # persons); these two take a few ms. A person matching both counts twice, which only
    # errs towards the walk.
    by_last = Person.objects.filter(search_name__startswith=name)[: limit + 1].count()
    by_first = Person.objects.filter(search_name_reversed__startswith=name)[: limit + 1].count()
    if by_last + by_first > limit:
        return None
    return Person.objects.filter(
        Q(search_name__startswith=name) | Q(search_name_reversed__startswith=name)
    )


def _filtered_cases(*, user, filters: CaseFilters) -> tuple[QuerySet[Case], bool]:
    """The cases the user may know of, filtered, newest first; and whether a name narrowed them
    to a few persons' cases (then a page is best sorted on the keys alone, see case_list).
    A search by name looks only among the cases the user may open: a restricted case must not
    answer the question "is there an exploitation case about this child?"."""
    query = filters.q.strip()
    by_name = bool(query) and not (any(ch.isdigit() for ch in query) and "-" in query)
    cases = Case.objects.visible_to(user) if by_name else Case.objects.known_to(user)
    newest_first: tuple[str | OrderBy, ...] = ("-opened_at", "-id")
    narrowed = False
    if filters.mission:
        cases = cases.filter(mission=filters.mission)
    if filters.category:
        cases = cases.filter(category__key=filters.category)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.worrying is not None:
        cases = cases.filter(worrying=filters.worrying)
    if filters.opened_from:
        cases = cases.filter(opened_at__gte=_day_start(filters.opened_from))
    if filters.opened_to:
        cases = cases.filter(opened_at__lt=_day_start(filters.opened_to + timedelta(days=1)))
    if filters.assigned_to:
        cases = cases.filter(assigned_to_id=filters.assigned_to)
    if filters.region:
        cases = cases.filter(region__code=filters.region)
    if query:
        if any(ch.isdigit() for ch in query) and "-" in query:
            cases = cases.filter(number__iexact=query)
        else:
            people = _people_named(query)
            if people is None:
                # A broad prefix: the newest-first walk joins each case to its person and
                # finds a page of matches after a few hundred rows (building a hash of all
                # the matching persons first: 44 -> 24 ms median for a prefix matching 12%).
                name = normalise_name(query)
                cases = cases.filter(
                    Q(person__search_name__startswith=name)
                    | Q(person__search_name_reversed__startswith=name)
                )
            elif connection.vendor == "postgresql":
                cases = cases.filter(_AnyOf(F("person_id"), Subquery(people.values("pk"))))
                newest_first = (_OPENED_AT_UNINDEXED.desc(), "-id")
                narrowed = True
            else:
                cases = cases.filter(person__in=people.values("pk"))
                narrowed = True
    return cases.order_by(*newest_first), narrowed


def case_queryset(*, user, filters: CaseFilters) -> QuerySet[Case]:
    """The cases the user may see, filtered; newest first."""
    return _filtered_cases(user=user, filters=filters)[0]


def can_read_cases(user) -> bool:
    """Whether the user's role reads case files of any mission at all."""
    return user.is_authenticated and any(user.has_perm(p) for p in MISSION_VIEW_PERMISSION.values())


def case_list(
    *, user, filters: CaseFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> CasePage:
    """One page of the case list. Keyset pagination: a page costs the same at any depth, and no
    COUNT(*) over a million rows is needed."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    related = ("category", "subkind", "person", "region", "assigned_to")
    cases, narrowed = _filtered_cases(user=user, filters=filters)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        opened, pk = position
        cases = cases.filter(Q(opened_at__lt=opened) | Q(opened_at=opened, id__lt=pk))
    if narrowed:
        # Sort the matching cases' keys alone, then join the page's rows: joining and sorting
        # all 12,000 cases of the persons named "first30…" for one page took twice as long.
        page_ids = list(cases.values_list("pk", flat=True)[: page_size + 1])
        cases = Case.objects.filter(pk__in=page_ids).order_by("-opened_at", "-id")
    items = list(cases.select_related(*related)[: page_size + 1])
    next_cursor = encode_cursor(items[page_size - 1]) if len(items) > page_size else None
    items = items[:page_size]
    return CasePage(
        items=items,
        next_cursor=next_cursor,
        filters=filters,
        openable=_openable(user, items),
    )


def _openable(user, cases: list[Case]) -> set[int]:
    restricted = [c.pk for c in cases if c.mission == Mission.EXPLOITATION]
    openable = {c.pk for c in cases if c.mission != Mission.EXPLOITATION}
    if restricted:
        openable |= Case.objects.openable_ids(user, restricted)
    return openable


def case_get(
    *, user, pk: int | None = None, number: str | None = None, audited: bool = True
) -> Case:
    """One case the user may see (Case.DoesNotExist otherwise, so existence does not leak).
    The read is audited; `audited=False` only where a service call that audits itself follows."""
    cases = Case.objects.visible_to(user).select_related(
        "category", "subkind", "person", "region", "assigned_to", "created_by"
    )
    case = cases.get(pk=pk) if pk is not None else cases.get(number=number)
    if audited:
        audit_view(actor=user, obj=case)
    return case


def case_assessments(*, case: Case) -> list[Assessment]:
    """The case's assessment history, newest first (the caller has read the case)."""
    return list(case.assessments.select_related("assessed_by"))


def case_timeline(*, case: Case, limit: int = 200) -> list[TimelineEntry]:
    return list(case.timeline.select_related("author")[:limit])


@dataclass
class Episodes:
    """A person's cases the user may open, and what the disappearances add up to."""

    cases: list[Case]
    count: int
    total_missing: timedelta | None
    longest: timedelta | None
    exploitation: list[Case] = field(default_factory=list)


def person_get(*, user, pk: int, audited: bool = True) -> Person:
    """One person the user may see; the read is audited."""
    person = Person.objects.visible_to(user).get(pk=pk)
    if audited:
        audit(actor=user, action=AuditAction.VIEW, obj=person)
    return person


def person_episodes(*, user, person: Person) -> Episodes:
    """The person's disappearances (episodes) the user may open, newest first, with how many
    and how long; and, apart, the exploitation cases the user may open (never one they may not:
    next to the person's name it would say who it is about)."""
    cases = list(
        Case.objects.visible_to(user)
        .filter(person=person)
        .select_related("category", "subkind")
        .order_by("-opened_at", "-id")
    )
    episodes = [c for c in cases if c.mission == Mission.MISSING]
    durations = [c.missing_for for c in episodes if c.missing_for is not None]
    return Episodes(
        cases=episodes,
        count=len(episodes),
        total_missing=sum(durations, timedelta()) if durations else None,
        longest=max(durations) if durations else None,
        exploitation=[c for c in cases if c.mission == Mission.EXPLOITATION],
    )


def person_search(*, user, q: str, limit: int = 10) -> list[Person]:
    """Persons whose name starts with the query, for finding an earlier episode's child."""
    name = normalise_name(q)
    if len(name) < 2:
        return []
    people = Person.objects.visible_to(user).filter(
        Q(search_name__startswith=name) | Q(search_name_reversed__startswith=name)
    )
    return list(
        # Episodes are disappearances: an exploitation case of the person is not hinted at here.
        people.annotate(
            episodes=Count("cases", filter=Q(cases__mission=Mission.MISSING)),
            last_episode=Max("cases__opened_at", filter=Q(cases__mission=Mission.MISSING)),
            first_episode=Min("cases__opened_at", filter=Q(cases__mission=Mission.MISSING)),
        ).order_by("search_name")[:limit]
    )
