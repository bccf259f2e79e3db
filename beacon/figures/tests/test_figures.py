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
