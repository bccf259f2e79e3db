"""Figure definitions on small hand-built sets of records, and the `figures` command."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from beacon.cases.models import Case, Category, SubKind
from beacon.figures.definitions import (
    disappearances_new_cases,
    figures_for_year,
    hotline_calls,
    runaway_details,
    sexual_exploitation_new_cases,
)
from beacon.figures.selectors import figures_for_user
from beacon.figures.tests.factories import MARCH_2025, record, victim_case
from beacon.figures.tests.factories import call as contact
from beacon.people.models import Person
from beacon.reports.models import Report

UTC = ZoneInfo("UTC")


def test_legacy_categories_appear_only_in_their_years(db):
    record("legacy_abduction_by_third_party", datetime(2024, 5, 1, 12, tzinfo=UTC))
    record("runaway", datetime(2025, 5, 1, 12, tzinfo=UTC))
    section = disappearances_new_cases(2024, 2025)
    assert section["legacy_abduction_by_third_party"] == {"2024": 1}
    assert section["legacy_international_parental_abduction"] == {"2024": 0}
    assert section["family_context"] == {"2025": 0}
    assert section["abduction_outside_family"] == {"2025": 0}
    assert section["runaway"] == {"2024": 0, "2025": 1}
    assert section["undefined_and_other"] == {"2024": 0, "2025": 0}
    assert section["total"] == {"2024": 1, "2025": 1}
    assert section["total_worrying"] == {"2024": 0, "2025": 0}


def test_years_are_local_a_new_years_eve_case_at_2330_utc_counts_next_year(db):
    record("runaway", datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 00:30, 1 January, Brussels
    record("runaway", datetime(2024, 12, 31, 22, 30, tzinfo=UTC))  # 23:30, 31 December, Brussels
    section = disappearances_new_cases(2024, 2025)
    assert section["runaway"] == {"2024": 1, "2025": 1}
    assert section["total"] == {"2024": 1, "2025": 1}


def test_total_worrying_counts_only_worrying_cases(db):
    opened = datetime(2025, 3, 3, 10, tzinfo=UTC)
    record("runaway", opened, worrying=True)
    record("runaway", opened)
    record("unaccompanied_minor", opened, worrying=True)
    record("undefined_and_other", opened)
    section = disappearances_new_cases(2025, 2025)
    assert section["total"] == {"2025": 4}
    assert section["total_worrying"] == {"2025": 2}


def test_runaway_children_and_repeats(db):
    child = Person.objects.create(first_name="Re", last_name="Peat", date_of_birth=date(2010, 1, 1))
    record("runaway", datetime(2025, 1, 5, 10, tzinfo=UTC), person=child)
    record("runaway", datetime(2025, 6, 5, 10, tzinfo=UTC), person=child)
    record("runaway", datetime(2025, 7, 5, 10, tzinfo=UTC))
    record("runaway", datetime(2024, 7, 5, 10, tzinfo=UTC), person=child)
    record("unaccompanied_minor", datetime(2025, 7, 6, 10, tzinfo=UTC), person=child)
    details = runaway_details(2025)
    assert (details["reports"], details["children"], details["children_repeat"]) == (3, 2, 1)


def test_runaway_shares_of_girls_institutions_and_time_until_found(db):
    home = Person.objects.create(
        first_name="In",
        last_name="Stelling",
        date_of_birth=date(2010, 1, 1),
        gender="female",
        in_institution=True,
    )
    cases = [
        record("runaway", datetime(2025, 2, 1, 10, tzinfo=UTC), person=home),
        record("runaway", datetime(2025, 4, 1, 10, tzinfo=UTC), person=home),
        record("runaway", datetime(2025, 6, 1, 10, tzinfo=UTC)),
        record("runaway", datetime(2025, 8, 1, 10, tzinfo=UTC)),
    ]
    # Found 48 h, 7 days and 31 days after last seen; the fourth is still missing.
    found_after = [timedelta(hours=48), timedelta(days=7), timedelta(days=31)]
    for case, after in zip(cases[:3], found_after, strict=True):
        Case.objects.filter(pk=case.pk).update(found_at=case.last_seen_at + after)
    assert runaway_details(2025) == {
        "reports": 4,
        "children": 3,
        "children_repeat": 1,
        "children_repeat_pct": 33.3,
        "girls_pct_of_reports": 50.0,
        "children_in_institution_pct": 33.3,
        "reports_from_institution_children_pct": 50.0,
        "found_within_48h_pct": 25.0,
        "found_within_week_pct": 50.0,
        "longer_than_month_pct": 25.0,
        # Every child born on 1 January 2010: 15 when last seen.
        "under_13": 0,
        "age_13_15": 4,
        "age_16_17": 0,
        "under_13_pct": 0.0,
        "age_13_15_pct": 100.0,
        "age_16_17_pct": 0.0,
    }


def test_runaway_details_of_a_year_without_runaways_are_zero(db):
    assert runaway_details(2025)["reports"] == 0
    assert runaway_details(2025)["found_within_week_pct"] == 0.0


def test_years_run_from_the_first_case_or_since(db):
    record("runaway", datetime(2022, 5, 1, 12, tzinfo=UTC))
    assert figures_for_year(2025)["years"] == [2022, 2023, 2024, 2025]
    assert figures_for_year(2025, since=2024)["years"] == [2024, 2025]
    assert figures_for_year(2025, since=2024)["disappearances_new_cases"]["total"] == {
        "2024": 0,
        "2025": 0,
    }


def test_a_section_is_one_query(db, django_assert_num_queries):
    record("runaway", datetime(2025, 5, 1, 12, tzinfo=UTC))
    # The aggregate over cases, and the category list that says which keys exist in which years.
    with django_assert_num_queries(2):
        disappearances_new_cases(2019, 2025)


def test_figures_need_the_figures_permission(cast):
    assert figures_for_user(user=cast["statistics_reader"], year=2025)["years"] == [2025]
    for role in ("analyst", "first_responder", "nobody"):
        with pytest.raises(PermissionDenied):
            figures_for_user(user=cast[role], year=2025)


def test_command_prints_json_with_the_published_nesting(db):
    record("runaway", datetime(2024, 5, 1, 12, tzinfo=UTC), worrying=True)
    record("family_context", datetime(2025, 5, 1, 12, tzinfo=UTC))
    out = StringIO()
    call_command("figures", year=2025, format="json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["years"] == [2024, 2025]
    section = printed["disappearances_new_cases"]
    assert section["runaway"] == {"2024": 1, "2025": 0}
    assert section["family_context"] == {"2025": 1}
    assert section["legacy_abduction_by_third_party"] == {"2024": 0}
    assert section["total"] == {"2024": 1, "2025": 1}
    assert section["total_worrying"] == {"2024": 1, "2025": 0}


def test_command_prints_a_readable_table(db):
    record("runaway", datetime(2025, 5, 1, 12, tzinfo=UTC))
    out = StringIO()
    call_command("figures", year=2025, format="text", stdout=out)
    lines = out.getvalue().splitlines()
    start = lines.index("disappearances_new_cases")
    assert lines[start + 1].split() == ["2025"]
    assert "runaway 1" in [" ".join(line.split()) for line in lines]
    assert {"hotline_calls", "sexual_exploitation_new_cases"} <= set(lines)
    assert "case_details_2025 / sextortion / financial" in lines


def test_command_refuses_implausible_years(db):
    with pytest.raises(CommandError):
        call_command("figures", year=25, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("figures", year=2025, since=2026, stdout=StringIO())


# --- the line ------------------------------------------------------------------------------------

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_hotline_calls_count_the_116000_line_by_local_year(db):
    contact(datetime(2025, 6, 1, 12, 0, tzinfo=BRUSSELS))
    contact(datetime(2025, 6, 1, 12, 0, tzinfo=BRUSSELS), channel="international")
    for channel in ("116800", "chat", "email", "police", "walk_in"):  # not calls to 116 000
        contact(datetime(2025, 6, 1, 12, 0, tzinfo=BRUSSELS), channel=channel)
    contact(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January 2025, Brussels
    contact(datetime(2024, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 on 31 December 2024
    contact(datetime(2025, 12, 31, 23, 0, tzinfo=UTC))  # 00:00 on 1 January 2026: not in range
    assert hotline_calls(2023, 2025) == {
        "116000_calls": {"2023": 0, "2024": 1, "2025": 3},
        "116000_calls_at_night_23h_to_7h": {"2023": 0, "2024": 1, "2025": 1},
    }


@pytest.mark.parametrize(
    ("local", "night"),
    [
        # winter time (UTC+1) and summer time (UTC+2)
        ((2025, 1, 15, 22, 59), False),
        ((2025, 1, 15, 23, 0), True),
        ((2025, 1, 16, 6, 59), True),
        ((2025, 1, 16, 7, 0), False),
        ((2025, 7, 15, 22, 59), False),
        ((2025, 7, 15, 23, 0), True),
        ((2025, 7, 16, 6, 59), True),
        ((2025, 7, 16, 7, 0), False),
        # the nights of the two changes: 30 March (02:00 -> 03:00), 26 October (03:00 -> 02:00)
        ((2025, 3, 29, 22, 59), False),
        ((2025, 3, 29, 23, 0), True),
        ((2025, 3, 30, 6, 59), True),
        ((2025, 3, 30, 7, 0), False),
        ((2025, 10, 25, 22, 59), False),
        ((2025, 10, 25, 23, 0), True),
        ((2025, 10, 26, 6, 59), True),
        ((2025, 10, 26, 7, 0), False),
    ],
)
def test_night_is_23_to_7_local_time_whatever_the_offset(db, local, night):
    # Local wall-clock time, stored as the UTC instant, as every datetime is.
    contact(datetime(*local, tzinfo=BRUSSELS).astimezone(UTC))
    section = hotline_calls(2025, 2025)
    assert section["116000_calls"] == {"2025": 1}
    assert section["116000_calls_at_night_23h_to_7h"] == {"2025": int(night)}


def test_a_call_at_0030_on_new_years_day_is_a_night_call_of_the_new_year(db):
    contact(datetime(2026, 1, 1, 0, 30, tzinfo=BRUSSELS))  # 23:30 UTC on 31 December 2025
    assert hotline_calls(2025, 2026) == {
        "116000_calls": {"2025": 0, "2026": 1},
        "116000_calls_at_night_23h_to_7h": {"2025": 0, "2026": 1},
    }


def test_hotline_calls_is_one_query(db, django_assert_num_queries):
    # Both figures are conditional counts of one query grouped by year (beacon.figures.engine).
    contact(datetime(2025, 6, 1, 12, 0, tzinfo=BRUSSELS))
    with django_assert_num_queries(1):
        hotline_calls(2019, 2025)


# --- sexual exploitation --------------------------------------------------------------------------


def test_exploitation_new_cases_by_category_and_local_year(db):
    victim_case("child_prostitution", age=15)
    victim_case("child_prostitution", age=15, opened=datetime(2024, 12, 31, 23, 30, tzinfo=UTC))
    victim_case(
        "sexting_without_consent", age=14, opened=datetime(2024, 12, 31, 22, 30, tzinfo=UTC)
    )
    victim_case("sextortion", age=15, subkind="financial")
    victim_case("sextortion", age=15)  # no sub-kind yet: a sextortion case all the same
    victim_case("grooming", age=12, opened=datetime(2023, 5, 1, 12, tzinfo=UTC))
    record("runaway", MARCH_2025)  # a disappearance: not counted here
    # Civil-hotline reports count in the 2021 report's total only; 23:30 UTC on New Year's Eve
    # is already the new year in Brussels.
    for received in (datetime(2024, 12, 31, 23, 30, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)):
        Report.objects.create(number=Report.new_number(), received_at=received, where_seen="other")
    assert sexual_exploitation_new_cases(2023, 2025) == {
        "child_prostitution": {"2023": 0, "2024": 0, "2025": 2},
        "sexting_without_consent": {"2023": 0, "2024": 1, "2025": 0},
        "sextortion": {"2023": 0, "2024": 0, "2025": 2},
        "grooming": {"2023": 1, "2024": 0, "2025": 0},
        "total_excluding_abuse_image_reports": {"2023": 1, "2024": 1, "2025": 4},
        "total_including_abuse_image_reports": {"2023": 1, "2024": 2, "2025": 5},
    }


def test_the_report_of_a_year_has_every_section(db):
    figures = figures_for_year(2025, since=2024)
    assert set(figures) == {
        "years",
        "hotline_calls",
        "abuse_image_hotline",
        "disappearances_new_cases",
        "sexual_exploitation_new_cases",
        "case_details_2025",
        "search_campaigns",
        "network",
        "prevention",
        "funding",
    }
    assert set(figures["case_details_2025"]) == {
        "runaway",
        "family_context",
        "abduction_outside_family",
        "undefined",
        "unaccompanied_minor",
        "child_prostitution",
        "sexting_without_consent",
        "sextortion",
        "grooming",
        # The 2021 taxonomy's groups: their files may still be handled (carried over) later.
        "international_parental_abduction",
        "abduction_by_third_party",
    }


def test_undefined_and_unaccompanied_details_count_sub_kinds_outcomes_and_repeats(db):
    from beacon.figures.details import details_section
    from beacon.figures.engine import Period

    june = datetime(2025, 6, 1, 12, tzinfo=UTC)
    undefined = Category.objects.get(key="undefined_and_other")
    young = SubKind.objects.get(category=undefined, key="young_adult")
    lost = SubKind.objects.get(category=undefined, key="lost_child")
    outcomes = [(young, "left_voluntarily"), (young, "found_safe"), (lost, "returned"), (lost, "")]
    for subkind, outcome in outcomes:
        case = record("undefined_and_other", june)
        closed = june + timedelta(days=1) if outcome else None
        Case.objects.filter(pk=case.pk).update(subkind=subkind, outcome=outcome, closed_at=closed)
    record("undefined_and_other", datetime(2024, 6, 1, 12, tzinfo=UTC))  # another year
    minor = Person.objects.create(first_name="Un", last_name="Accompanied")
    record("unaccompanied_minor", june, person=minor)
    record("unaccompanied_minor", june + timedelta(days=30), person=minor)
    record("unaccompanied_minor", june)
    details = details_section(Period.year(2025))
    assert details["undefined"] == {
        "total": 4,
        "young_adults_18_24": 2,
        "lost_children": 2,
        "lost_children_under_10": 0,
        "closed_pct": 75.0,
        "found_safe_or_returned": 2,
        "young_adults_left_voluntarily": 1,
        "found_deceased": 0,
        "still_missing": 1,
    }
    assert details["unaccompanied_minor"] == {
        "disappearances": 3,
        "children": 2,
        "children_left_repeatedly": 1,
        # One case of a child of 15 (the factory's), two of the child of unknown age.
        "under_16_pct": 33.3,
        "under_13": 0,
    }
    assert details["family_context"]["total"] == 0


def test_the_tables_start_at_the_organisations_first_year_of_figures_else_the_first_case(db):
    from beacon.core.models import Organisation

    brussels = ZoneInfo("Europe/Brussels")
    # A file moved in from an older system because it was still open, and this year's one.
    record("runaway", datetime(2017, 3, 1, 12, tzinfo=brussels))
    record("runaway", datetime(2025, 3, 1, 12, tzinfo=brussels))
    Organisation.objects.update(figures_from_year=None)
    assert figures_for_year(2025)["years"] == list(range(2017, 2026))
    Organisation.objects.update(figures_from_year=2023)
    figures = figures_for_year(2025)
    assert figures["years"] == [2023, 2024, 2025]
    assert set(figures["disappearances_new_cases"]["runaway"]) == {"2023", "2024", "2025"}
    # An explicit first year still wins (`beacon figures --since`).
    assert figures_for_year(2025, since=2017)["years"] == list(range(2017, 2026))
