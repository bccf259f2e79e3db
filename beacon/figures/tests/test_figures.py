"""Figure definitions on small hand-built sets of records, and the `figures` command."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from beacon.cases.models import Case, Category, ExploitationFacts, SubKind
from beacon.figures.definitions import (
    _mean,
    _pct,
    child_prostitution_details,
    disappearances_new_cases,
    figures_for_year,
    grooming_details,
    hotline_calls,
    runaway_details,
    sexting_details,
    sextortion_details,
    sexual_exploitation_new_cases,
)
from beacon.figures.selectors import figures_for_user
from beacon.figures.tests.factories import call as contact
from beacon.figures.tests.factories import record
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

MARCH_2025 = datetime(2025, 3, 1, 12, tzinfo=BRUSSELS)


def victim_case(
    category: str,
    *,
    age: int,
    gender: str = "female",
    subkind: str = "",
    opened: datetime = MARCH_2025,
    person: Person | None = None,
    closed: datetime | None = None,
    **facts,
) -> Case:
    """An exploitation case with its facts, written directly (like imported history)."""
    person = person or Person.objects.create(first_name="V", last_name="Ictim", gender=gender)
    cat = Category.objects.get(key=category)
    case = Case.objects.create(
        number=f"E-{Case.objects.count() + 1}",
        mission="exploitation",
        category=cat,
        subkind=SubKind.objects.get(category=cat, key=subkind) if subkind else None,
        person=person,
        opened_at=opened,
        closed_at=closed,
        status="closed" if closed else "open",
        channel="116000",
        reporter_kind="child",
    )
    ExploitationFacts.objects.create(case=case, victim_age=age, **facts)
    return case


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


def test_child_prostitution_details(db):
    ran_before = record("runaway", datetime(2025, 1, 10, 12, tzinfo=UTC))
    ran_after = record("runaway", datetime(2025, 9, 10, 12, tzinfo=UTC))
    linked_later = record("runaway", datetime(2025, 9, 10, 12, tzinfo=UTC))
    # Ran away before the case (not linked): counts as linked to running away.
    victim_case("child_prostitution", age=15, person=ran_before.person, in_institution=True)
    # Ran away only after it, not linked: does not.
    victim_case("child_prostitution", age=16, person=ran_after.person, teen_pimp=True)
    # Ran away after it, and the case manager linked that runaway case: counts.
    linked = victim_case("child_prostitution", age=12, person=linked_later.person)
    linked.linked_cases.add(linked_later)
    victim_case(
        "child_prostitution",
        age=13,
        gender="male",
        teen_pimp=True,
        report_source="age_check_tool",
        in_institution=False,
    )
    victim_case("sexting_without_consent", age=12, person=ran_before.person)  # another category
    # Earlier cases: open when 2025 began (closed on 1 January at 00:00 local, or still open),
    # or not (closed a minute before).
    new_year = datetime(2025, 1, 1, tzinfo=BRUSSELS)
    before = datetime(2024, 6, 1, 12, tzinfo=UTC)
    victim_case("child_prostitution", age=15, opened=before, closed=new_year)
    victim_case("child_prostitution", age=15, opened=before)
    victim_case("child_prostitution", age=15, opened=before, closed=new_year - timedelta(minutes=1))
    assert child_prostitution_details(2025) == {
        "total": 4,
        "under_16_pct": 75.0,
        "under_13": 1,
        "boys": 1,
        "in_institution_pct": 25.0,
        "linked_to_running_away_pct": 50.0,
        "reports_via_age_check_tool": 1,
        "teen_pimp_involved": 2,
        "carried_over": 2,
    }


def test_sexting_details(db):
    for age, gender in [
        (11, "female"),
        (12, "female"),
        (13, "male"),
        (14, "female"),
        (17, "other"),
    ]:
        victim_case("sexting_without_consent", age=age, gender=gender)
    victim_case("grooming", age=10)  # another category
    assert sexting_details(2025) == {
        "total": 5,
        "mean_age": 13.4,
        "age_13_or_younger_pct": 60.0,
        "age_12_or_younger_pct": 40.0,
        "girls_pct": 60.0,
    }


def test_sextortion_details_by_sub_kind(db):
    victim_case("sextortion", age=14, gender="female", subkind="content")
    victim_case("sextortion", age=15, gender="female", subkind="content")
    victim_case("sextortion", age=13, gender="male", subkind="content")
    victim_case("sextortion", age=16, gender="male", subkind="financial")
    victim_case("sextortion", age=15, gender="male", subkind="financial", amount_demanded=200)
    victim_case("sextortion", age=17, gender="female", subkind="financial")
    victim_case("sextortion", age=14, gender="female")  # no sub-kind: in the total only
    assert sextortion_details(2025) == {
        "total": 7,
        "financial_pct": 42.9,
        "content": {"total": 3, "girls_pct": 66.7, "mean_age": 14.0, "age_14_or_younger_pct": 66.7},
        "financial": {"total": 3, "male_pct": 66.7, "mean_age": 16.0},
    }


def test_grooming_details(db):
    for age, gender in [(11, "female"), (12, "female"), (14, "female"), (15, "male")]:
        victim_case("grooming", age=age, gender=gender)
    victim_case("grooming", age=9, opened=datetime(2024, 3, 1, 12, tzinfo=UTC))  # another year
    assert grooming_details(2025) == {"total": 4, "girls_pct": 75.0, "mean_age": 13.0}


def test_shares_and_means_round_half_up_from_the_exact_fraction(db):
    # 1 girl of 8 is 12.5%; ages 12 x 6 and 13 x 2 average 12.25, printed 12.3 (round() on the
    # float would print 12.2).
    victim_case("grooming", age=12, gender="female")
    for age in (12, 12, 13, 12, 12, 12, 13):
        victim_case("grooming", age=age, gender="male")
    assert grooming_details(2025) == {"total": 8, "girls_pct": 12.5, "mean_age": 12.3}
    assert (_pct(1, 2000), _pct(2, 3), _pct(0, 0)) == (0.1, 66.7, 0.0)  # 0.05% -> 0.1
    assert (_mean(49, 4), _mean(1, 20), _mean(None, 0)) == (12.3, 0.1, None)


def test_exploitation_details_of_a_year_without_cases(db):
    assert child_prostitution_details(2025)["under_16_pct"] == 0.0
    assert sexting_details(2025) == {
        "total": 0,
        "mean_age": None,
        "age_13_or_younger_pct": 0.0,
        "age_12_or_younger_pct": 0.0,
        "girls_pct": 0.0,
    }
    assert sextortion_details(2025)["financial"] == {"total": 0, "male_pct": 0.0, "mean_age": None}
    assert grooming_details(2025) == {"total": 0, "girls_pct": 0.0, "mean_age": None}


@pytest.mark.parametrize(
    "definition",
    [child_prostitution_details, sexting_details, sextortion_details, grooming_details],
)
def test_each_exploitation_detail_is_one_aggregate_query(db, django_assert_num_queries, definition):
    for category in ("child_prostitution", "sexting_without_consent", "grooming"):
        victim_case(category, age=14)
    victim_case("sextortion", age=15, subkind="financial")
    with django_assert_num_queries(1):
        definition(2025)


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
    }


def test_undefined_and_unaccompanied_details_count_sub_kinds_outcomes_and_repeats(db):
    from beacon.cases.models import SubKind
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
    }
    assert details["family_context"]["total"] == 0
