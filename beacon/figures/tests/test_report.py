"""The annual report page and its PDF (/figures/report/<year>/) on a small hand-made set of
records whose figures are known by hand: the five-year tables with growth and the taxonomy break,
the figures at a glance, the charts, the appendix, three languages, the PDF, permissions and a
year without records."""

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from beacon.cases.models import Case, Category
from beacon.core.models import UserProfile
from beacon.figures.report import fmt_growth
from beacon.figures.tests.factories import call, record
from beacon.reports.models import Report

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
BRUSSELS = ZoneInfo("Europe/Brussels")


def opened(category_key: str, when: datetime) -> Case:
    return record(category_key, when)


@pytest.fixture
def records(db):
    """2023: one abduction by a third party (a 2021-taxonomy category, used up to 2024);
    2024: two runaways, one call; 2025: three runaways, one disappearance within the family
    context (a 2025 category), one undefined, one grooming, two calls (one at 23:30), one
    report of abuse images."""
    noon = {y: datetime(y, 5, 1, 12, tzinfo=BRUSSELS) for y in (2023, 2024, 2025)}
    opened("legacy_abduction_by_third_party", noon[2023])
    for _ in range(2):
        opened("runaway", noon[2024])
    for _ in range(3):
        opened("runaway", noon[2025])
    opened("family_context", noon[2025])
    opened("undefined_and_other", noon[2025])
    opened("grooming", noon[2025])
    call(noon[2024])
    call(noon[2025])
    call(datetime(2025, 3, 3, 23, 30, tzinfo=BRUSSELS))
    Report.objects.create(number=Report.new_number(), received_at=noon[2025], where_seen="other")


def url(year: int = 2025) -> str:
    return reverse("figures:report", args=[year])


