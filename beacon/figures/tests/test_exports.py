"""CSV and XLSX exports of the figures: from `beacon figures` and from /figures/export/."""

import csv
import io
import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from beacon.figures import exports
from beacon.figures.consistency import Contradiction
from beacon.figures.tests.test_consistency import CONSISTENT, planted
from beacon.figures.tests.test_figures import UTC, record, victim_case


def without_years(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key != "years"}


def some_records() -> None:
    record("runaway", datetime(2024, 5, 1, 12, tzinfo=UTC), worrying=True)
    record("runaway", datetime(2025, 5, 1, 12, tzinfo=UTC))
    record("family_context", datetime(2025, 6, 1, 12, tzinfo=UTC))
    victim_case("sextortion", age=15, subkind="financial", gender="male")
    # An abduction outside the family: "every child under 13" is a yes/no figure.
    record("abduction_outside_family", datetime(2025, 7, 1, 12, tzinfo=UTC))


# --- the writers ---------------------------------------------------------------------------------


def test_csv_rows_parse_back_to_the_figures():
    text = exports.to_csv(CONSISTENT)
    assert exports.parse_csv(text) == without_years(CONSISTENT)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "year", "value"]
    assert ["disappearances_new_cases", "runaway.2024", "2024", "10"] in rows
    assert ["case_details_2025", "runaway.children_repeat_pct", "2025", "22.2"] in rows
    assert ["abuse_image_hotline", "2025_breakdown.reports_received", "2025", "50"] in rows
    assert ["funding", "income_sources_pct_2021.legacies", "2021", "9.2"] in rows
    assert ["case_details_2025", "grooming.girls_pct", "2025", ""] in rows
    assert len(rows) == 1 + sum(1 for _ in exports.rows(CONSISTENT))


def test_csv_keeps_lists_words_and_empty_tables():
    figures = {
        "x": {"top_platforms": ["Telegram", "TikTok"], "growth": {"2025": "new"}, "none": {}},
        "empty": {},
    }
    assert exports.parse_csv(exports.to_csv(figures)) == figures


def test_xlsx_has_a_sheet_per_section_with_the_years_as_columns_and_the_checks():
    found = [Contradiction("sum", ("a.total.2025", "a.b.2025"), (2, 1))]
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(CONSISTENT, found)))
    assert workbook.sheetnames == [*without_years(CONSISTENT), "checks"]
    table = [list(row) for row in workbook["disappearances_new_cases"].iter_rows(values_only=True)]
    assert table[0] == ["key", 2024, 2025]
    assert ["runaway", 10, 12] in table
    assert ["family_context", None, 3] in table
    assert ["total_worrying", 4, 15] in table
    details = [list(r) for r in workbook["case_details_2025"].iter_rows(values_only=True)]
    assert details[0] == ["key", 2025]
    assert ["sextortion.financial.male_pct", 100.0] in details
    hotline = [list(r) for r in workbook["abuse_image_hotline"].iter_rows(values_only=True)]
    assert ["breakdown.reports_received", None, 50] in hotline
    checks = [list(r) for r in workbook["checks"].iter_rows(values_only=True)]
    assert checks == [
        ["rule", "keys", "values", "message"],
        ["sum", "a.total.2025, a.b.2025", "2, 1", "a.total.2025 is 2, but its parts add up to 1."],
    ]


def test_xlsx_keeps_two_figures_that_share_a_key_and_a_year():
    figures = {"prevention": {"school_sessions": {"2021": 5}, "2021": {"school_sessions": 6}}}
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(figures, [])))
    rows = [list(r) for r in workbook["prevention"].iter_rows(values_only=True)]
    assert rows == [["key", 2021], ["school_sessions", 5], ["2021.school_sessions", 6]]


# --- the command ---------------------------------------------------------------------------------


def test_command_csv_matches_its_json(db):
    some_records()
    as_json, as_csv = StringIO(), StringIO()
    call_command("figures", year=2025, format="json", stdout=as_json, stderr=StringIO())
    call_command("figures", year=2025, format="csv", stdout=as_csv, stderr=StringIO())
    figures = json.loads(as_json.getvalue())
    assert exports.parse_csv(as_csv.getvalue()) == without_years(figures)
    assert figures["disappearances_new_cases"]["total"] == {"2024": 1, "2025": 3}
    # A yes/no figure reads back as one, not as the text "False" (the child's age is unknown).
    assert (
        figures["case_details_2025"]["abduction_outside_family"]["all_children_under_13"] is False
    )


def test_command_writes_xlsx_to_the_output_file(db, tmp_path):
    some_records()
    target = tmp_path / "figures.xlsx"
    err = StringIO()
    call_command("figures", year=2025, format="xlsx", output=str(target), stderr=err)
    workbook = load_workbook(target)
    assert "checks" in workbook.sheetnames
    assert "case_details_2025" in workbook.sheetnames
    rows = [list(r) for r in workbook["disappearances_new_cases"].iter_rows(values_only=True)]
    assert ["runaway", 1, 1] in rows
    assert workbook["checks"].max_row == 1  # the header: no contradiction
    assert err.getvalue() == ""


