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
records. The expression uses only the year, month and day of the two dates (ExtractYear/Month/
Day), which Django translates for SQLite and PostgreSQL alike, instead of date arithmetic
("born after last seen minus 13 years"), which each database writes its own way. The age is
`seen year - birth year`, one less when the day of the year of last seen (month * 100 + day)
comes before the birthday's: the rule of `Person.age_on`, so a child born on 29 February turns
13 on 1 March of a common year.
"""

from __future__ import annotations

from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Greatest
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThan, Range

from beacon.figures.engine import local_zone


def age_at_disappearance(prefix: str = "") -> SqlCase:
    """The age at disappearance of a case's child, in whole years (NULL when unknown); `prefix`
    leads from the queried model to the case (e.g. "case__")."""
    zone = local_zone()
    seen = f"{prefix}last_seen_at"
    born = f"{prefix}person__date_of_birth"
    seen_year = ExtractYear(seen, tzinfo=zone)
    seen_day_of_year = ExtractMonth(seen, tzinfo=zone) * 100 + ExtractDay(seen, tzinfo=zone)
    birthday = ExtractMonth(born) * 100 + ExtractDay(born)
    from_birth = (
        seen_year
        - ExtractYear(born)
        - SqlCase(When(LessThan(seen_day_of_year, birthday), then=Value(1)), default=Value(0))
    )
    # Person.age_on takes the year the person was recorded on the local calendar: the same
    # here, so the list and the figure agree.
    recorded_year = ExtractYear(f"{prefix}person__created_at", tzinfo=zone)
    from_estimate = F(f"{prefix}person__estimated_age") + Greatest(
        Value(0), seen_year - recorded_year
    )
    return SqlCase(
        When(Q(**{f"{seen}__isnull": True}), then=Value(None)),
        When(Q(**{f"{born}__isnull": False}), then=from_birth),
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
