"""The civil hotline's figures on small hand-built sets of records, at their edges; the staff
page, its permission, the CSV and the PDF."""

import csv
import io
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from beacon.core.models import AuditRecord
from beacon.figures.definitions import abuse_image_hotline
from beacon.figures.hotline import (
    dsa_article_22,
    inhope_figures,
    notice_counts,
    period_figures,
    report_counts,
    takedown_times,
    top_platforms,
    urls_reported,
)
from beacon.figures.selectors import hotline_figures_for_user
from beacon.reports.models import (
    Assessment,
    Notice,
    Platform,
    Report,
    ReportUrl,
    UrlItem,
    VictimReferral,
    url_digest,
)

UTC = ZoneInfo("UTC")
BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR_2025 = (datetime(2025, 1, 1, tzinfo=BRUSSELS), datetime(2026, 1, 1, tzinfo=BRUSSELS))
MARCH = datetime(2025, 3, 3, 10, tzinfo=UTC)


def report(received=MARCH, where="web_page", platform: str | None = None) -> Report:
    return Report.objects.create(
        number=Report.new_number(),
        received_at=received,
        where_seen=where,
        platform=Platform.objects.get(key=platform) if platform else None,
    )


def item(url: str, *reports: Report, country: str = "NL") -> UrlItem:
    """A URL named by `reports` (its first report the earliest)."""
    first = min(r.received_at for r in reports)
    url_item = UrlItem.objects.create(
        url=url,
        url_hash=url_digest(url),
        host=url.split("/")[2],
        first_reported_at=first,
        last_reported_at=max(r.received_at for r in reports),
        report_count=len(reports),
        hosting_country=country,
    )
    for r in reports:
        ReportUrl.objects.create(report=r, item=url_item)
    return url_item


def assess(url_item: UrlItem, analyst, *, at=None, second_opinion=False, **values) -> Assessment:
    """An assessment that becomes the URL's current one (as a second opinion does)."""
    values.setdefault("accessible", True)
    if values["accessible"]:
        values.setdefault("classification", "baseline")
    assessment = Assessment.objects.create(
        item=url_item,
        analyst=analyst,
        assessed_at=at or url_item.first_reported_at + timedelta(hours=2),
        second_opinion=second_opinion,
        **values,
    )
    url_item.current_assessment = assessment
    url_item.save(update_fields=["current_assessment"])
    return assessment


def notice(url_item: UrlItem, kind: str, at=None, **values) -> Notice:
    at = at or url_item.first_reported_at + timedelta(hours=4)
    if url_item.first_notice_at is None or at < url_item.first_notice_at:
        url_item.first_notice_at = at
        url_item.save(update_fields=["first_notice_at"])
    return Notice.objects.create(
        reference=Notice.new_reference(),
        item=url_item,
        kind=kind,
        recipient="Recipient (test)",
        created_at=at,
        **values,
    )


def removed(url_item: UrlItem, at: datetime) -> None:
    url_item.removed_at = at
    url_item.save(update_fields=["removed_at"])


@pytest.fixture
def analyst(cast):
    return cast["analyst"]


