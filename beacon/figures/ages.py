"""A missing child's age at disappearance as a database expression, for the figures' conditions
("runaways aged 13 to 15", "unaccompanied minors under 16").

The age is the one `Case.age_at_disappearance` shows: whole years on the local calendar day of
`last_seen_at` (the organisation's time zone), from the person's date of birth, else from their
estimated age (which ages by calendar years since the person was recorded, as `Person.age_on`
says); unknown (NULL) without a last-seen moment or either of them.

Why an expression and not a stored column: a stored age would have to be rewritten whenever a
date of birth is corrected, an estimate is entered, a last-seen moment is changed or two person
records are merged, including by bulk updates and the demo's bulk load, and a missed path would
silently change a published figure. Computed in the query, the figure always agrees with the
records. Each of the two days becomes the whole number YYYYMMDD (`DayNumber`) and the age is
their difference divided by 10000, rounded down: `seen year - birth year`, one less when the day
of the year of last seen (month * 100 + day) comes before the birthday's, the rule of
`Person.age_on`, so a child born on 29 February turns 13 on 1 March of a common year. Compared
with extracting the year, month and day of both dates, SQLite calls one Python function per row
instead of six (its time-zone conversions are Python functions).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models import Case as SqlCase
from django.db.models import F, Func, IntegerField, Q, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThan, Range

from beacon.figures.engine import local_zone


class DayNumber(Func):
    """A date as the whole number YYYYMMDD (1 March 2025 is 20250301): whole years between two
    days are then one subtraction and one division, the birthday rule included (the day of the
    year, month * 100 + day, never reaches 10000)."""

    arity = 1
    output_field = IntegerField()
    template = "CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps a date as the text YYYY-MM-DD: built-in string functions, no Python call.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)",
            **extra_context,
        )


class LocalDayNumber(Func):
    """The organisation's local calendar day of a moment, as the whole number YYYYMMDD.

    PostgreSQL converts it itself (AT TIME ZONE, TO_CHAR). SQLite has no time zones, so it calls
    `beacon_local_day` (registered on every SQLite connection by `register_sqlite_functions`):
    a Python function, but one that parses with `datetime.fromisoformat` and remembers the days
    of the last minutes it converted, where Django's own conversion (TruncDate) parses and
    converts again for each age band of the same row."""

    arity = 1
    output_field = IntegerField()

    def __init__(self, expression, zone: ZoneInfo, **extra):
        super().__init__(expression, **extra)
        self.zone = zone

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CAST(TO_CHAR(({sql}) AT TIME ZONE %s, 'YYYYMMDD') AS INTEGER)",
            (*params, self.zone.key),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"beacon_local_day({sql}, %s)", (*params, self.zone.key)


@lru_cache(maxsize=4096)
def _local_day_of_minute(minute: str, zone: str) -> int:
    moment = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return moment.year * 10000 + moment.month * 100 + moment.day


def _local_day(value: str | None, zone: str) -> int | None:
    # Django keeps an aware moment in SQLite as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]"; a time
    # zone's offset is whole minutes, so the minute decides the local day.
    return None if value is None else _local_day_of_minute(value[:16], zone)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the SQL functions the figures need on SQLite."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("beacon_local_day", 2, _local_day, deterministic=True)


# Whole years are floor((later - earlier) / 10000). SQL's integer division truncates towards zero,
# so a shift of 200 years keeps every difference positive before dividing (a birth date after
# the last-seen day gives a negative age, as `Person.age_on` does, not zero).
_SHIFT = 200


def _whole_years(later: Func, earlier: Func) -> CombinedExpression:
    return (later - earlier + Value(_SHIFT * 10000)) / Value(10000) - Value(_SHIFT)


def age_at_disappearance(prefix: str = "") -> SqlCase:
    """The age at disappearance of a case's child, in whole years (NULL when unknown); `prefix`
    leads from the queried model to the case (e.g. "case__").

    On SQLite the local day of the last-seen moment is the only Python function called per row
    (a date of birth) or two (an estimated age, with the day the person was recorded); a child
    of unknown age calls none."""
    zone = local_zone()
    seen = f"{prefix}last_seen_at"
    born = f"{prefix}person__date_of_birth"
    estimated = f"{prefix}person__estimated_age"
    seen_day = LocalDayNumber(F(seen), zone)
    from_birth = _whole_years(seen_day, DayNumber(F(born)))
    # Person.age_on takes the year the person was recorded on the local calendar: the same
    # here, so the list and the figure agree.
    recorded_year = LocalDayNumber(F(f"{prefix}person__created_at"), zone) / Value(10000)
    from_estimate = F(estimated) + Greatest(Value(0), seen_day / Value(10000) - recorded_year)
    return SqlCase(
        When(Q(**{f"{seen}__isnull": True}), then=Value(None)),
        When(Q(**{f"{born}__isnull": False}), then=from_birth),
        When(Q(**{f"{estimated}__isnull": True}), then=Value(None)),
        default=from_estimate,
        output_field=IntegerField(),
    )


def aged(low: int | None = None, high: int | None = None, prefix: str = "") -> Q:
    """The child was `low` or older and younger than `high` at disappearance (either bound may be
    left open). A child whose age is unknown matches no band."""
    age = age_at_disappearance(prefix)
    if low is not None and high is not None:
        # BETWEEN, not two comparisons: SQLite computes the age once (its date functions are
        # Python functions called per row).
        return Q(Range(age, (low, high - 1)))
    if low is not None:
        return Q(GreaterThanOrEqual(age, low))
    if high is not None:
        return Q(LessThan(age, high))
    return Q(IsNull(age, False))


def age_unknown(prefix: str = "") -> Q:
    """Neither a date of birth nor an estimated age, or no last-seen moment."""
    return Q(IsNull(age_at_disappearance(prefix), True))
