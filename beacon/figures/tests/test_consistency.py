"""The consistency check: each kind of contradiction planted in a hand-made report is found,
and a report computed from hand-made records has none."""

import copy
from datetime import datetime

import pytest
from django.utils import translation

from beacon.figures.consistency import Contradiction, check
from beacon.figures.definitions import figures_for_year
from beacon.figures.tests.test_figures import UTC, record, victim_case
from beacon.line.models import Call
from beacon.reports.models import Report

CONSISTENT: dict = {
    "years": [2024, 2025],
    "disappearances_new_cases": {
        "runaway": {"2024": 10, "2025": 12},
        "family_context": {"2025": 3},
        "legacy_abduction_by_third_party": {"2024": 2},
        "total": {"2024": 12, "2025": 15},
        "total_worrying": {"2024": 4, "2025": 15},
    },
    "sexual_exploitation_new_cases": {
        "child_prostitution": {"2024": 1, "2025": 2},
        "sexting_without_consent": {"2024": 3, "2025": 4},
        "sextortion": {"2024": 5, "2025": 6},
        "grooming": {"2024": 0, "2025": 1},
        "total_excluding_abuse_image_reports": {"2024": 9, "2025": 13},
        "total_including_abuse_image_reports": {"2024": 109, "2025": 63},
    },
    "abuse_image_hotline": {
        "reports_received": {"2024": 100, "2025": 50},
        "2025_breakdown": {"reports_received": 50, "illegal_share_pct": 44.4},
    },
    "search_campaigns": {
        "total": {"2024": 7, "2025": 9},
        "public_poster_campaigns_social_networks_childrescue": {"2024": 5, "2025": 6},
        "discrete_vignette_campaigns": {"2024": 2, "2025": 3},
    },
    "funding": {"income_sources_pct_2021": {"legacies": 9.2}},
    "prevention": {
        "school_sessions": {"2024": 30, "2025": 40},
        "2025": {"school_sessions": 40, "police_trainings": 2},
    },
    "case_details_2025": {
        "runaway": {
            "reports": 12,
            "children": 9,
            "children_repeat": 2,
            "children_repeat_pct": 22.2,
        },
        "child_prostitution": {"total": 2, "under_16_pct": 50.0},
        "sexting_without_consent": {"total": 4, "girls_pct": 100.0},
        "sextortion": {
            "total": 6,
            "financial_pct": 50.0,
            "content": {"total": 3, "girls_pct": 0.0},
            "financial": {"total": 3, "male_pct": 100.0},
        },
        "grooming": {"total": 1, "girls_pct": None},
    },
}


def planted(path: str, value) -> dict:
    """CONSISTENT with the value at the dotted `path` replaced."""
    figures = copy.deepcopy(CONSISTENT)
    *parents, last = path.split(".")
    node: dict = figures
    for part in parents:
        node = node[part]
    node[last] = value
    return figures


def test_the_hand_made_report_is_consistent():
    assert check(CONSISTENT) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "disappearances_new_cases.total.2025",
            16,
            Contradiction(
                "sum",
                (
                    "disappearances_new_cases.total.2025",
                    "disappearances_new_cases.runaway.2025",
                    "disappearances_new_cases.family_context.2025",
                ),
                (16, 12, 3),
            ),
        ),
        (
            "sexual_exploitation_new_cases.total_excluding_abuse_image_reports.2024",
            10,
            None,  # two contradictions: its own sum, and the total including the reports
        ),
        (
            "sexual_exploitation_new_cases.total_including_abuse_image_reports.2025",
            13,
            Contradiction(
                "sum",
                (
                    "sexual_exploitation_new_cases.total_including_abuse_image_reports.2025",
                    "sexual_exploitation_new_cases.total_excluding_abuse_image_reports.2025",
                    "abuse_image_hotline.reports_received.2025",
                ),
                (13, 13, 50),
            ),
        ),
        (
            "search_campaigns.total.2024",
            8,
            Contradiction(
                "sum",
                (
                    "search_campaigns.total.2024",
                    "search_campaigns.public_poster_campaigns_social_networks_childrescue.2024",
                    "search_campaigns.discrete_vignette_campaigns.2024",
                ),
                (8, 5, 2),
            ),
        ),
        (
            "disappearances_new_cases.total_worrying.2024",
            13,
            Contradiction(
                "part_of_whole",
                (
                    "disappearances_new_cases.total_worrying.2024",
                    "disappearances_new_cases.total.2024",
                ),
                (13, 12),
            ),
        ),
        (
            "case_details_2025.runaway.children",
            13,
            None,  # more children than reports, and the repeaters stay within them
        ),
        (
            "case_details_2025.runaway.children_repeat",
            10,
            Contradiction(
                "part_of_whole",
                ("case_details_2025.runaway.children_repeat", "case_details_2025.runaway.children"),
                (10, 9),
            ),
        ),
        (
            "case_details_2025.runaway.children_repeat_pct",
            100.1,
            Contradiction(
                "share_range", ("case_details_2025.runaway.children_repeat_pct",), (100.1,)
            ),
        ),
        (
            "funding.income_sources_pct_2021.legacies",
            -0.5,
            Contradiction("share_range", ("funding.income_sources_pct_2021.legacies",), (-0.5,)),
        ),
        (
            "abuse_image_hotline.2025_breakdown.illegal_share_pct",
            144.4,
            Contradiction(
                "share_range", ("abuse_image_hotline.2025_breakdown.illegal_share_pct",), (144.4,)
            ),
        ),
        (
            "disappearances_new_cases.runaway.2024",
            9,
            None,  # the 2024 total no longer adds up (details are about 2025 only)
        ),
        (
            "case_details_2025.sexting_without_consent.total",
            5,
            Contradiction(
                "same_figure",
                (
                    "case_details_2025.sexting_without_consent.total",
                    "sexual_exploitation_new_cases.sexting_without_consent.2025",
                ),
                (5, 4),
            ),
        ),
        (
            "abuse_image_hotline.2025_breakdown.reports_received",
            51,
            Contradiction(
                "same_figure",
                (
                    "abuse_image_hotline.2025_breakdown.reports_received",
                    "abuse_image_hotline.reports_received.2025",
                ),
                (51, 50),
            ),
        ),
        (
            "prevention.2025.school_sessions",
            41,
            Contradiction(
                "same_figure",
                ("prevention.2025.school_sessions", "prevention.school_sessions.2025"),
                (41, 40),
            ),
        ),
        (
            "case_details_2025.sextortion.content.total",
            4,
            Contradiction(
                "part_of_whole",
                (
                    "case_details_2025.sextortion.content.total"
                    " + case_details_2025.sextortion.financial.total",
                    "case_details_2025.sextortion.total",
                ),
                (7, 6),
            ),
        ),
    ],
)
def test_a_planted_contradiction_is_found(path, value, expected):
    found = check(planted(path, value))
    if expected is not None:
        assert found == [expected]
    else:
        assert found
        assert all(path in c.keys for c in found)


