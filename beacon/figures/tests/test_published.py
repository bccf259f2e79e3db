"""Comparing computed figures with a published report, key by key (beacon.figures.published)."""

from beacon.figures.published import (
    DIFFERS,
    NOT_COMPUTED,
    REPRODUCED,
    compare,
    markdown_table,
    matches,
    year_named,
)


def test_a_computed_number_is_rounded_as_the_report_printed_it():
    assert matches(61, 60.5) and matches(61, 61.4) and not matches(61, 61.5)
    assert matches(75.5, 75.5) and not matches(75.5, 75.4)
    assert matches(9595111, 9595110.52) and matches(6356304.88, 6356304.88)
    assert matches("more than half", "more than half") and not matches(True, 1)


def test_year_specific_keys_name_their_report_year_and_year_columns_do_not():
    assert year_named(("case_details_2021", "runaway", "new")) == 2021
    assert year_named(("abuse_image_hotline", "2021_breakdown", "illegal_share_pct")) == 2021
    assert year_named(("funding", "income_sources_pct_2021", "legacies")) == 2021
    assert year_named(("hotline_calls", "116000_calls", "2021")) is None


def test_compare_reads_the_2021_names_and_each_year_in_its_own_figures():
    published = {
        "about": "ignored",
        "hotline_calls": {"116000_calls": {"2021": 10, "2025": 12}},
        "case_details_2021": {"sexting": {"new": 5, "girls_pct": 80}},
        "case_details_2025": {"runaway": {"reports": 7, "unknown_key": 1}},
    }
    f2025 = {
        "hotline_calls": {"116000_calls": {"2021": 10, "2025": 13}},
        "case_details_2025": {"runaway": {"reports": 7}},
    }
    f2021 = {"case_details_2021": {"sexting_without_consent": {"total": 5, "girls_pct": 79.6}}}
    results = {c.key: c.status for c in compare(published, {2025: f2025, 2021: f2021}, 2025)}
    assert results == {
        "hotline_calls/116000_calls/2021": REPRODUCED,
        "hotline_calls/116000_calls/2025": DIFFERS,
        "case_details_2021/sexting/new": REPRODUCED,
        "case_details_2021/sexting/girls_pct": REPRODUCED,
        "case_details_2025/runaway/reports": REPRODUCED,
        "case_details_2025/runaway/unknown_key": NOT_COMPUTED,
    }
    table = markdown_table(compare(published, {2025: f2025, 2021: f2021}, 2025))
    assert "| `case_details_2025` | 2 | 1 | 0 | `runaway/unknown_key` |" in table
