"""How every share, mean, median and growth of the figures is rounded: one decimal, half up, from the exact
value (not from a float), so 60.95 is 61.0. The annual reports print whole numbers rounded half up,
so a published 61% is any computed value from 60.5 to 61.4."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

ONE_DECIMAL = Decimal("0.1")


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(ONE_DECIMAL, ROUND_HALF_UP))


def pct(part: int, whole: int) -> float:
    """`part` as a percentage of `whole` (0.0 when `whole` is 0)."""
    if not whole:
        return 0.0
    return one_decimal(Decimal(100 * part) / Decimal(whole))


def mean(total: int | None, count: int) -> float | None:
    """`total / count` (None when `count` is 0)."""
    if not count:
        return None
    return one_decimal(Decimal(total or 0) / Decimal(count))


def median_hours(durations: list[timedelta]) -> float | None:
    """Median of `durations` in hours, one decimal half up (None without any)."""
    if not durations:
        return None
    return one_decimal(Decimal(median(d.total_seconds() for d in durations)) / Decimal(3600))


# What a growth against nothing is: a figure that was 0 and no longer is has no percentage.
NEW = "new"


def growth(current: int | float, previous: int | float) -> float | str:
    """The change from `previous` to `current` as a percentage of `previous`, one decimal rounded
    half up like every share (+17.0, -3.5); `NEW` when `previous` is 0 and `current` is not, 0.0
    when both are 0. The same function gives every growth of the page, the exports and the
    report."""
    if not previous:
        return NEW if current else 0.0
    return one_decimal(
        (Decimal(str(current)) - Decimal(str(previous))) * 100 / Decimal(str(previous))
    )


def difference(current: float | None, previous: float | None) -> float | None:
    """The change of a share (in percentage points: 55.0 % -> 57.5 % is +2.5) or of a mean (in
    its own unit: a mean age of 14.0 -> 14.5 is +0.5), one decimal rounded half up; None when
    either value is missing (a mean of no records). A share's growth as a percentage of a
    percentage would read as nonsense (0 % -> 66.7 % is no "new")."""
    if current is None or previous is None:
        return None
    return one_decimal(Decimal(str(current)) - Decimal(str(previous)))