def test_the_runaway_reports_of_the_details_are_those_of_the_table():
    found = check(planted("case_details_2025.runaway.reports", 11))
    assert found == [
        Contradiction(
            "same_figure",
            ("case_details_2025.runaway.reports", "disappearances_new_cases.runaway.2025"),
            (11, 12),
        )
    ]


def test_more_runaway_children_than_reports_is_found():
    found = check(planted("case_details_2025.runaway.children", 13))
    assert (
        Contradiction(
            "part_of_whole",
            ("case_details_2025.runaway.children", "case_details_2025.runaway.reports"),
            (13, 12),
        )
        in found
    )


def test_each_exploitation_category_s_details_total_is_its_new_case_files():
    for key in ("child_prostitution", "sextortion", "grooming"):
        found = check(planted(f"case_details_2025.{key}.total", 99))
        assert [c.keys for c in found if c.rule == "same_figure"] == [
            (f"case_details_2025.{key}.total", f"sexual_exploitation_new_cases.{key}.2025")
        ]


def test_the_message_names_the_keys_and_values_in_the_active_language():
    contradiction = check(planted("search_campaigns.total.2024", 8))[0]
    assert contradiction.message == "search_campaigns.total.2024 is 8, but its parts add up to 7."
    with translation.override("nl"):
        dutch = contradiction.message
    assert "search_campaigns.total.2024" in dutch and "8" in dutch and "7" in dutch


def test_figures_computed_from_hand_made_records_have_no_contradiction(db):
    child = record("runaway", datetime(2025, 2, 1, 12, tzinfo=UTC), worrying=True).person
    record("runaway", datetime(2025, 6, 1, 12, tzinfo=UTC), person=child)
    record("runaway", datetime(2024, 6, 1, 12, tzinfo=UTC))
    record("unaccompanied_minor", datetime(2025, 3, 1, 12, tzinfo=UTC))
    record("legacy_abduction_by_third_party", datetime(2024, 3, 1, 12, tzinfo=UTC))
    victim_case("sextortion", age=15, subkind="financial", gender="male")
    victim_case("sextortion", age=14, subkind="content")
    victim_case("grooming", age=12)
    victim_case("child_prostitution", age=15, opened=datetime(2024, 4, 1, 12, tzinfo=UTC))
    Report.objects.create(
        number=Report.new_number(),
        received_at=datetime(2025, 1, 5, 12, tzinfo=UTC),
        where_seen="other",
    )
    Call.objects.create(
        channel="116000",
        caller_kind="child",
        topic_kind="out_of_scope",
        started_at=datetime(2025, 1, 5, 12, tzinfo=UTC),
    )
    figures = figures_for_year(2025)
    assert figures["disappearances_new_cases"]["total"] == {"2024": 2, "2025": 3}
    assert figures["case_details_2025"]["runaway"]["children"] == 1
    assert check(figures) == []
    assert check(figures_for_year(2026)) == []
