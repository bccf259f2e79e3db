"""The demo load: its records reproduce the published figures, and loading is safe to repeat."""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from beacon.cases.models import Assessment, Case, CaseNumberCounter, TimelineEntry
from beacon.core.models import AuditRecord
from beacon.demo.loader import DEMO_USERS, DemoLoader
from beacon.figures.definitions import figures_for_year
from beacon.people.models import Person

REPO = Path(__file__).resolve().parents[3]


def published_figures() -> dict:
    """shared/ stands beside the repository (../shared from its root); BEACON_SHARED_DIR names
    it for a clone elsewhere. A missing file fails the test: the figures are the contract."""
    shared = Path(os.environ.get("BEACON_SHARED_DIR") or REPO.parent / "shared")
    path = shared / "reference" / "published-figures.json"
    assert path.exists(), f"{path} not found; set BEACON_SHARED_DIR to the shared/ folder"
    return json.loads(path.read_text())


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "persons": Person.objects.count(),
        "assessments": Assessment.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def quiet_load() -> None:
    DemoLoader(out=lambda *_: None).load(password="demo-password-for-tests")


def test_demo_reproduces_every_published_figure_from_consistent_records(db):
    """One load (about ten seconds), several properties of it."""
    quiet_load()

    # Every published yearly value of disappearances_new_cases, computed from the records.
    published = published_figures()["disappearances_new_cases"]
    computed = figures_for_year(2025)["disappearances_new_cases"]
    compared = {
        (key, year): value
        for key, per_year in published.items()
        if key != "note"
        for year, value in per_year.items()
    }
    assert len(compared) == 39
    assert {pair: computed[pair[0]][pair[1]] for pair in compared} == compared
    # The unpublished 2022-2024 split of the legacy categories sums to what is left of the total.
    for year, rest in {"2022": 162, "2023": 193, "2024": 217}.items():
        assert (
            computed["legacy_international_parental_abduction"][year]
            + computed["legacy_abduction_by_third_party"][year]
            == rest
        )

    # 2025 runaways, counted straight from the cases: 2,147 reports, 1,514 children, 349 repeats.
    # (__year takes the year in the current time zone, the organisation's.)
    assert str(timezone.get_current_timezone()) == "Europe/Brussels"
    runaways_2025 = Case.objects.filter(category__key="runaway", opened_at__year=2025)
    per_child = runaways_2025.values("person_id").annotate(episodes=Count("id")).order_by()
    assert runaways_2025.count() == 2147
    assert per_child.count() == 1514
    assert per_child.filter(episodes__gt=1).count() == 349

    # The other 2025 details of the report, as the records hold them.
    cases_2025 = Case.objects.filter(opened_at__year=2025)

    def by(category: str, *fields: str) -> dict:
        rows = (
            cases_2025.filter(category__key=category).values_list(*fields).annotate(n=Count("id"))
        )
        return {row[:-1] if len(row) > 2 else row[0]: row[-1] for row in rows.order_by()}

    assert by("family_context", "subkind__key") == {
        "international_parental_abduction": 112,
        "other_family_disappearance": 48,
        "preventive": 89,
    }
    assert by("abduction_outside_family", "subkind__key") == {"attempted": 3}
    assert all(
        case.age_at_disappearance < 13
        for case in cases_2025.filter(category__key="abduction_outside_family")
    )
    assert by("undefined_and_other", "subkind__key", "outcome") == {
        ("young_adult", "found_safe"): 24,
        ("young_adult", "returned"): 23,
        ("young_adult", "left_voluntarily"): 9,
        ("young_adult", "found_deceased"): 6,
        ("young_adult", ""): 1,
        ("lost_child", "found_safe"): 6,
    }
    minors = cases_2025.filter(category__key="unaccompanied_minor")
    minors_per_child = minors.values("person_id").annotate(episodes=Count("id")).order_by()
    assert (minors.count(), minors_per_child.count()) == (359, 274)
    assert minors_per_child.filter(episodes__gt=1).count() == 42
    top_origins = by("unaccompanied_minor", "country_of_origin")
    assert set(sorted(top_origins, key=top_origins.get)[-4:]) == {"MA", "DZ", "ET", "ER"}

    # Every case has one initial assessment agreeing with its flag; criterion 1 is age < 13.
    mismatched = 0
    for case in (
        Case.objects.filter(mission="missing")
        .select_related("person")
        .prefetch_related("assessments")
        .iterator(chunk_size=2000)
    ):
        (assessment,) = case.assessments.all()
        mismatched += case.worrying != bool(assessment.criteria_held())
        mismatched += assessment.under_13 != (case.age_at_disappearance < 13)
    assert mismatched == 0
    assert not Case.objects.exclude(mission=F("category__mission")).exists()
    assert not Person.objects.filter(Q(search_name="") | Q(search_name_reversed="")).exists()

    # One "opened" entry per case, one closing "status" entry per closed case; all in the past.
    assert TimelineEntry.objects.filter(kind="opened").count() == Case.objects.count()
    assert (
        TimelineEntry.objects.filter(kind="status").count()
        == Case.objects.filter(status="closed").count()
    )
    assert not Case.objects.filter(mission="missing", status="closed", found_at=None).exists()
    assert not Case.objects.filter(opened_at__gte="2026-01-01T00:00:00+01:00").exists()
    assert not Case.objects.filter(found_at__gt=timezone.now()).exists()

    # Numbers are unique and the counters have moved past them.
    assert Case.objects.values("number").distinct().count() == Case.objects.count()
    # Both missions share the numbering: 2,827 disappearances + 988 exploitation cases in 2025.
    assert CaseNumberCounter.objects.get(year=2025).last == 2827 + 988
    assert CaseNumberCounter.objects.get(year=2019).last == 1261 + 234

    # One audit record for the whole load.
    assert AuditRecord.objects.filter(object_type="demo.load").count() == 1

    # A second run through the command finds the load complete and changes no counts.
    before = counts()
    out = StringIO()
    call_command("demo", password="another-password-123", stdout=out)
    printed = out.getvalue()
    assert "already loaded" in printed
    assert "http://127.0.0.1:8000/" in printed and "another-password-123" in printed
    assert counts() == before

    # The command prints the published nesting: section -> key -> year (a string) -> count.
    out = StringIO()
    call_command("figures", year=2025, format="json", stdout=out)
    printed_figures = json.loads(out.getvalue())
    assert printed_figures["years"] == [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    section = printed_figures["disappearances_new_cases"]
    assert set(section) == set(published) - {"note"}
    assert {pair: section[pair[0]][pair[1]] for pair in compared} == compared
    runaway = printed_figures["case_details_2025"]["runaway"]
    assert (runaway["reports"], runaway["children"], runaway["children_repeat"]) == (
        2147,
        1514,
        349,
    )
    # The shape the 2025 report describes, as the demo generated it.
    assert runaway["found_within_48h_pct"] > 50
    assert runaway["found_within_week_pct"] == 75.5
    assert runaway["longer_than_month_pct"] == 9.0
    assert runaway["children_in_institution_pct"] == 32.0
    assert runaway["reports_from_institution_children_pct"] == 52.0
    assert round(runaway["girls_pct_of_reports"]) == 55

    # Every published yearly value of the line and of sexual exploitation, from the records.
    reference = published_figures()
    for name in ("hotline_calls", "sexual_exploitation_new_cases"):
        values = {
            (key, year): value
            for key, per_year in reference[name].items()
            if isinstance(per_year, dict) and key != "total_including_abuse_image_reports"
            for year, value in per_year.items()
        }
        assert {pair: printed_figures[name][pair[0]][pair[1]] for pair in values} == values
    assert printed_figures["hotline_calls"]["116000_calls"]["2025"] == 20831
    assert printed_figures["hotline_calls"]["116000_calls_at_night_23h_to_7h"]["2025"] == 2626

    # The 2025 exploitation details, rounded as the report prints them.
    def rounded(details: dict) -> dict:
        return {k: round(v) if isinstance(v, float) else v for k, v in details.items()}

    details = printed_figures["case_details_2025"]
    published_details = reference["case_details_2025"]
    prostitution = rounded(details["child_prostitution"])
    assert {k: prostitution[k] for k in published_details["child_prostitution"]} == (
        published_details["child_prostitution"]
    )
    for key in ("sexting_without_consent", "grooming"):
        mine = rounded(details[key])
        assert {k: mine[k] for k in published_details[key]} == published_details[key], key
    sextortion = details["sextortion"]
    assert sextortion["total"] == 433
    for part in ("content", "financial"):
        mine = rounded(sextortion[part])
        assert {k: mine[k] for k in published_details["sextortion"][part]} == (
            published_details["sextortion"][part]
        )
    # Boys, for the first time, the largest group of sexting + sextortion + grooming victims.
    online = Case.objects.filter(
        opened_at__year=2025,
        category__key__in=["sexting_without_consent", "sextortion", "grooming"],
    )
    assert (
        online.filter(person__gender="male").count()
        > online.filter(person__gender="female").count()
    )
    # Prostitution victims who ran away are the demo's runaways, and their cases are linked.
    ran = Case.objects.filter(opened_at__year=2025, category__key="child_prostitution").filter(
        linked_cases__category__key="runaway"
    )
    assert ran.distinct().count() == 133

    # 2021 details of the 2021 report where a whole number of cases gives them.
    details_2021 = figures_for_year(2021)["case_details_2021"]
    assert details_2021["child_prostitution"]["teen_pimp_involved"] == 37
    assert details_2021["child_prostitution"]["boys"] == 2
    assert round(details_2021["sextortion"]["financial_pct"]) == 60
    assert round(details_2021["sexting_without_consent"]["girls_pct"]) == 85
    assert details_2021["grooming"]["girls_pct"] == 74.4  # 75% of 43 is not a whole number


def test_demo_users_one_per_role_can_log_in(db, client):
    quiet_load()
    for username, role in DEMO_USERS.items():
        assert client.login(username=username, password="demo-password-for-tests"), username
        client.logout()
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]


def test_a_load_that_fails_midway_leaves_nothing(db, monkeypatch):
    before = counts()
    written = DemoLoader.write_year

    def write_then_fail(self, year, *args, **kwargs):
        written(self, year, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(DemoLoader, "write_year", write_then_fail)
    with pytest.raises(RuntimeError):
        quiet_load()
    assert counts() == before
    assert not CaseNumberCounter.objects.exists()
