"""Figures on hand-built records, and the demo's figures against the published reports."""

import json
import os
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from beacon.cases.models import Case, Category
from beacon.demo.loader import DemoLoader
from beacon.figures.definitions import (
    disappearances_new_cases,
    figures_for_user,
    figures_for_year,
    runaway_details,
)
from beacon.people.models import Person

REPO = Path(__file__).resolve().parents[3]
# shared/ stands beside the repository (CI clones it there); a clone elsewhere names it.
SHARED_CANDIDATES = [Path(p) for p in (os.environ.get("BEACON_SHARED_DIR"),) if p] + [
    REPO.parent / "shared",
    Path("/work/shared"),
]


def published_figures() -> dict:
    for shared in SHARED_CANDIDATES:
        path = shared / "reference" / "published-figures.json"
        if path.exists():
            return json.loads(path.read_text())
    raise AssertionError(
        f"published-figures.json not found in {SHARED_CANDIDATES}; set BEACON_SHARED_DIR"
    )


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
    assert section["runaway"] == {"2024": 0, "2025": 1}
    assert section["total"] == {"2024": 1, "2025": 1}


def test_years_are_local_a_new_years_eve_case_at_2330_utc_counts_next_year(db):
    record("runaway", datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January in Brussels
    record(
        "runaway", datetime(2024, 12, 31, 22, 30, tzinfo=UTC)
    )  # 23:30 on 31 December in Brussels
    section = disappearances_new_cases(2024, 2025)
    assert section["runaway"] == {"2024": 1, "2025": 1}


def test_total_worrying_counts_only_worrying_cases(db):
    opened = datetime(2025, 3, 3, 10, tzinfo=UTC)
    record("runaway", opened, worrying=True)
    record("runaway", opened)
    record("unaccompanied_minor", opened, worrying=True)
    section = disappearances_new_cases(2025, 2025)
    assert section["total"] == {"2025": 3}
    assert section["total_worrying"] == {"2025": 2}


def test_runaway_children_and_repeats(db):
    child = Person.objects.create(first_name="Re", last_name="Peat", date_of_birth=date(2010, 1, 1))
    record("runaway", datetime(2025, 1, 5, 10, tzinfo=UTC), person=child)
    record("runaway", datetime(2025, 6, 5, 10, tzinfo=UTC), person=child)
    record("runaway", datetime(2025, 7, 5, 10, tzinfo=UTC))
    record("runaway", datetime(2024, 7, 5, 10, tzinfo=UTC), person=child)
    assert runaway_details(2025) == {"reports": 3, "children": 2, "children_repeat": 1}


def test_figures_need_the_figures_permission(cast):
    assert figures_for_user(user=cast["statistics_reader"], year=2025)["years"] == [2025]
    with pytest.raises(PermissionDenied):
        figures_for_user(user=cast["analyst"], year=2025)


def test_demo_reproduces_the_published_figures_from_consistent_records(db):
    """One load (about ten seconds), several properties of it."""
    DemoLoader(out=lambda *_: None).load(password="demo-password-for-tests")

    # Every published yearly value of disappearances_new_cases, computed from the records.
    published = published_figures()["disappearances_new_cases"]
    computed = figures_for_year(2025)["disappearances_new_cases"]
    compared = [
        (key, year) for key, per_year in published.items() if key != "note" for year in per_year
    ]
    assert len(compared) == 39
    assert {(k, y): computed[k][y] for k, y in compared} == {
        (k, y): published[k][y] for k, y in compared
    }

    # 2025 runaways: 2,147 reports about 1,514 children, 349 of whom ran away more than once.
    assert runaway_details(2025) == {"reports": 2147, "children": 1514, "children_repeat": 349}

    # Every case's flag equals its assessment's verdict, and criterion 1 equals age < 13.
    mismatched = 0
    for case in (
        Case.objects.select_related("person")
        .prefetch_related("assessments")
        .iterator(chunk_size=2000)
    ):
        assessment = case.assessments.all()[0]
        mismatched += case.worrying != bool(assessment.criteria_held())
        mismatched += assessment.under_13 != (case.age_at_disappearance < 13)
    assert mismatched == 0

    # A second run finds the load complete and changes nothing.
    before = (Case.objects.count(), Person.objects.count())
    out = StringIO()
    call_command("demo", password="another-password-123", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Case.objects.count(), Person.objects.count()) == before

    # The command prints the published nesting: key -> year -> value.
    out = StringIO()
    call_command("figures", year=2025, format="json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["years"] == [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    assert printed["disappearances_new_cases"]["runaway"]["2019"] == 816
    assert printed["disappearances_new_cases"]["total"]["2025"] == 2827
