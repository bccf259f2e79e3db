"""Figure definitions on small hand-built sets of records, and the `figures` command."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from beacon.cases.models import Case, Category
from beacon.figures.definitions import (
    disappearances_new_cases,
    figures_for_year,
    runaway_details,
)
from beacon.figures.selectors import figures_for_user
from beacon.people.models import Person

UTC = ZoneInfo("UTC")


def record(category_key: str, opened: datetime, *, worrying=False, person=None) -> Case:
    """A case as an old record (written directly, like imported history)."""
    person = person or Person.objects.create(
        first_name="Test", last_name="Kind", date_of_birth=date(2010, 1, 1)
    )
    category = Category.objects.get(key=category_key)
    return Case.objects.create(
        number=f"T-{Case.objects.count() + 1}",
        mission=category.mission,
        category=category,
        person=person,
        opened_at=opened,
        last_seen_at=opened - timedelta(hours=1),
        channel="116000",
        reporter_kind="parent",
        worrying=worrying,
    )


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


# --- the line and sexual exploitation -----------------------------------------------------------

BRUSSELS = ZoneInfo("Europe/Brussels")


def contact(started: datetime, channel: str = "116000"):
    from beacon.line.models import Call

    return Call.objects.create(
        channel=channel, caller_kind="child", topic_kind="out_of_scope", started_at=started
    )


def test_hotline_calls_count_the_116000_line_by_local_year_and_night(db):
    from beacon.figures.definitions import hotline_calls

    contact(datetime(2025, 6, 1, 22, 59, tzinfo=BRUSSELS))  # day
    contact(datetime(2025, 6, 1, 23, 0, tzinfo=BRUSSELS))  # night
    contact(datetime(2025, 6, 2, 6, 59, tzinfo=BRUSSELS))  # night
    contact(datetime(2025, 6, 2, 7, 0, tzinfo=BRUSSELS))  # day
    contact(datetime(2025, 6, 2, 3, 0, tzinfo=BRUSSELS), channel="international")  # night
    contact(datetime(2025, 6, 2, 3, 0, tzinfo=BRUSSELS), channel="116800")  # a tip: not counted
    contact(datetime(2025, 6, 2, 3, 0, tzinfo=BRUSSELS), channel="chat")  # not counted
    contact(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January 2025, Brussels
    contact(datetime(2024, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 on 31 December 2024
    section = hotline_calls(2024, 2025)
    assert section["116000_calls"] == {"2024": 1, "2025": 6}
    assert section["116000_calls_at_night_23h_to_7h"] == {"2024": 1, "2025": 4}


def victim_case(category: str, *, age: int, gender: str, subkind: str = "", **facts) -> Case:
    from beacon.cases.models import ExploitationFacts, SubKind

    person = Person.objects.create(first_name="V", last_name="Ictim", gender=gender)
    cat = Category.objects.get(key=category)
    case = Case.objects.create(
        number=f"E-{Case.objects.count() + 1}",
        mission="exploitation",
        category=cat,
        subkind=SubKind.objects.get(category=cat, key=subkind) if subkind else None,
        person=person,
        opened_at=datetime(2025, 3, 1, 12, tzinfo=UTC),
        channel="116000",
        reporter_kind="child",
    )
    ExploitationFacts.objects.create(case=case, victim_age=age, **facts)
    return case


def test_exploitation_new_cases_and_details_on_hand_made_cases(db):
    from beacon.figures.definitions import (
        child_prostitution_details,
        grooming_details,
        sexting_details,
        sextortion_details,
        sexual_exploitation_new_cases,
    )

    runaway = record("runaway", datetime(2025, 1, 10, 12, tzinfo=UTC))
    ran = victim_case("child_prostitution", age=15, gender="female", in_institution=True)
    Case.objects.filter(pk=ran.pk).update(person=runaway.person)
    victim_case(
        "child_prostitution", age=12, gender="male", teen_pimp=True, report_source="age_check_tool"
    )
    victim_case("sexting_without_consent", age=12, gender="female")
    victim_case("sexting_without_consent", age=15, gender="male")
    victim_case("sextortion", age=14, gender="female", subkind="content")
    victim_case("sextortion", age=16, gender="male", subkind="financial")
    victim_case("sextortion", age=15, gender="male", subkind="financial")
    victim_case("grooming", age=11, gender="female")

    section = sexual_exploitation_new_cases(2025, 2025)
    assert section["child_prostitution"] == {"2025": 2}
    assert section["sextortion"] == {"2025": 3}
    assert section["total_excluding_abuse_image_reports"] == {"2025": 8}
    assert "total_worrying" not in section

    prostitution = child_prostitution_details(2025)
    assert prostitution == {
        "total": 2,
        "under_16_pct": 100.0,
        "under_13": 1,
        "boys": 1,
        "in_institution_pct": 50.0,
        "linked_to_running_away_pct": 50.0,
        "reports_via_age_check_tool": 1,
        "teen_pimp_involved": 1,
    }
    sexting = sexting_details(2025)
    assert (sexting["mean_age"], sexting["girls_pct"], sexting["age_12_or_younger_pct"]) == (
        13.5,
        50.0,
        50.0,
    )
    sextortion = sextortion_details(2025)
    assert sextortion["financial_pct"] == 66.7
    assert sextortion["content"] == {
        "total": 1,
        "girls_pct": 100.0,
        "mean_age": 14.0,
        "age_14_or_younger_pct": 100.0,
    }
    assert sextortion["financial"] == {"total": 2, "male_pct": 100.0, "mean_age": 15.5}
    assert grooming_details(2025) == {"total": 1, "girls_pct": 100.0, "mean_age": 11.0}
