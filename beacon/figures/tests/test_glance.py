"""The figures at a glance page and the drill-down from each figure to its records, on small
hand-made sets of records whose figures are known."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from beacon.cases.models import Case
from beacon.core.models import AuditRecord, UserProfile
from beacon.figures.catalogue import catalogue
from beacon.figures.engine import Figure, Mean, Period, Share, drill_down_count, evaluate
from beacon.figures.tests.factories import call, record
from beacon.figures.views_glance import PAGE_SIZE
from beacon.line.models import Call
from beacon.people.models import Person

BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR_2025 = {"from": "2025-01-01", "to": "2025-12-31"}
DISTINCTIVE = "Zebulonia"


@pytest.fixture
def records_2025(db):
    """Two runaways of the same girl in an institution (one found within 48 h), another runaway,
    a worrying unaccompanied minor, a sextortion case; calls by day and at night; one runaway in
    2024."""
    girl = Person.objects.create(
        first_name=DISTINCTIVE,
        last_name="Quibbleworth",
        date_of_birth=date(2010, 1, 1),
        gender="female",
        in_institution=True,
    )
    first = record("runaway", datetime(2025, 2, 1, 10, tzinfo=BRUSSELS), person=girl)
    Case.objects.filter(pk=first.pk).update(found_at=first.last_seen_at + timedelta(hours=20))
    record("runaway", datetime(2025, 5, 1, 10, tzinfo=BRUSSELS), person=girl)
    record("runaway", datetime(2025, 6, 1, 10, tzinfo=BRUSSELS))
    record("unaccompanied_minor", datetime(2025, 7, 1, 10, tzinfo=BRUSSELS), worrying=True)
    record("sextortion", datetime(2025, 8, 1, 10, tzinfo=BRUSSELS))
    record("runaway", datetime(2024, 8, 1, 10, tzinfo=BRUSSELS))
    call(datetime(2025, 3, 1, 12, tzinfo=BRUSSELS))
    call(datetime(2025, 3, 1, 23, 30, tzinfo=BRUSSELS))
    call(datetime(2025, 3, 2, 6, 59, tzinfo=BRUSSELS))
    call(datetime(2025, 3, 2, 12, tzinfo=BRUSSELS), channel="chat")  # not a call to 116 000
    return girl


def test_known_figures_of_the_hand_made_year(records_2025):
    values = evaluate(catalogue().values(), Period.year(2025))
    assert values["hotline_calls.116000_calls"] == 3
    assert values["hotline_calls.116000_calls_at_night_23h_to_7h"] == 2
    assert values["disappearances_new_cases.runaway"] == 3
    assert values["disappearances_new_cases.total"] == 4
    assert values["disappearances_new_cases.total_worrying"] == 1
    assert values["case_details.runaway.children"] == 2
    assert values["case_details.runaway.children_repeat"] == 1
    assert values["case_details.runaway.found_within_48h_pct"] == 33.3


def test_every_figure_drill_down_lists_as_many_entries_as_the_figure(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    period = Period.year(2025)
    figures = catalogue()
    assert figures
    for key, figure in figures.items():
        counted = figure.part if isinstance(figure, Share) else figure
        response = client.get(reverse("figures:records", args=[key]), YEAR_2025)
        assert response.status_code == 200, key
        total = response.context["total"]
        assert total == drill_down_count(figure, period), key
        if isinstance(counted, Figure):
            assert total == evaluate([counted], period)[counted.key], key
        elif isinstance(figure, Mean):
            assert total == figure.records(*period.bounds).count(), key
        if total <= PAGE_SIZE:
            listed = len(response.context["groups"] or response.context["rows"])
            assert listed == total, key


def test_distinct_drill_down_groups_the_records_by_child(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["case_details.runaway.children"])
    response = client.get(url, YEAR_2025)
    groups = response.context["groups"]
    assert len(groups) == 2
    assert sorted(g["count"] for g in groups) == [1, 2]
    assert sum(len(g["rows"]) for g in groups) == 3


def test_share_drill_down_says_n_of_m(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["case_details.runaway.found_within_48h_pct"])
    response = client.get(url, YEAR_2025)
    assert (response.context["total"], response.context["whole"]) == (1, 3)
    assert "1 of 3" in response.content.decode()


def test_statistics_reader_sees_numbers_but_no_name(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["disappearances_new_cases.runaway"])
    html = client.get(url, YEAR_2025).content.decode()
    assert DISTINCTIVE not in html
    assert "T-1" in html
    assert reverse("cases:detail", args=[Case.objects.get(number="T-1").pk]) not in html


def test_administrator_sees_the_name_and_a_link_to_the_case(records_2025, client, cast):
    client.force_login(cast["administrator"])
    url = reverse("figures:records", args=["disappearances_new_cases.runaway"])
    html = client.get(url, YEAR_2025).content.decode()
    assert DISTINCTIVE in html
    assert reverse("cases:detail", args=[Case.objects.get(number="T-1").pk]) in html


def test_a_drill_down_read_is_audited(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    client.get(reverse("figures:records", args=["hotline_calls.116000_calls"]), YEAR_2025)
    entry = AuditRecord.objects.get(object_type="figures.records")
    assert entry.actor == cast["statistics_reader"]
    assert entry.object_id == "hotline_calls.116000_calls"


def test_glance_shows_figures_growth_and_links(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"), YEAR_2025)
    assert response.status_code == 200
    rows = {row["key"]: row for section in response.context["sections"] for row in section["rows"]}
    assert set(rows) == set(catalogue())
    runaway = rows["disappearances_new_cases.runaway"]
    assert (runaway["value"], runaway["previous"], runaway["growth"]) == ("3", "1", "+200.0 %")
    # Growth against zero is "new".
    assert rows["disappearances_new_cases.unaccompanied_minor"]["growth"] == "new"
    html = response.content.decode()
    link = reverse("figures:records", args=["disappearances_new_cases.runaway"])
    assert f"{link}?from=2025-01-01&amp;to=2025-12-31" in html
    assert f"{link}?from=2024-01-01&amp;to=2024-12-31" in html
    assert not response.context["empty"]


def test_a_share_changes_in_points_and_numbers_read_as_the_language_writes_them(
    records_2025, client, cast
):
    for _ in range(1000):
        call(datetime(2024, 4, 1, 12, tzinfo=BRUSSELS))
    client.force_login(cast["statistics_reader"])
    rows = {
        row["key"]: row
        for section in client.get(reverse("figures:glance"), YEAR_2025).context["sections"]
        for row in section["rows"]
    }
    # 2024: one runaway report, found within 48 h by nobody; 2025: 1 of 3 (33.3 %).
    share = rows["case_details.runaway.found_within_48h_pct"]
    assert (share["value"], share["previous"], share["growth"]) == ("33.3 %", "0.0 %", "+33.3 pp")
    calls = rows["hotline_calls.116000_calls"]
    assert (calls["value"], calls["previous"], calls["growth"]) == ("3", "1,000", "−99.7 %")
    UserProfile.objects.update_or_create(
        user=cast["statistics_reader"], defaults={"language": "nl"}
    )
    nl = client.get(reverse("figures:glance"), YEAR_2025)
    rows = {row["key"]: row for section in nl.context["sections"] for row in section["rows"]}
    assert rows["hotline_calls.116000_calls"]["previous"] == "1.000"
    assert rows["case_details.runaway.found_within_48h_pct"]["value"] == "33,3 %"


def test_glance_of_a_year_has_the_five_year_evolution(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"), YEAR_2025)
    evolution = response.context["evolution"]
    assert evolution["years"] == ["2021", "2022", "2023", "2024", "2025"]
    rows = {row["key"]: row for row in evolution["rows"]}
    assert [v for v, _q in rows["disappearances_new_cases.runaway"]["cells"]] == [
        "0",
        "0",
        "0",
        "1",
        "3",
    ]
    assert "case_details.runaway.children_repeat" not in rows  # depends on its period


def test_glance_of_any_period_has_no_evolution_and_compares_the_period_before(
    records_2025, client, cast
):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"), {"from": "2025-02-01", "to": "2025-05-31"})
    assert response.context["evolution"] is None
    assert response.context["compare"] == Period(date(2024, 10, 4), date(2025, 1, 31))


def test_explicit_comparison_period(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    params = {**YEAR_2025, "compare_from": "2024-08-01", "compare_to": "2024-08-01"}
    response = client.get(reverse("figures:glance"), params)
    rows = {r["key"]: r for s in response.context["sections"] for r in s["rows"]}
    assert rows["disappearances_new_cases.runaway"]["previous"] == "1"


def test_a_period_without_records_is_zeros_and_a_note(records_2025, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"), {"from": "2010-01-01", "to": "2010-12-31"})
    assert response.status_code == 200
    assert response.context["empty"]
    assert "No records in this period" in response.content.decode()
    rows = {r["key"]: r for s in response.context["sections"] for r in s["rows"]}
    assert rows["disappearances_new_cases.total"]["value"] == "0"
    assert rows["case_details.runaway.found_within_48h_pct"]["value"] == "0.0 %"
    assert rows["disappearances_new_cases.total"]["growth"] == "0.0 %"


def test_default_period_is_the_last_complete_year(db, client, cast):
    from django.utils import timezone

    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"))
    assert response.context["period"] == Period.year(timezone.localdate().year - 1)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-12-31", "to": "2025-01-01"},
        {"from": "2025-02-30", "to": "2025-12-31"},
        {"from": "yesterday", "to": "2025-12-31"},
        {"from": "2000-01-01", "to": "2025-12-31"},
        {**YEAR_2025, "compare_from": "1990-01-01", "compare_to": "2024-12-31"},
        {**YEAR_2025, "compare_from": "2024-12-31", "compare_to": "2024-01-01"},
        {"from": "2025-01-01"},
    ],
)
@pytest.mark.parametrize("view", ["glance", "records"])
def test_bad_periods_are_refused_with_400(db, client, cast, params, view):
    client.force_login(cast["statistics_reader"])
    args = [] if view == "glance" else ["hotline_calls.116000_calls"]
    response = client.get(reverse(f"figures:{view}", args=args), params)
    assert response.status_code == 400
    assert response.context["error"]
    assert "sections" not in response.context and "total" not in response.context


@pytest.mark.parametrize("role", ["nobody", "analyst", "case_manager"])
def test_only_readers_of_figures_get_in(db, client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("figures:glance"), YEAR_2025).status_code == 403
    url = reverse("figures:records", args=["hotline_calls.116000_calls"])
    assert client.get(url, YEAR_2025).status_code == 403
    # Permission first: a bad period or an unknown key tells a refused user nothing.
    assert client.get(reverse("figures:glance"), {"from": "x"}).status_code == 403
    assert client.get(reverse("figures:records", args=["nope"])).status_code == 403


def test_anonymous_is_sent_to_log_in(db, client):
    assert client.get(reverse("figures:glance")).status_code == 302


def test_unknown_key_is_404(db, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:records", args=["no.such.figure"]), YEAR_2025)
    assert response.status_code == 404


def test_drill_down_is_paginated_with_the_total_always_shown(db, client, cast):
    start = datetime(2025, 1, 1, 12, tzinfo=BRUSSELS)
    Call.objects.bulk_create(
        Call(
            channel="116000",
            caller_kind="child",
            topic_kind="out_of_scope",
            started_at=start + timedelta(minutes=i),
        )
        for i in range(PAGE_SIZE + 5)
    )
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["hotline_calls.116000_calls"])
    first = client.get(url, YEAR_2025)
    assert (first.context["total"], len(first.context["rows"])) == (PAGE_SIZE + 5, PAGE_SIZE)
    second = client.get(url, {**YEAR_2025, "page": 2})
    assert (second.context["total"], len(second.context["rows"])) == (PAGE_SIZE + 5, 5)
    assert f'data-total="{PAGE_SIZE + 5}"' in second.content.decode()
