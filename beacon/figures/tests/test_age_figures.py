"""The figures about a child's age at disappearance, on hand-made cases whose ages are known: the
birthday's edge, the local day of a last-seen moment late in the evening (UTC), a birthday on 29
February, an unknown age, an estimated age."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from beacon.cases.models import Case
from beacon.figures.ages import age_at_disappearance
from beacon.figures.catalogue import catalogue, runaway_figures
from beacon.figures.details import details_section
from beacon.figures.engine import Period, Share, drill_down_count, evaluate
from beacon.figures.tests.factories import record
from beacon.people.models import Person

BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR = Period.year(2025)


def child(born: date | None = None, **fields) -> Person:
    return Person.objects.create(first_name="Test", last_name="Kind", date_of_birth=born, **fields)


def case(category: str, last_seen: datetime, person: Person, subkind: str = "") -> Case:
    """A case of `category` opened on 1 June 2025 (in the year whatever `last_seen`)."""
    made = record(category, datetime(2025, 6, 1, 12, tzinfo=BRUSSELS), person=person)
    Case.objects.filter(pk=made.pk).update(
        last_seen_at=last_seen,
        subkind=made.category.subkinds.get(key=subkind) if subkind else None,
    )
    made.refresh_from_db()
    return made


def noon(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=BRUSSELS)


@pytest.fixture
def runaways(db) -> dict[str, Case]:
    """Runaways whose ages on the local day last seen are known by hand (in the comments)."""
    return {
        # Turns 13 on the day last seen: 13.
        "birthday": case("runaway", noon(2025, 3, 10), child(date(2012, 3, 10))),
        # Turns 13 the day after: 12.
        "eve": case("runaway", noon(2025, 3, 10), child(date(2012, 3, 11))),
        # 23:30 UTC on 10 March is 00:30 on 11 March in Brussels, the birthday: 13.
        "late": case(
            "runaway", datetime(2025, 3, 10, 23, 30, tzinfo=UTC), child(date(2012, 3, 11))
        ),
        # 22:30 UTC on 10 March is 23:30 on 10 March in Brussels: 12.
        "before": case(
            "runaway", datetime(2025, 3, 10, 22, 30, tzinfo=UTC), child(date(2012, 3, 11))
        ),
        # Born on 29 February: 12 on 28 February of a common year, 13 on 1 March.
        "leap_28": case("runaway", noon(2025, 2, 28), child(date(2012, 2, 29))),
        "leap_1": case("runaway", noon(2025, 3, 1), child(date(2012, 2, 29))),
        # 16 since the day before.
        "sixteen": case("runaway", noon(2025, 5, 1), child(date(2009, 4, 30))),
        # No date of birth, no estimate: unknown.
        "unknown": case("runaway", noon(2025, 5, 1), child()),
    }


RUNAWAY_AGES = {
    "birthday": 13,
    "eve": 12,
    "late": 13,
    "before": 12,
    "leap_28": 12,
    "leap_1": 13,
    "sixteen": 16,
    "unknown": None,
}


def test_the_database_computes_the_age_the_case_shows(runaways):
    annotated = Case.objects.annotate(age=age_at_disappearance())
    ages = {name: annotated.get(pk=made.pk).age for name, made in runaways.items()}
    assert ages == RUNAWAY_AGES
    assert {name: made.age_at_disappearance for name, made in runaways.items()} == RUNAWAY_AGES


def test_an_estimated_age_ages_with_the_years_since_the_person_was_recorded(db):
    person = child(estimated_age=14)
    Person.objects.filter(pk=person.pk).update(created_at=datetime(2023, 6, 1, tzinfo=UTC))
    made = case("unaccompanied_minor", noon(2025, 3, 1), person)
    assert Case.objects.annotate(age=age_at_disappearance()).get(pk=made.pk).age == 16
    assert made.age_at_disappearance == 16
    # No last-seen moment: unknown, whatever the person's age.
    Case.objects.filter(pk=made.pk).update(last_seen_at=None)
    assert Case.objects.annotate(age=age_at_disappearance()).get(pk=made.pk).age is None


def test_an_estimate_recorded_in_the_first_hour_of_a_year_counts_from_that_local_year(db):
    # 1 January 2024, 00:30 in Brussels is still 31 December 2023 in UTC: recorded in 2024.
    person = child(estimated_age=14)
    recorded = datetime(2024, 1, 1, 0, 30, tzinfo=BRUSSELS)
    Person.objects.filter(pk=person.pk).update(created_at=recorded)
    made = case("unaccompanied_minor", noon(2025, 3, 1), person)
    assert Case.objects.annotate(age=age_at_disappearance()).get(pk=made.pk).age == 15
    made.person.refresh_from_db()
    assert made.person.age_on(date(2025, 3, 1)) == 15


def test_runaway_age_bands_count_reports_and_leave_unknown_ages_in_the_whole(runaways):
    values = evaluate(runaway_figures(), YEAR)
    prefix = "case_details.runaway."
    assert values[f"{prefix}reports"] == 8
    assert values[f"{prefix}under_13"] == 3  # eve, before, leap_28
    assert values[f"{prefix}age_13_15"] == 3  # birthday, late, leap_1
    assert values[f"{prefix}age_16_17"] == 1
    assert values[f"{prefix}under_13_pct"] == 37.5
    assert values[f"{prefix}age_13_15_pct"] == 37.5
    assert values[f"{prefix}age_16_17_pct"] == 12.5
    # The drill-down lists exactly the reports of the band.
    figure = catalogue()[f"{prefix}age_13_15_pct"]
    start, end = YEAR.bounds
    listed = set(figure.records(start, end).values_list("pk", flat=True))
    assert listed == {runaways[name].pk for name in ("birthday", "late", "leap_1")}


@pytest.fixture
def details_cases(db) -> None:
    # Unaccompanied minors: 12, 15, 16 and unknown.
    case("unaccompanied_minor", noon(2025, 4, 1), child(date(2012, 4, 2)))
    case("unaccompanied_minor", noon(2025, 4, 1), child(date(2010, 1, 1)))
    case("unaccompanied_minor", noon(2025, 4, 1), child(date(2009, 4, 1)))
    case("unaccompanied_minor", noon(2025, 4, 1), child())
    # Lost children: 9, and 10 since the day last seen; an 8-year-old of another sub-kind.
    case("undefined_and_other", noon(2025, 4, 1), child(date(2015, 6, 1)), "lost_child")
    case("undefined_and_other", noon(2025, 4, 1), child(date(2015, 4, 1)), "lost_child")
    case("undefined_and_other", noon(2025, 4, 1), child(date(2017, 1, 1)), "other")
    # An abduction outside the family of a 12-year-old.
    case("abduction_outside_family", noon(2025, 4, 1), child(date(2013, 1, 1)), "attempted")


def test_the_details_ages(details_cases):
    section = details_section(YEAR)
    assert section["unaccompanied_minor"]["under_16_pct"] == 50.0
    assert section["unaccompanied_minor"]["under_13"] == 1
    assert section["undefined"]["lost_children_under_10"] == 1
    assert section["abduction_outside_family"]["all_children_under_13"] is True
    # Internal counts stay out of the published nesting.
    assert "under_16" not in section["unaccompanied_minor"]
    assert "not_known_under_13" not in section["abduction_outside_family"]


@pytest.mark.parametrize(
    ("born", "all_under_13"), [(None, False), (date(2012, 4, 1), False), (date(2012, 4, 2), True)]
)
def test_every_abducted_child_under_13_only_when_every_age_is_known_and_under_13(
    details_cases, born, all_under_13
):
    # Another abduction: of unknown age, 13 on the day last seen, 12 until the next day.
    case("abduction_outside_family", noon(2025, 4, 1), child(born), "attempted")
    section = details_section(YEAR)
    assert section["abduction_outside_family"]["all_children_under_13"] is all_under_13


def test_no_abduction_no_answer_whether_every_child_was_under_13(runaways):
    assert details_section(YEAR)["abduction_outside_family"]["all_children_under_13"] is None


def test_every_age_figure_lists_as_many_records_as_it_counts(runaways, details_cases):
    keys = [
        "runaway.under_13",
        "runaway.age_13_15",
        "runaway.age_16_17",
        "runaway.under_13_pct",
        "runaway.age_13_15_pct",
        "runaway.age_16_17_pct",
        "unaccompanied_minor.under_16",
        "unaccompanied_minor.under_16_pct",
        "unaccompanied_minor.under_13",
        "undefined.lost_children_under_10",
        "abduction_outside_family.not_known_under_13",
    ]
    figures = catalogue()
    ages = [figures[f"case_details.{key}"] for key in keys]
    values = evaluate(ages, YEAR)
    for figure in ages:
        counted = figure.part if isinstance(figure, Share) else figure
        assert drill_down_count(figure, YEAR) == values[counted.key]
    assert [values[f"case_details.{key}"] for key in keys[:3]] == [3, 3, 1]
    assert values["case_details.unaccompanied_minor.under_16"] == 2
    assert values["case_details.abduction_outside_family.not_known_under_13"] == 0


def test_a_birth_date_after_the_last_seen_day_gives_the_same_negative_age_as_the_case(db):
    # A typing error, but the figure and the case's page must still agree (-1, not 0).
    made = case("runaway", noon(2025, 6, 1), child(date(2025, 6, 2)))
    assert made.age_at_disappearance == -1
    assert Case.objects.annotate(age=age_at_disappearance()).get(pk=made.pk).age == -1


def test_sqlite_local_day_follows_summer_and_winter_time():
    from beacon.figures.ages import _local_day

    # Brussels is UTC+2 in summer, UTC+1 in winter: 22:30 UTC is the next day only in summer.
    assert _local_day("2025-07-01 22:30:00", "Europe/Brussels") == 20250702
    assert _local_day("2025-01-01 22:30:00.000250", "Europe/Brussels") == 20250101
    assert _local_day("2025-01-01 23:30:00", "Europe/Brussels") == 20250102
    assert _local_day(None, "Europe/Brussels") is None
