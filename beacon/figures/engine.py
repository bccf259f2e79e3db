"""The figures' engine: each figure defined once: which records it counts, which date of theirs places them in
a period, and how they are counted (rows, distinct persons, a share of another figure, a mean, the
total of a field, the median time between two dates).

One definition serves every use, so they cannot drift apart:

- the value for any period (`evaluate`): one aggregate query per source of records over all of
  that source's figures (`COUNT(...) FILTER (WHERE ...)`), computed by the database;
- the value per calendar year (`evaluate_per_year`): the same, grouped by local year;
- the records behind it (`records`): the drill-down list, filtered by the same condition, so its
  length is the figure (for a `Total`: the sum of its field over the list is the figure).

A figure's key is where it sits in the published report's JSON
(shared/reference/published-figures.json), with `case_details` standing for `case_details_<year>`
of the year reported. Its definition is the text of the report's appendix.

Periods are local calendar days, both included (`Period`); a year is 1 January to 31 December in
the organisation's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beacon.core.localtime import local_days_bounds
from beacon.figures.rounding import mean as rounded_mean
from beacon.figures.rounding import median_hours, pct

# A comparison (or report) period may span at most this many years.
MAX_PERIOD_YEARS = 20


class PeriodError(ValueError):
    """A period that is not one (ends before it starts, too long)."""


@dataclass(frozen=True)
class Period:
    """Local calendar days from `first` to `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(_("The period must not end before it starts."))
        if self.last.year - self.first.year >= MAX_PERIOD_YEARS:
            raise PeriodError(
                _("A period may span at most %(years)d years.") % {"years": MAX_PERIOD_YEARS}
            )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The instant the first day starts and the instant the last day ends, local time."""
        return local_days_bounds(self.first, self.last)

    @property
    def is_year(self) -> bool:
        return self.first == date(self.first.year, 1, 1) and self.last == date(
            self.first.year, 12, 31
        )

    def previous(self) -> Period:
        """The period of the same length just before (a year: the year before)."""
        if self.is_year:
            return Period.year(self.first.year - 1)
        last = self.first - timedelta(days=1)
        return Period(last - (self.last - self.first), last)

    def __str__(self) -> str:
        if self.is_year:
            return str(self.first.year)
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def local_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Source:
    """A kind of record and the date that places it in a period (e.g. cases by the moment they
    were opened, calls by the moment they started)."""

    key: str
    label: str | Promise
    queryset: Callable[[], QuerySet]
    date_field: str
    # The permission that lets a user see who the records are about (drill-down rows with names
    # and links); without it a reader of figures sees the records' numbers and dates only.
    detail_permission: str = ""
    # The date field is a calendar day (a DateField), not an instant.
    days: bool = False

    def in_period(self, start: datetime, end: datetime) -> QuerySet:
        low, high = (start.date(), end.date()) if self.days else (start, end)
        return self.queryset().filter(
            **{f"{self.date_field}__gte": low, f"{self.date_field}__lt": high}
        )

    def year_of(self, first: int, last: int):
        """The local calendar year (from `first` to `last`) of the record's date, as a database
        expression. For an instant it compares with the instant each local year ends instead of
        converting every row to local time (on SQLite that conversion is a Python function
        called per row; on PostgreSQL it costs more than the counting). A calendar day is
        compared with each year's next 1 January the same way (extracting its year is a Python
        function per row on SQLite too)."""
        ends = [
            When(**{f"{self.date_field}__lt": self._year_end(year)}, then=Value(year))
            for year in range(first, last + 1)
        ]
        return SqlCase(*ends, default=Value(last + 1), output_field=IntegerField())

    def _year_end(self, year: int) -> date | datetime:
        return date(year + 1, 1, 1) if self.days else Period.year(year).bounds[1]


# A condition on a source's records: a Q, or a function of the period's bounds returning one
# (for conditions that look at other records of the same period, e.g. repeat episodes).
Condition = Q | Callable[[datetime, datetime], Q]


def _resolve(where: Condition, start: datetime, end: datetime) -> Q:
    return where(start, end) if callable(where) else where


@dataclass(frozen=True)
class Figure:
    """A number of records of `source` in a period matching `where` (rows, or distinct values of
    `distinct`)."""

    key: str
    label: str | Promise
    definition: Promise
    source: Source
    where: Condition = field(default_factory=Q)
    distinct: str = ""

    kind = "count"

    def condition(self, start: datetime, end: datetime) -> Q:
        return _resolve(self.where, start, end)

    def expression(self, start: datetime, end: datetime) -> Count:
        condition = self.condition(start, end)
        target = self.distinct or "pk"
        if not condition:
            return Count(target, distinct=bool(self.distinct))
        return Count(target, distinct=bool(self.distinct), filter=condition)

    def needs(self) -> tuple[Figure | Total, ...]:
        return (self,)

    @property
    def per_year(self) -> bool:
        """Whether the figure can be counted per year in one grouped query (its condition does
        not depend on the period)."""
        return not callable(self.where)

    def records(self, start: datetime, end: datetime) -> QuerySet:
        return self.source.in_period(start, end).filter(self.condition(start, end))

    def value_from(self, counts: dict[str, Any]) -> int:
        return counts[self.key] or 0


@dataclass(frozen=True)
class Total:
    """The sum of `field_name` over the records of `source` in a period matching `where` (0 when
    none), e.g. the images of the scan batches received: the drill-down lists the records, and
    the sum of their field is the figure (`drill_down_total`)."""

    key: str
    label: str | Promise
    definition: Promise
    source: Source
    field_name: str
    where: Condition = field(default_factory=Q)

    kind = "total"

    def condition(self, start: datetime, end: datetime) -> Q:
        return _resolve(self.where, start, end)

    def expression(self, start: datetime, end: datetime) -> Sum:
        condition = self.condition(start, end)
        if not condition:
            return Sum(self.field_name)
        return Sum(self.field_name, filter=condition)

    def needs(self) -> tuple[Figure | Total, ...]:
        return (self,)

    per_year = property(lambda self: not callable(self.where))

    def records(self, start: datetime, end: datetime) -> QuerySet:
        return self.source.in_period(start, end).filter(self.condition(start, end))

    def value_from(self, counts: dict[str, Any]) -> int:
        return counts[self.key] or 0


@dataclass(frozen=True)
class Share:
    """`part` as a percentage of `whole`, one decimal rounded half up (0.0 when `whole` is 0)."""

    key: str
    label: str | Promise
    definition: Promise
    part: Figure
    whole: Figure

    kind = "share"

    @property
    def source(self) -> Source:
        return self.part.source

    def needs(self) -> tuple[Figure | Total, ...]:
        return (self.part, self.whole)

    per_year = property(lambda self: self.part.per_year and self.whole.per_year)

    def records(self, start: datetime, end: datetime) -> QuerySet:
        return self.part.records(start, end)

    def value_from(self, counts: dict[str, Any]) -> float:
        return pct(counts[self.part.key] or 0, counts[self.whole.key] or 0)


class _OverFigure:
    """A statistic over the records another figure (`of`) counts: same source, same records,
    grouped by year when that figure is."""

    of: Figure

    @property
    def source(self) -> Source:
        return self.of.source

    def needs(self) -> tuple[Figure | Total, ...]:
        return (self.of,)

    @property
    def per_year(self) -> bool:
        return self.of.per_year


@dataclass(frozen=True)
class Mean(_OverFigure):
    """The mean of `field` over the records of `of` that have it, one decimal rounded half up
    (None when none has it)."""

    key: str
    label: str | Promise
    definition: Promise
    of: Figure
    field_name: str

    kind = "mean"

    def expressions(self, start: datetime, end: datetime) -> dict[str, Any]:
        known = self.of.condition(start, end) & Q(**{f"{self.field_name}__isnull": False})
        return {
            f"{self.key}:sum": Sum(self.field_name, filter=known),
            f"{self.key}:n": Count("pk", filter=known),
        }

    def records(self, start: datetime, end: datetime) -> QuerySet:
        return self.of.records(start, end).filter(**{f"{self.field_name}__isnull": False})

    def value_from(self, counts: dict[str, Any]) -> float | None:
        return rounded_mean(counts[f"{self.key}:sum"], counts[f"{self.key}:n"])


@dataclass(frozen=True)
class Median(_OverFigure):
    """The median time in hours from `from_field` to `to_field` over the records of `of`, one
    decimal rounded half up (None when there is none). Computed in Python over the rows of one
    query (the database has no portable median)."""

    key: str
    label: str | Promise
    definition: Promise
    of: Figure
    from_field: str
    to_field: str

    kind = "median"

    def records(self, start: datetime, end: datetime) -> QuerySet:
        return self.of.records(start, end)

    def durations(self, records: QuerySet, *extra: str) -> list[tuple]:
        """(`extra` values..., the time from `from_field` to `to_field`) of each record."""
        rows = records.values_list(*extra, self.from_field, self.to_field)
        return [(*row[:-2], row[-1] - row[-2]) for row in rows]

    def value_from(self, counts: dict[str, Any]) -> float | None:
        return median_hours(counts.get(f"{self.key}:durations") or [])


AnyFigure = Figure | Share | Mean | Total | Median


def _expressions(figures: Iterable[AnyFigure], start: datetime, end: datetime):
    """The aggregate expressions of `figures`, grouped by source key."""
    by_source: dict[str, tuple[Source, dict[str, Any]]] = {}
    for figure in figures:
        for needed in figure.needs():
            source, expressions = by_source.setdefault(needed.source.key, (needed.source, {}))
            expressions[needed.key] = needed.expression(start, end)
        if isinstance(figure, Mean):
            by_source[figure.source.key][1].update(figure.expressions(start, end))
    return by_source.values()


def evaluate(figures: Iterable[AnyFigure], period: Period) -> dict[str, Any]:
    """The value of each figure over `period`: one aggregate query per source (and one per
    median)."""
    return evaluate_between(figures, *period.bounds)


def evaluate_between(
    figures: Iterable[AnyFigure], start: datetime, end: datetime
) -> dict[str, Any]:
    """`evaluate` over the instants [start, end) (for callers holding bounds, not days)."""
    figures = list(figures)
    counts: dict[str, Any] = {}
    for source, expressions in _expressions(figures, start, end):
        counts.update(source.in_period(start, end).aggregate(**expressions))
    for figure in figures:
        if isinstance(figure, Median):
            durations = figure.durations(figure.records(start, end))
            counts[f"{figure.key}:durations"] = [took for (took,) in durations]
    return {figure.key: figure.value_from(counts) for figure in figures}


def evaluate_per_year(figures: Iterable[AnyFigure], first: int, last: int) -> dict[str, dict]:
    """The value of each figure for every calendar year from `first` to `last`:
    `{key: {"2024": value, ...}}`; one query per source, grouped by local year."""
    figures = list(figures)
    for figure in figures:
        if not figure.per_year:
            raise ValueError(f"{figure.key} depends on its period: evaluate it year by year")
    start, _end = Period.year(first).bounds
    _start, end = Period.year(last).bounds
    per_year: dict[int, dict[str, Any]] = {}
    for source, expressions in _expressions(figures, start, end):
        rows = (
            source.in_period(start, end)
            .annotate(figure_year=source.year_of(first, last))
            .values("figure_year")
            .annotate(**expressions)
            .order_by()
        )
        for row in rows:
            per_year.setdefault(row.pop("figure_year"), {}).update(row)
    for figure in figures:
        if isinstance(figure, Median):
            records = figure.records(start, end).annotate(
                figure_year=figure.source.year_of(first, last)
            )
            for year, took in figure.durations(records, "figure_year"):
                counts = per_year.setdefault(year, {})
                counts.setdefault(f"{figure.key}:durations", []).append(took)
    result: dict[str, dict] = {}
    for figure in figures:
        values = result.setdefault(figure.key, {})
        for year in range(first, last + 1):
            counts = per_year.get(year, {})
            # A year may have records of one source and none of another.
            present = all(needed.key in counts for needed in figure.needs())
            values[str(year)] = figure.value_from(counts) if present else _empty(figure)
    return result


def _empty(figure: AnyFigure):
    return {"count": 0, "share": 0.0, "mean": None, "total": 0, "median": None}[figure.kind]


def drill_down_count(figure: AnyFigure, period: Period) -> int:
    """How many entries the figure's drill-down lists: records, or distinct values of the
    figure's `distinct` field (e.g. children). For a `Total`, the records summed (their sum is
    `drill_down_total`)."""
    start, end = period.bounds
    records = figure.records(start, end)
    counted = figure.part if isinstance(figure, Share) else figure
    if isinstance(counted, Figure) and counted.distinct:
        return records.values(counted.distinct).distinct().count()
    return records.count()


def drill_down_total(figure: Total, period: Period) -> int:
    """The sum of a `Total`'s field over the records its drill-down lists: the figure, added up
    from the list (a record without the field adds nothing)."""
    start, end = period.bounds
    return sum(
        value or 0 for value in figure.records(start, end).values_list(figure.field_name, flat=True)
    )


# --- conditions used by several figures --------------------------------------------------------


def other_case_in_period(condition: Q) -> Callable[[datetime, datetime], Q]:
    """The record's person has another case matching `condition` opened in the same period
    (a repeat episode)."""
    from beacon.cases.models import Case

    def where(start: datetime, end: datetime) -> Q:
        others = (
            Case.objects.filter(condition, person=OuterRef("person"))
            .filter(opened_at__gte=start, opened_at__lt=end)
            .exclude(pk=OuterRef("pk"))
        )
        return condition & Q(Exists(others))

    return where