def test_command_writes_csv_to_the_output_file(db, tmp_path):
    some_records()
    target = tmp_path / "figures.csv"
    out = StringIO()
    call_command("figures", year=2025, format="csv", output=str(target), stdout=out)
    assert out.getvalue() == ""
    parsed = exports.parse_csv(target.read_text(encoding="utf-8"))
    assert parsed["disappearances_new_cases"]["runaway"] == {"2024": 1, "2025": 1}


def test_command_xlsx_without_output_is_refused(db):
    with pytest.raises(CommandError, match="--output"):
        call_command("figures", year=2025, format="xlsx", stdout=StringIO())


def test_command_refuses_a_comparison_longer_than_twenty_years(db):
    with pytest.raises(CommandError, match="21 years before"):
        call_command("figures", year=2025, since=2004, stdout=StringIO())
    out = StringIO()
    call_command("figures", year=2025, since=2005, stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["years"][0] == 2005


def test_command_refuses_an_unknown_format(db):
    with pytest.raises(CommandError, match="invalid choice: 'pdf'"):
        call_command("figures", "--year", "2025", "--format", "pdf", stdout=StringIO())


def test_command_year_without_records_prints_zeros_and_a_note(db):
    out, err = StringIO(), StringIO()
    call_command("figures", year=2025, format="json", stdout=out, stderr=err)
    figures = json.loads(out.getvalue())
    assert figures["disappearances_new_cases"]["total"] == {"2025": 0}
    assert figures["case_details_2025"]["runaway"]["children_repeat_pct"] in (0, 0.0, None)
    assert "no records for 2025" in err.getvalue()


def test_command_with_records_prints_no_note(db):
    some_records()
    err = StringIO()
    call_command("figures", year=2025, format="csv", stdout=StringIO(), stderr=err)
    assert "no records" not in err.getvalue()


def test_contradictions_go_to_stderr_and_fail_only_when_strict(db, monkeypatch):
    # The figures Beacon computes cannot contradict each other; to see the command report a
    # contradiction, the command is given a report with one planted.
    from beacon.figures.management.commands import figures as command

    monkeypatch.setattr(
        command, "figures_for_year", lambda year, since: planted("search_campaigns.total.2024", 8)
    )
    out, err = StringIO(), StringIO()
    call_command("figures", year=2025, format="csv", stdout=out, stderr=err)
    assert "search_campaigns.total.2024 is 8, but its parts add up to 7." in err.getvalue()
    assert exports.parse_csv(out.getvalue())["search_campaigns"]["total"]["2024"] == 8
    with pytest.raises(CommandError, match="1 contradiction"):
        call_command("figures", year=2025, format="csv", strict=True, stdout=StringIO())


# --- the download --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["statistics_reader", "administrator"])
def test_readers_of_figures_download_csv(client, cast, role):
    some_records()
    client.force_login(cast[role])
    response = client.get(reverse("figures:export"), {"year": 2025, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="beacon-figures-2025.csv"'
    parsed = exports.parse_csv(response.content.decode())
    assert parsed["disappearances_new_cases"]["runaway"] == {"2024": 1, "2025": 1}


def test_readers_of_figures_download_xlsx(client, cast):
    some_records()
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:export"), {"year": 2025, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="beacon-figures-2025.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[-1] == "checks"
    rows = [list(r) for r in workbook["sexual_exploitation_new_cases"].iter_rows(values_only=True)]
    assert ["sextortion", 0, 1] in rows


@pytest.mark.parametrize(
    "role", ["analyst", "case_manager", "first_responder", "finance", "team_lead", "nobody"]
)
def test_others_are_refused_the_download(client, cast, role):
    client.force_login(cast[role])
    response = client.get(reverse("figures:export"), {"year": 2025, "format": "csv"})
    assert response.status_code == 403
    # Bad input is no way round the permission either.
    assert client.get(reverse("figures:export"), {"year": "x"}).status_code == 403


def test_anonymous_users_are_refused_the_download(client, db):
    response = client.get(reverse("figures:export"), {"year": 2025, "format": "csv"})
    assert response.status_code in (302, 403)
    assert not response.get("Content-Disposition")


@pytest.mark.parametrize(
    "query",
    [
        {"format": "csv"},
        {"year": "twenty", "format": "csv"},
        {"year": "25", "format": "csv"},
        {"year": "2025", "format": "pdf"},
        {"year": "2025", "format": "json"},
    ],
)
def test_bad_year_or_format_is_a_bad_request(client, cast, query):
    client.force_login(cast["statistics_reader"])
    assert client.get(reverse("figures:export"), query).status_code == 400
