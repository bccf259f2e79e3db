"""The civil hotline's and image matching's catalogue figures (beacon/figures/hotline.py,
matching.py) on a small hand-made year whose every answer is counted by hand: reports and their
shares, distinct URLs, notices, referrals, the median times (engine.Median) and the images
analysed (engine.Total), for a period, per year, on an empty period, and their drill-downs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.urls import reverse

from beacon.figures import hotline, matching
from beacon.figures.engine import (
    Figure,
    Median,
    Period,
    Share,
    Total,
    drill_down_count,
    drill_down_total,
    evaluate,
    evaluate_per_year,
)
from beacon.figures.tests.test_hotline_figures import assess, item, notice, removed, report
from beacon.matching.choices import ScanSource
from beacon.matching.models import ScanBatch
from beacon.reports.models import VictimReferral

UTC = ZoneInfo("UTC")
MARCH = datetime(2025, 3, 3, 10, tzinfo=UTC)
MARCH_2024 = datetime(2024, 3, 3, 10, tzinfo=UTC)
YEAR_2025 = {"from": "2025-01-01", "to": "2025-12-31"}
B = "abuse_image_hotline.breakdown."
IMAGES = "abuse_image_hotline.images_analysed_arachnid"


def batch(when: datetime, images: int) -> ScanBatch:
    return ScanBatch.objects.create(source=ScanSource.COUNTED, received_at=when, images=images)


@pytest.fixture
def hand_made(cast):
    """2025: four reports (two on web pages, two on social media) naming four URLs, one of them
    twice; five notices; one referral; three scan batches, one of them received at 00:30 on
    1 January in Brussels. 2024: one social-media report, its notice, referral and batch."""
    analyst = cast["analyst"]
    r1 = report(MARCH)
    r2 = report(MARCH, where="social_media", platform="tiktok")
    r3 = report(MARCH, where="social_media")
    r4 = report(MARCH + timedelta(days=1))
    u1 = item("https://a.example.org/1", r1)
    u2 = item("https://b.example.org/2", r2, r4)  # named twice: one distinct URL
    u3 = item("https://c.example.org/3", r3)
    u5 = item("https://e.example.org/5", r4)
    assess(u1, analyst, self_generated=True)  # illegal, self-generated
    assess(u2, analyst, classification="not_illegal")  # assessable, not illegal
    assess(u3, analyst, accessible=False, classification="")  # not assessable
    assess(u5, analyst)  # illegal
    # Hours from first report to first notice: u1 4, u2 6, u5 10 (median 6).
    notice(u1, "police")
    notice(u1, "platform", at=u1.first_reported_at + timedelta(hours=5), critical=True)
    notice(u2, "hotline", at=u2.first_reported_at + timedelta(hours=6))
    notice(u5, "platform", at=u5.first_reported_at + timedelta(hours=10))
    notice(u5, "police_interpol", at=u5.first_reported_at + timedelta(hours=11))
    # Hours from first notice to removal: u1 20, u5 30 (median 25); u3 had no notice.
    removed(u1, u1.first_notice_at + timedelta(hours=20))
    removed(u5, u5.first_notice_at + timedelta(hours=30))
    removed(u3, MARCH + timedelta(days=3))
    VictimReferral.objects.create(item=u1, referred_at=MARCH + timedelta(days=2))
    batch(MARCH, 100)
    batch(datetime(2025, 9, 1, 10, tzinfo=UTC), 250)
    batch(datetime(2024, 12, 31, 23, 30, tzinfo=UTC), 5)  # 00:30 on 1 January 2025 locally
    old = report(MARCH_2024, where="social_media")
    u4 = item("https://d.example.org/4", old)
    assess(u4, analyst)
    notice(u4, "police")  # 4 hours after the report
    VictimReferral.objects.create(item=u4, referred_at=MARCH_2024)
    batch(MARCH_2024, 40)


def _years(first: int, last: int) -> tuple[datetime, datetime]:
    return Period.year(first).bounds[0], Period.year(last).bounds[1]


EXPECTED_2025 = {
    "abuse_image_hotline.reports_received": 4,
    f"{B}urls": 4,
    f"{B}webpages": 2,
    f"{B}social_media": 2,
    f"{B}social_media_share_pct": 50.0,
    f"{B}assessable": 3,
    f"{B}illegal": 2,
    f"{B}illegal_share_of_assessable_pct": 66.7,
    f"{B}self_generated_reports": 1,
    f"{B}self_generated_share_pct": 50.0,
    f"{B}notices_police": 1,
    f"{B}notices_hotline": 1,
    f"{B}notices_police_interpol": 1,
    f"{B}notices_platform": 2,
    f"{B}trusted_partner_flags": 1,
    f"{B}sent_to_police": 2,
    f"{B}victim_support": 1,
    f"{B}median_hours_to_notice": 6.0,
    f"{B}median_hours_to_removal": 25.0,
}


def test_every_hotline_figure_of_the_hand_made_year(hand_made):
    assert evaluate(hotline.catalogue_figures(), Period.year(2025)) == EXPECTED_2025


def test_period_figures_and_the_breakdown_are_the_catalogue_figures(hand_made):
    start, end = Period.year(2025).bounds
    figures = hotline.period_figures(start, end)
    for key, value in EXPECTED_2025.items():
        assert figures[key.rsplit(".", 1)[-1]] == value, key
    assert figures["top_platforms"] == [("TikTok", 1)]
    breakdown = hotline.year_breakdown(2025, _years)
    assert breakdown["illegal_share_pct"] == 66.7
    # 2024: its one report was seen on social media.
    assert breakdown["social_media_share_pct_2024"] == 100.0


def test_hotline_figures_per_year_and_on_an_empty_year(hand_made):
    figures = [f for f in hotline.catalogue_figures() if f.per_year]
    assert len(figures) == len(hotline.catalogue_figures())
    values = evaluate_per_year(figures, 2023, 2025)
    assert values["abuse_image_hotline.reports_received"] == {"2023": 0, "2024": 1, "2025": 4}
    assert values[f"{B}social_media_share_pct"] == {"2023": 0.0, "2024": 100.0, "2025": 50.0}
    assert values[f"{B}sent_to_police"] == {"2023": 0, "2024": 1, "2025": 2}
    assert values[f"{B}victim_support"] == {"2023": 0, "2024": 1, "2025": 1}
    assert values[f"{B}median_hours_to_notice"] == {"2023": None, "2024": 4.0, "2025": 6.0}
    assert values[f"{B}median_hours_to_removal"] == {"2023": None, "2024": None, "2025": 25.0}
    for key, value in EXPECTED_2025.items():
        assert values[key]["2025"] == value, key
    empty = evaluate(hotline.catalogue_figures(), Period.year(2023))
    assert empty[f"{B}median_hours_to_notice"] is None
    assert empty[f"{B}illegal_share_of_assessable_pct"] == 0.0
    assert empty["abuse_image_hotline.reports_received"] == 0


def test_reports_received_per_year_comes_from_the_catalogue(hand_made):
    start, end = _years(2023, 2025)
    per_year = hotline.reports_received_per_year(2023, 2025, start, end, UTC)
    assert per_year == {"2023": 0, "2024": 1, "2025": 4}


def test_images_analysed_is_a_total_of_the_batches_images(hand_made):
    (figure,) = matching.catalogue_figures()
    assert isinstance(figure, Total) and figure.key == IMAGES
    # 100 + 250 + the 5 received at 00:30 on 1 January in Brussels.
    assert evaluate([figure], Period.year(2025)) == {IMAGES: 355}
    assert evaluate([figure], Period.year(2023)) == {IMAGES: 0}
    assert evaluate_per_year([figure], 2023, 2025) == {IMAGES: {"2023": 0, "2024": 40, "2025": 355}}
    start, end = _years(2023, 2025)
    per_year = matching.images_analysed_per_year(2023, 2025, start, end, UTC)
    assert per_year == {"2023": 0, "2024": 40, "2025": 355}
    assert matching.period_figures(*Period.year(2025).bounds)["images_analysed"] == 355
    # The drill-down lists the three batches; their images add up to the figure.
    assert drill_down_count(figure, Period.year(2025)) == 3
    assert drill_down_total(figure, Period.year(2025)) == 355
    assert drill_down_total(figure, Period.year(2023)) == 0


def test_a_total_with_a_condition(hand_made):
    big = Total(
        key="test.big_batches_images",
        label="big",
        definition=matching.IMAGES_ANALYSED.definition,
        source=matching.SCAN_BATCHES,
        field_name="images",
        # A condition of the period's bounds: not counted per year.
        where=lambda start, end: Q(images__gte=100),
    )
    assert not big.per_year
    assert evaluate([big], Period.year(2025)) == {"test.big_batches_images": 350}
    assert drill_down_count(big, Period.year(2025)) == 2
    assert drill_down_total(big, Period.year(2025)) == 350
    with pytest.raises(ValueError):
        evaluate_per_year([big], 2024, 2025)


def test_every_drill_down_lists_what_its_figure_counts(hand_made, client, cast):
    client.force_login(cast["statistics_reader"])
    period = Period.year(2025)
    figures = [*hotline.catalogue_figures(), *matching.catalogue_figures()]
    values = evaluate(figures, period)
    for figure in figures:
        response = client.get(reverse("figures:records", args=[figure.key]), YEAR_2025)
        assert response.status_code == 200, figure.key
        total = response.context["total"]
        assert total == drill_down_count(figure, period), figure.key
        listed = response.context["groups"] or response.context["rows"]
        assert len(listed) == total, figure.key
        if isinstance(figure, Figure):
            assert total == values[figure.key], figure.key
        elif isinstance(figure, Share):
            assert (total, response.context["whole"]) == (
                values[figure.part.key],
                values[figure.whole.key],
            ), figure.key
        elif isinstance(figure, Total):
            assert response.context["summed"] == values[figure.key] == 355
            assert sum(row["amount"] for row in listed) == 355
        else:
            assert isinstance(figure, Median)
            assert total == figure.records(*period.bounds).count(), figure.key
        # Numbers, dates and kinds: never a reported URL.
        assert "example.org" not in response.content.decode(), figure.key


def test_the_report_drill_down_shows_report_numbers(hand_made, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:records", args=[f"{B}social_media"]), YEAR_2025)
    rows = response.context["rows"]
    assert len(rows) == 2
    assert all(row["number"].strip() for row in rows)
    assert not any(row["number"].startswith("#") for row in rows)


def test_the_urls_drill_down_groups_the_reports_by_url(hand_made, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:records", args=[f"{B}urls"]), YEAR_2025)
    groups = response.context["groups"]
    assert len(groups) == 4
    assert sorted(g["count"] for g in groups) == [1, 1, 1, 2]