def cells(html: str, row_id: str) -> list[str]:
    """The text of the cells of the table row with id `row_id`."""
    row = re.search(rf'<tr id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]


def glance(html: str, key: str) -> str:
    item = re.search(rf'<li id="glance-{key}">(.*?)</li>', html, re.S)
    assert item, f"no glance item {key}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item[1])).strip()


def test_growth_is_signed_with_one_decimal_and_new_against_zero():
    assert fmt_growth(50.0) == "+50.0 %"
    assert fmt_growth(-3.5) == "−3.5 %"
    assert fmt_growth(0.0) == "0.0 %"
    assert fmt_growth("new") == "new"
    assert fmt_growth(None) == "—"


def test_the_five_year_table_shows_each_category_in_its_years_and_the_break(client, cast, records):
    client.force_login(cast["statistics_reader"])
    response = client.get(url(), {"lang": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert re.search(r"<th>2021</th><th>2022</th><th>2023</th><th>2024</th><th>2025</th>", html)
    missing = "disappearances_new_cases"
    assert cells(html, f"{missing}-runaway")[1:] == ["0", "0", "0", "2", "3", "+50.0 %"]
    # A 2021-taxonomy category: its years only (up to 2024), no growth into 2025.
    assert cells(html, f"{missing}-legacy_abduction_by_third_party")[1:] == [
        "0",
        "0",
        "1",
        "0",
        "",
        "—",
    ]
    # A 2025 category: 2025 only, not comparable with 2024.
    assert cells(html, f"{missing}-family_context")[1:] == ["", "", "", "", "1", "—"]
    # Growth against 0 is "new".
    assert cells(html, f"{missing}-undefined_and_other")[1:] == ["0", "0", "0", "0", "1", "new"]
    # Totals stay comparable across the break.
    assert cells(html, f"{missing}-total")[1:] == ["0", "0", "1", "2", "5", "+150.0 %"]
    assert re.search(r'<tr id="disappearances_new_cases-family_context" class="partial"', html)
    section = html[html.index(f'id="{missing}"') : html.index('id="sexual_exploitation_new_cases"')]
    assert 'class="note break"' in section
    exploitation = "sexual_exploitation_new_cases"
    assert cells(html, f"{exploitation}-grooming")[1:] == ["0", "0", "0", "0", "1", "new"]
    assert cells(html, f"{exploitation}-total_excluding_abuse_image_reports")[1:] == [
        "0",
        "0",
        "0",
        "0",
        "1",
        "new",
    ]
    assert cells(html, f"{exploitation}-total_including_abuse_image_reports")[-2:] == ["2", "new"]


def test_the_figures_at_a_glance_charts_details_and_appendix(client, cast, records):
    client.force_login(cast["statistics_reader"])
    html = client.get(url(), {"lang": "en"}).content.decode()
    assert glance(html, "calls").startswith("2 ")
    assert "+100.0 %" in glance(html, "calls")
    assert glance(html, "calls_at_night").startswith("1 ")
    assert glance(html, "disappearances").startswith("5 ")
    assert glance(html, "exploitation").startswith("1 ")
    assert glance(html, "new_cases").startswith("6 ")
    assert glance(html, "abuse_image_reports").startswith("1 ")
    # One vector chart per section, inline, with distinct ids.
    for chart in ("chart-new-cases", "chart-calls", "chart-hotline"):
        figure = re.search(rf'<figure class="chart" id="{chart}">(.*?)</figure>', html, re.S)
        assert figure and "<svg" in figure[1] and "<image" not in figure[1]
    assert 'id="details-runaway"' in html and 'id="details-sextortion"' in html
    assert 'id="definition-hotline_calls.116000_calls"' in html
    assert 'id="definition-disappearances_new_cases.total"' in html
    assert "half up" in html and 'id="rounding-rule"' in html
    assert 'id="report-empty"' not in html


@pytest.mark.parametrize(
    ("language", "growth"), [("nl", "+50,0 %"), ("fr", "+50,0 %"), ("en", "+50.0 %")]
)
def test_the_report_in_three_languages(client, cast, records, language, growth):
    client.force_login(cast["statistics_reader"])
    html = client.get(url(), {"lang": language}).content.decode()
    assert f'<html lang="{language}">' in html
    assert f'data-language="{language}"' in html
    for section in ("glance", "disappearances_new_cases", "sexual_exploitation_new_cases"):
        assert f'id="{section}"' in html
    assert 'id="appendix"' in html and 'id="report-title"' in html
    assert cells(html, "disappearances_new_cases-runaway")[-1] == growth
    # The category names follow the language (the catalogue reads them in the active language).
    runaway = Category.objects.get(key="runaway")
    with translation.override(language):
        name = runaway.name
    assert cells(html, "disappearances_new_cases-runaway")[0] == name


def test_the_default_language_is_the_users(client, cast, records):
    reader = cast["statistics_reader"]
    UserProfile.objects.update_or_create(user=reader, defaults={"language": "fr"})
    client.force_login(reader)
    html = client.get(url()).content.decode()
    assert '<html lang="fr">' in html
    # German is no language of the report: English then.
    UserProfile.objects.filter(user=reader).update(language="de")
    assert '<html lang="en">' in client.get(url()).content.decode()


def test_the_pdf_renders_pages_with_vector_charts(client, cast, records, tmp_path):
    client.force_login(cast["statistics_reader"])
    response = client.get(url(), {"lang": "nl", "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is missing (scripts/test installs it)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    for number, page in enumerate(pages, start=1):
        assert page.read_bytes().startswith(b"\x89PNG")
        shutil.copy(page, ARTIFACTS / f"annual-report-2025-nl-page-{number}.png")
    # The charts are drawn as vectors: the PDF holds no raster image.
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert len(images) == 2  # the header lines only
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "2025" in text and "+50,0 %" in text


def test_a_year_without_records_shows_zeros_and_a_note(client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(url(2012), {"lang": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-empty"' in html
    assert glance(html, "calls").startswith("0 ")
    assert cells(html, "disappearances_new_cases-total")[1:] == ["0"] * 5 + ["0.0 %"]
    pdf = client.get(url(2012), {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_report_is_refused_without_the_figures_permission(client, cast):
    for role in ("nobody", "case_manager", "analyst"):
        client.force_login(cast[role])
        assert client.get(url()).status_code == 403, role
        assert client.get(url(), {"format": "pdf"}).status_code == 403, role
        assert client.get(reverse("figures:report_latest")).status_code == 403, role
    client.logout()
    assert client.get(url()).status_code == 302  # to the login page


def test_the_latest_report_is_the_last_complete_year(client, cast):
    client.force_login(cast["administrator"])
    response = client.get(reverse("figures:report_latest"), {"lang": "nl"})
    assert response.status_code == 302
    last_year = timezone.localdate().year - 1
    assert response["Location"] == f"{url(last_year)}?lang=nl"


def test_a_year_out_of_range_is_not_found(client, cast):
    client.force_login(cast["statistics_reader"])
    assert client.get(url(1200)).status_code == 404


@pytest.mark.parametrize(
    "language, grouped", [("nl", "12.345"), ("en", "12,345"), ("fr", "12\xa0345")]
)
def test_chart_numbers_are_grouped_the_way_the_language_writes_them(language, grouped):
    from beacon.figures.report_charts import year_bars

    with translation.override(language):
        svg = year_bars(["2024", "2025"], [("calls", [12345.0, 2.0])])
    assert f">{grouped}<" in svg
    assert ">2<" in svg


@pytest.mark.parametrize(
    "kind, current, previous, expected",
    [
        ("count", 117, 100, "+17.0 %"),
        ("total", 5, 0, "new"),
        ("share", 57.5, 55.0, "+2.5 pp"),
        ("share", 0.0, 66.7, "−66.7 pp"),
        ("mean", 14.0, 14.5, "−0.5"),
        ("median", 3.0, 3.0, "0.0"),
        ("mean", None, 14.5, "—"),
    ],
)
def test_a_change_is_a_growth_for_counts_and_a_difference_for_shares_and_means(
    kind, current, previous, expected
):
    from beacon.figures.report import fmt_change

    with translation.override("en"):
        assert fmt_change(kind, current, previous) == expected


def test_details_published_again_for_earlier_years_and_yes_no_answers_read_as_words(db):
    from beacon.figures.catalogue import catalogue
    from beacon.figures.report import _detail_rows

    values = {
        "handled": 1243,
        "handled_2024": 945,
        "all_children_under_13": True,
        "not_a_figure_2024": 3,
    }
    with translation.override("en"):
        rows = dict(_detail_rows(values, catalogue(), "case_details.unaccompanied_minor."))
    handled = next(label for label, value in rows.items() if value == "1,243")
    assert rows[f"{handled} (2024)"] == "945"
    assert rows["Every child under 13"] == "yes"
    # A name with a year but no such figure keeps its name: nothing is invented.
    assert rows["not_a_figure_2024"] == "3"
    with translation.override("nl"):
        rows = dict(_detail_rows({"all_children_under_13": False}, {}, ""))
    assert rows == {"Elk kind jonger dan 13": "nee"}
