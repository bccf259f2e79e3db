"""The rounding rule of every share, mean, growth and difference (beacon.figures.rounding)."""

from datetime import timedelta

import pytest

from beacon.figures.rounding import NEW, difference, growth, mean, median_hours, pct


@pytest.mark.parametrize(
    "part, whole, expected",
    [(1, 3, 33.3), (2, 3, 66.7), (1219, 2000, 61.0), (0, 0, 0.0), (5, 5, 100.0), (1, 8, 12.5)],
)
def test_a_share_has_one_decimal_rounded_half_up_from_the_exact_fraction(part, whole, expected):
    # 1219/2000 = 60.95 %: half up gives 61.0 (a float would give 60.9); 1/8 = 12.5 exactly.
    assert pct(part, whole) == expected


def test_a_mean_of_nothing_is_none_and_otherwise_rounded_half_up():
    assert mean(None, 0) is None
    assert mean(29, 2) == 14.5
    assert mean(41, 3) == 13.7


def test_median_hours():
    assert median_hours([]) is None
    assert median_hours([timedelta(hours=1), timedelta(hours=2), timedelta(hours=10)]) == 2.0
    assert median_hours([timedelta(minutes=3), timedelta(minutes=6)]) == 0.1


@pytest.mark.parametrize(
    "current, previous, expected",
    [(117, 100, 17.0), (0, 0, 0.0), (5, 0, NEW), (0, 5, -100.0), (2, 3, -33.3), (1, 6, -83.3)],
)
def test_growth_against_the_previous_value_and_new_against_zero(current, previous, expected):
    assert growth(current, previous) == expected


@pytest.mark.parametrize(
    "current, previous, expected",
    [(57.5, 55.0, 2.5), (66.7, 0.0, 66.7), (0.0, 66.7, -66.7), (14.5, 14.0, 0.5), (0.1, 0.3, -0.2)],
)
def test_a_share_or_mean_changes_by_its_difference(current, previous, expected):
    # 0.1 - 0.3 in floats is -0.19999999999999998: the difference is taken on decimals.
    assert difference(current, previous) == expected


def test_a_mean_of_nothing_has_no_difference():
    assert difference(None, 14.0) is None
    assert difference(14.0, None) is None
