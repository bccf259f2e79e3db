"""Beacon's own figures checked against each other before they are published.

The published reports contradict themselves in places (a total that is not the sum of its rows,
a figure quoted twice with two values: `conflicts` in shared/reference/published-figures.json).
`check` reads the output of `figures_for_year` and lists every such contradiction, so a report
computed from the records can be shown to have none:

- a total equals the sum of its parts: new missing-child case files per category add up to
  `total`; the four exploitation categories add up to `total_excluding_abuse_image_reports`, and
  that plus the civil hotline's reports received is `total_including_abuse_image_reports`; search
  campaigns: `total` is public plus discrete campaigns;
- a part is not larger than its whole: worrying disappearances of a year are at most all of them;
  runaway children are at most the runaway reports, repeaters at most the children; the
  sextortion cases of each sub-kind together are at most all sextortion cases;
- every share (a key with `_pct`) lies between 0 and 100;
- a figure quoted in two places is the same: the runaway reports of the details and of the
  five-year table; each exploitation category's details `total` and its new case files; the
  civil hotline's year breakdown and its reports per year; a prevention figure of a year's
  summary (`prevention.2025.school_sessions`) and of its multi-year table.

A missing key is no contradiction (a section may not compute it for its years).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DISAPPEARANCE_TOTALS = ("total", "total_worrying")
EXPLOITATION_TOTALS = ("total_excluding_abuse_image_reports", "total_including_abuse_image_reports")
PUBLIC_CAMPAIGNS = "public_poster_campaigns_social_networks_childrescue"
DISCRETE_CAMPAIGNS = "discrete_vignette_campaigns"

RULES: dict[str, Promise] = {
    "sum": _("%(total)s is %(total_value)s, but its parts add up to %(sum)s."),
    "part_of_whole": _("%(part)s is %(part_value)s, more than %(whole)s (%(whole_value)s)."),
    "share_range": _("%(key)s is %(value)s, not a share between 0 and 100."),
    "same_figure": _("%(first)s is %(first_value)s, but %(second)s is %(second_value)s."),
}


@dataclass(frozen=True)
class Contradiction:
    """Figures that contradict each other: the rule they break (a key of RULES), the dotted keys
    involved and their values, in the order the message names them."""

    rule: str
    keys: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def message(self) -> str:
        """What failed, in the active language."""
        k, v = self.keys, self.values
        if self.rule == "sum":
            params = {"total": k[0], "total_value": v[0], "sum": sum(v[1:])}
        elif self.rule == "part_of_whole":
            params = {"part": k[0], "part_value": v[0], "whole": k[1], "whole_value": v[1]}
        elif self.rule == "share_range":
            params = {"key": k[0], "value": v[0]}
        else:
            params = {"first": k[0], "first_value": v[0], "second": k[1], "second_value": v[1]}
        return str(RULES[self.rule]) % params

    def __str__(self) -> str:
        return self.message


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _sum_rule(total_key: str, total: Any, parts: list[tuple[str, Any]]) -> list[Contradiction]:
    numbers = [value for _key, value in parts if _number(value)]
    if not _number(total) or len(numbers) != len(parts) or total == sum(numbers):
        return []
    return [
        Contradiction(
            "sum",
            (total_key, *(key for key, _value in parts)),
            (total, *numbers),
        )
    ]


def _part_rule(part_key: str, part: Any, whole_key: str, whole: Any) -> list[Contradiction]:
    if _number(part) and _number(whole) and part > whole:
        return [Contradiction("part_of_whole", (part_key, whole_key), (part, whole))]
    return []


def _same_rule(first_key: str, first: Any, second_key: str, second: Any) -> list[Contradiction]:
    if _number(first) and _number(second) and first != second:
        return [Contradiction("same_figure", (first_key, second_key), (first, second))]
    return []


def _years(table: dict) -> set[str]:
    return {year for per_year in table.values() if isinstance(per_year, dict) for year in per_year}


def _table_sums(figures: dict) -> list[Contradiction]:
    found: list[Contradiction] = []
    missing = figures.get("disappearances_new_cases") or {}
    name = "disappearances_new_cases"
    for year in sorted(_years(missing)):
        parts = [
            (f"{name}.{key}.{year}", per_year[year])
            for key, per_year in missing.items()
            if key not in DISAPPEARANCE_TOTALS and year in per_year
        ]
        total = missing.get("total", {}).get(year)
        found += _sum_rule(f"{name}.total.{year}", total, parts)
        worrying = missing.get("total_worrying", {}).get(year)
        found += _part_rule(
            f"{name}.total_worrying.{year}", worrying, f"{name}.total.{year}", total
        )

    exploitation = figures.get("sexual_exploitation_new_cases") or {}
    received = (figures.get("abuse_image_hotline") or {}).get("reports_received") or {}
    name = "sexual_exploitation_new_cases"
    for year in sorted(_years(exploitation)):
        parts = [
            (f"{name}.{key}.{year}", per_year[year])
            for key, per_year in exploitation.items()
            if key not in EXPLOITATION_TOTALS and year in per_year
        ]
        excluding = exploitation.get(EXPLOITATION_TOTALS[0], {}).get(year)
        found += _sum_rule(f"{name}.{EXPLOITATION_TOTALS[0]}.{year}", excluding, parts)
        including = exploitation.get(EXPLOITATION_TOTALS[1], {}).get(year)
        if year in received:
            found += _sum_rule(
                f"{name}.{EXPLOITATION_TOTALS[1]}.{year}",
                including,
                [
                    (f"{name}.{EXPLOITATION_TOTALS[0]}.{year}", excluding),
                    (f"abuse_image_hotline.reports_received.{year}", received[year]),
                ],
            )

    campaigns = figures.get("search_campaigns") or {}
    name = "search_campaigns"
    for year, total in sorted((campaigns.get("total") or {}).items()):
        public = (campaigns.get(PUBLIC_CAMPAIGNS) or {}).get(year)
        discrete = (campaigns.get(DISCRETE_CAMPAIGNS) or {}).get(year)
        if public is None or discrete is None:
            continue
        found += _sum_rule(
            f"{name}.total.{year}",
            total,
            [
                (f"{name}.{PUBLIC_CAMPAIGNS}.{year}", public),
                (f"{name}.{DISCRETE_CAMPAIGNS}.{year}", discrete),
            ],
        )
    return found


def _leaves(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    else:
        yield path, node


def _is_share(path: str) -> bool:
    return any(part.endswith("_pct") or "_pct_" in part for part in path.split("."))


def _shares(figures: dict) -> list[Contradiction]:
    return [
        Contradiction("share_range", (path,), (value,))
        for path, value in _leaves(figures, "")
        if _is_share(path) and _number(value) and not 0 <= value <= 100
    ]


def _details(figures: dict) -> list[Contradiction]:
    found: list[Contradiction] = []
    for section, details in figures.items():
        if not section.startswith("case_details_") or not isinstance(details, dict):
            continue
        year = section.removeprefix("case_details_")
        runaway = details.get("runaway") or {}
        at = f"{section}.runaway"
        found += _part_rule(
            f"{at}.children", runaway.get("children"), f"{at}.reports", runaway.get("reports")
        )
        found += _part_rule(
            f"{at}.children_repeat",
            runaway.get("children_repeat"),
            f"{at}.children",
            runaway.get("children"),
        )
        missing = figures.get("disappearances_new_cases") or {}
        found += _same_rule(
            f"{at}.reports",
            runaway.get("reports"),
            f"disappearances_new_cases.runaway.{year}",
            (missing.get("runaway") or {}).get(year),
        )
        exploitation = figures.get("sexual_exploitation_new_cases") or {}
        for key, per_year in exploitation.items():
            if key in EXPLOITATION_TOTALS or not isinstance(details.get(key), dict):
                continue
            found += _same_rule(
                f"{section}.{key}.total",
                details[key].get("total"),
                f"sexual_exploitation_new_cases.{key}.{year}",
                per_year.get(year),
            )
        sextortion = details.get("sextortion") or {}
        kinds = [
            (f"{section}.sextortion.{kind}.total", sextortion[kind].get("total"))
            for kind in ("content", "financial")
            if isinstance(sextortion.get(kind), dict)
        ]
        numbers = [value for _key, value in kinds if _number(value)]
        if kinds and len(numbers) == len(kinds):
            found += _part_rule(
                " + ".join(key for key, _value in kinds),
                sum(numbers),
                f"{section}.sextortion.total",
                sextortion.get("total"),
            )
    prevention = figures.get("prevention") or {}
    for year, of_year in prevention.items():
        if not (year.isdigit() and isinstance(of_year, dict)):
            continue
        for key, value in of_year.items():
            table = prevention.get(key)
            if isinstance(table, dict) and year in table:
                found += _same_rule(
                    f"prevention.{year}.{key}", value, f"prevention.{key}.{year}", table[year]
                )
    hotline = figures.get("abuse_image_hotline") or {}
    for key, breakdown in hotline.items():
        if key.endswith("_breakdown") and isinstance(breakdown, dict):
            year = key.removesuffix("_breakdown")
            found += _same_rule(
                f"abuse_image_hotline.{key}.reports_received",
                breakdown.get("reports_received"),
                f"abuse_image_hotline.reports_received.{year}",
                (hotline.get("reports_received") or {}).get(year),
            )
    return found


def check(figures: dict) -> list[Contradiction]:
    """Every contradiction between the figures of a report (the output of figures_for_year):
    sums, parts larger than their whole, shares outside 0-100, a figure quoted twice with two
    values. An empty list: the report is consistent."""
    return [*_table_sums(figures), *_details(figures), *_shares(figures)]