def test_years_are_local_a_report_at_2330_utc_on_new_years_eve_counts_next_year(db):
    report(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January in Brussels
    report(datetime(2024, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 on 31 December in Brussels
    report(datetime(2025, 12, 31, 22, 59, tzinfo=UTC), where="social_media", platform="tiktok")
    report(datetime(2025, 12, 31, 23, 0, tzinfo=UTC))  # midnight: 2026
    section = abuse_image_hotline(2024, 2025)
    assert section["reports_received"] == {"2024": 1, "2025": 2}
    breakdown = section["2025_breakdown"]
    assert (breakdown["social_media"], breakdown["social_media_share_pct"]) == (1, 50.0)
    assert breakdown["social_media_share_pct_2024"] == 0.0
    assert breakdown["top_platforms"] == ["TikTok"]


def test_a_url_reported_twice_is_one_url_and_both_reports_count(db, analyst):
    first, second = report(), report(MARCH + timedelta(days=1))
    assess(item("https://host-1.example.org/p/a", first, second), analyst)
    assert urls_reported(*YEAR_2025) == 1
    counts = report_counts(*YEAR_2025)
    assert (counts["reports_received"], counts["assessable"], counts["illegal"]) == (2, 2, 2)


def test_an_inaccessible_url_is_not_assessable_unless_the_report_names_an_accessible_one(
    db, analyst
):
    gone, mixed, waiting = report(), report(), report()
    assess(item("https://host-1.example.org/p/gone", gone), analyst, accessible=False,
           inaccessible_reason="gone")  # fmt: skip
    assess(item("https://host-2.example.org/p/paywall", mixed), analyst, accessible=False,
           inaccessible_reason="paywall")  # fmt: skip
    assess(item("https://host-3.example.org/p/legal", mixed), analyst,
           classification="not_illegal")  # fmt: skip
    item("https://host-4.example.org/p/new", waiting)  # not assessed yet
    counts = report_counts(*YEAR_2025)
    assert counts == {
        "reports_received": 3,
        "webpages": 3,
        "social_media": 0,
        "assessable": 1,
        "illegal": 0,
        "self_generated_reports": 0,
    }
    assert urls_reported(*YEAR_2025) == 4


def test_a_second_opinion_replaces_the_first(db, analyst, cast):
    hard = item("https://host-1.example.org/p/hard", report())
    assess(hard, analyst, classification="national", self_generated=True)
    assert report_counts(*YEAR_2025)["illegal"] == 1
    assess(hard, cast["administrator"], classification="not_illegal", second_opinion=True)
    counts = report_counts(*YEAR_2025)
    assert (counts["assessable"], counts["illegal"], counts["self_generated_reports"]) == (1, 0, 0)
    assert inhope_figures(*YEAR_2025)["by_classification"] == {"not_illegal": 1}


def test_illegal_share_and_self_generated_share_half_up(db, analyst):
    # 3 illegal of 8 assessable = 37.5%; 1 self-generated of 3 illegal = 33.3%.
    for n in range(8):
        classification = "baseline" if n < 3 else "not_illegal"
        assess(item(f"https://host-{n}.example.org/p/x", report()), analyst,
               classification=classification, self_generated=n == 0)  # fmt: skip
    figures = period_figures(*YEAR_2025)
    assert figures["illegal_share_of_assessable_pct"] == 37.5
    assert (figures["self_generated_reports"], figures["self_generated_share_pct"]) == (1, 33.3)
    # Self-generated but not illegal is not counted.
    assess(UrlItem.objects.get(url="https://host-7.example.org/p/x"), analyst,
           classification="not_illegal", self_generated=True)  # fmt: skip
    assert period_figures(*YEAR_2025)["self_generated_reports"] == 1


def test_notices_of_each_kind_critical_flags_and_police(db, analyst):
    items = [item(f"https://host-{n}.example.org/p/n", report()) for n in range(6)]
    tiktok = Platform.objects.get(key="tiktok")
    notice(items[0], "police")
    notice(items[1], "police_interpol")
    notice(items[2], "hotline", critical=True)  # critical only counts for platforms
    notice(items[3], "platform", platform=tiktok, critical=True)
    notice(items[4], "platform", platform=tiktok)
    # A notice decided after the period (00:00 on 1 January 2026, Brussels) is not counted.
    notice(items[5], "platform", platform=tiktok, critical=True,
           at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC))  # fmt: skip
    VictimReferral.objects.create(item=items[0], referred_at=MARCH)
    VictimReferral.objects.create(item=items[1], referred_at=datetime(2024, 12, 31, 23, tzinfo=UTC))
    assert notice_counts(*YEAR_2025) == {
        "notices_police": 1,
        "notices_hotline": 1,
        "notices_police_interpol": 1,
        "notices_platform": 2,
        "trusted_partner_flags": 1,
        "sent_to_police": 2,
    }
    assert period_figures(*YEAR_2025)["victim_support"] == 2  # 00:00 1 January counts


def test_top_platforms_by_reports_ties_by_name_without_other(db):
    for key, n in {"telegram": 3, "tiktok": 2, "snapchat": 2, "other": 5, "instagram": 1}.items():
        for _ in range(n):
            report(where="social_media", platform=key)
    report(where="web_page")
    report(where="social_media")  # no platform named
    assert top_platforms(*YEAR_2025) == [
        ("Telegram", 3),
        ("Snapchat", 2),
        ("TikTok", 2),
        ("Instagram", 1),
    ]


def test_median_times_to_notice_and_to_removal(db):
    times = []
    for n, (to_notice, to_removal) in enumerate([(2, 10), (4, 20), (10, 60), (12, None)]):
        url_item = item(f"https://host-{n}.example.org/p/t", report())
        sent = url_item.first_reported_at + timedelta(hours=to_notice)
        notice(url_item, "hotline", at=sent)
        if to_removal is not None:
            removed(url_item, sent + timedelta(hours=to_removal))
        times.append(url_item)
    # Gone before any notice: not a takedown.
    early = item("https://host-9.example.org/p/early", report())
    notice(early, "hotline", at=early.first_reported_at + timedelta(hours=30))
    removed(early, early.first_reported_at + timedelta(hours=1))
    result = takedown_times(*YEAR_2025)
    assert result == {"median_hours_to_notice": 10.0, "median_hours_to_removal": 20.0}
    assert takedown_times(*YEAR_2025[:1], YEAR_2025[0] + timedelta(days=1)) == {
        "median_hours_to_notice": None,
        "median_hours_to_removal": None,
    }


def test_inhope_removal_within_3_and_7_days_of_the_first_report(db, analyst):
    for n, days in enumerate([timedelta(days=3), timedelta(days=3, seconds=1),
                              timedelta(days=7), None]):  # fmt: skip
        url_item = item(f"https://host-{n}.example.org/p/r", report(), country="US")
        assess(url_item, analyst, site_type="image_host", age_group="pubescent")
        notice(url_item, "hotline")
        if days is not None:
            removed(url_item, url_item.first_reported_at + days)
    no_notice = item("https://host-8.example.org/p/r", report(), country="")
    assess(no_notice, analyst, site_type="forum", hosting_country="DE")
    legal = item("https://host-9.example.org/p/r", report())
    assess(legal, analyst, classification="not_illegal")
    figures = inhope_figures(*YEAR_2025)
    assert figures["illegal_noticed"] == 4
    assert figures["removed_within_3_days_pct"] == 25.0
    assert figures["removed_within_7_days_pct"] == 75.0
    assert figures["by_classification"] == {"baseline": 5, "not_illegal": 1}
    # The URL's hosting country, else the assessment's.
    assert figures["by_hosting_country"] == {"US": 4, "DE": 1}
    assert figures["by_site_type"] == {"image_host": 4, "forum": 1}
    assert figures["by_age_group"] == {"pubescent": 4, "unknown": 1}


def test_dsa_article_22_report(db, analyst):
    tiktok, telegram = Platform.objects.get(key="tiktok"), Platform.objects.get(key="telegram")
    rows = [(tiktok, "removed", 2, "image"), (tiktok, "", None, "video"),
            (telegram, "no_action", 6, "image")]  # fmt: skip
    for n, (platform, decision, hours, content) in enumerate(rows):
        url_item = item(f"https://social-{n}.example.org/post/d", report())
        assess(url_item, analyst, classification="baseline" if n else "national",
               content_type=content)  # fmt: skip
        sent = url_item.first_reported_at + timedelta(hours=1)
        notice(url_item, "platform", at=sent, platform=platform, critical=n == 0,
               trusted_flagger=True, decision=decision,
               decided_at=sent + timedelta(hours=hours) if hours else None)  # fmt: skip
    notice(item("https://host-5.example.org/p/x", report()), "police")
    assert dsa_article_22(*YEAR_2025) == {
        "notices": 3,
        "critical": 1,
        "by_hosting_provider": {"TikTok": 2, "Telegram": 1},
        "by_type_of_illegal_content": {"baseline": 2, "national": 1},
        "by_content_type": {"image": 2, "video": 1},
        "by_action_taken": {"no_action": 1, "pending": 1, "removed": 1},
        "median_hours_to_decision": 4.0,
    }


def test_only_hotline_staff_and_statistics_readers_see_the_figures(cast):
    for role in ("analyst", "administrator", "statistics_reader"):
        assert "reports" in hotline_figures_for_user(user=cast[role], start=YEAR_2025[0],
                                                     end=YEAR_2025[1])  # fmt: skip
    for role in ("case_manager", "first_responder", "team_lead", "finance", "nobody"):
        with pytest.raises(PermissionDenied):
            hotline_figures_for_user(user=cast[role], start=YEAR_2025[0], end=YEAR_2025[1])


# --- the page -----------------------------------------------------------------------------------

URL = "/figures/hotline/"


@pytest.fixture
def some_records(db, analyst):
    telegram = Platform.objects.get(key="telegram")
    social = item("https://social-telegram.example.org/post/x",
                  report(where="social_media", platform="telegram"))  # fmt: skip
    assess(social, analyst, content_type="video")
    notice(social, "platform", platform=telegram, critical=True)
    web = item("https://host-1.example.org/p/y", report())
    assess(web, analyst, accessible=False, inaccessible_reason="gone")


def test_the_page_shows_the_figures_of_the_period(client, cast, some_records):
    client.force_login(cast["analyst"])
    response = client.get(URL, {"from": "2025-01-01", "to": "2025-12-31"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Reports received" in text and "Critical flags to platforms" in text
    assert "Telegram" in text and "Trusted flagger report (DSA Article 22)" in text
    assert "social-telegram.example.org" not in text  # aggregates only
    # The day after the period holds nothing.
    response = client.get(URL, {"from": "2026-01-01", "to": "2026-01-01"})
    tables = {t["key"]: dict(t["rows"]) for t in response.context["tables"]}
    assert tables["reports"]["Reports received"] == "0"


def test_the_page_is_refused_to_roles_without_the_permission(client, cast):
    for role in ("case_manager", "nobody"):
        client.force_login(cast[role])
        before = AuditRecord.objects.filter(action="denied").count()
        response = client.get(URL, {"format": "csv"})
        assert response.status_code == 403
        assert AuditRecord.objects.filter(action="denied").count() == before + 1
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_bad_dates_are_told_and_nothing_exported(client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(URL, {"from": "2025-13-01", "to": "2025-12-31", "format": "csv"})
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    response = client.get(URL, {"from": "2025-12-31", "to": "2025-01-01"})
    assert response.status_code == 400
    assert "must not end before it starts" in response.content.decode()


def test_csv_has_one_row_per_figure(client, cast, some_records):
    client.force_login(cast["analyst"])
    response = client.get(URL, {"from": "2025-01-01", "to": "2025-12-31", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "key", "value"]
    values = {(section, key): value for section, key, value in rows[1:]}
    assert values[("period", "from")] == "2025-01-01"
    assert values[("reports", "reports_received")] == "2"
    assert values[("reports", "assessable")] == "1"
    assert values[("reports", "social_media_share_pct")] == "50.0"
    assert values[("reports", "trusted_partner_flags")] == "1"
    assert values[("top_platforms", "Telegram")] == "1"
    assert values[("notices_by_kind", "platform")] == "1"
    assert values[("dsa_by_content_type", "video")] == "1"
    assert values[("reports", "median_hours_to_removal")] == ""
    assert len(rows) == len(set(values)) + 1  # no figure twice


def test_pdf_is_rendered_from_the_page(client, cast, some_records, tmp_path):
    client.force_login(cast["administrator"])
    response = client.get(URL, {"from": "2025-01-01", "to": "2025-12-31", "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    path = tmp_path / "figures.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        assert "Pages:" in info.stdout and "Pages:          0" not in info.stdout
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Civil hotline: figures" in text
        assert "Reports received" in text and "Telegram" in text
        assert "From 2025-01-01 to 2025-12-31" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
            check=True,
        )
        (png,) = tmp_path.glob("p-*.png")
        assert png.read_bytes().startswith(b"\x89PNG")
        assert png.stat().st_size > 5000  # a drawn page, not a blank one
