"""Compare the figures Beacon computes with the figures a report published, key by key.

The published figures (shared/reference/published-figures.json) carry the keys and nesting of
`figures_for_year`; a report's year-specific keys (`case_details_2021`, `2021_breakdown`,
`income_sources_pct_2021`) are looked up in the figures of the year they name. How a computed
value matches a published one: the reports print shares and means rounded half up to whole
numbers (a published 61 is any computed 60.5 to 61.4), amounts to the cent or to the euro, so a
computed number is rounded half up to the published value's decimals before comparing; texts
("more than half"), lists and booleans must be equal as they are.

`compare(published, figures_by_year)` gives one `Comparison` per published leaf: `reproduced`,
`differs` (with both values) or `not_computed` (Beacon has no such key). The demo's test and the
README's table use it; `python -m beacon.figures.published` prints that table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Published keys that describe rather than count.
NOT_FIGURES = {"about", "note", "conflicts", "years"}
YEAR_IN_KEY = re.compile(r"(?:^|_)(\d{4})(?:_|$)")

REPRODUCED, DIFFERS, NOT_COMPUTED = "reproduced", "differs", "not_computed"


@dataclass(frozen=True)
class Comparison:
    path: tuple[str, ...]
    published: Any
    computed: Any
    status: str

    @property
    def key(self) -> str:
        return "/".join(self.path)


def leaves(tree: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in tree.items():
        if not path and key in NOT_FIGURES or key == "note":
            continue
        if isinstance(value, dict):
            yield from leaves(value, (*path, key))
        else:
            yield (*path, key), value


def year_named(path: tuple[str, ...]) -> int | None:
    """The report year a key of the path names (`case_details_2021`: 2021), if any; a bare year
    key (`"2021"` under a per-year figure) is a column, not a report."""
    for part in path[:-1]:
        found = YEAR_IN_KEY.search(part)
        if found and not part.isdigit():
            return int(found.group(1))
    last = path[-1]
    found = YEAR_IN_KEY.search(last)
    if found and not last.isdigit():
        return int(found.group(1))
    return None


# The 2021 report's names for what the 2025 report (and Beacon) call otherwise: its records are
# counted under Beacon's keys and compared under the report's own names.
NAMES_2021 = {
    "sexting": ("sexting_without_consent",),
    "new": ("total", "reports"),
    "boys_cases": ("boys",),
}


def lookup(tree: dict, path: tuple[str, ...]) -> Any:
    node: Any = tree
    for part in path:
        if isinstance(node, dict) and part not in node:
            part = next((name for name in NAMES_2021.get(part, ()) if name in node), part)
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def matches(published: Any, computed: Any) -> bool:
    if isinstance(published, bool) or isinstance(computed, bool):
        return published is computed
    if isinstance(published, int | float) and isinstance(computed, int | float | Decimal):
        decimals = Decimal(str(published)).as_tuple().exponent
        places = Decimal(1).scaleb(min(int(decimals), 0))
        rounded = Decimal(str(computed)).quantize(places, ROUND_HALF_UP)
        return rounded == Decimal(str(published))
    return published == computed


def compare(
    published: dict, figures_by_year: dict[int, dict], report_year: int
) -> list[Comparison]:
    """Every published leaf against the computed figures: those of `report_year`, or of the
    year its key names (which must be in `figures_by_year`)."""
    results = []
    for path, value in leaves(published):
        year = year_named(path) or report_year
        figures = figures_by_year.get(year, figures_by_year[report_year])
        try:
            computed = lookup(figures, path)
        except KeyError:
            try:
                computed = lookup(figures_by_year[report_year], path)
            except KeyError:
                results.append(Comparison(path, value, None, NOT_COMPUTED))
                continue
        # A report's words ("over 80", "3 in 4") are not a computed number's.
        if isinstance(computed, dict) or (isinstance(value, str) and not isinstance(computed, str)):
            results.append(Comparison(path, value, None, NOT_COMPUTED))
            continue
        status = REPRODUCED if matches(value, computed) else DIFFERS
        results.append(Comparison(path, value, computed, status))
    return results


def markdown_table(comparisons: list[Comparison]) -> str:
    """Per published section: how many keys Beacon reproduces, and which it does not compute."""
    sections: dict[str, list[Comparison]] = {}
    for comparison in comparisons:
        sections.setdefault(comparison.path[0], []).append(comparison)
    lines = [
        "| section | published keys | reproduced | differ | not computed |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, items in sections.items():
        reproduced = sum(c.status == REPRODUCED for c in items)
        differs = [c.key for c in items if c.status == DIFFERS]
        missing = [c.key.removeprefix(f"{name}/") for c in items if c.status == NOT_COMPUTED]
        lines.append(
            f"| `{name}` | {len(items)} | {reproduced} | {len(differs)} | "
            f"{', '.join(f'`{m}`' for m in missing) or '—'} |"
        )
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - a tool for the README, run by hand on the demo
    import json
    import os
    import sys
    from pathlib import Path

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
    django.setup()
    from beacon.figures.definitions import figures_for_year

    path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path("../shared/reference/published-figures.json")
    )
    published = json.loads(path.read_text())
    figures = {year: figures_for_year(year) for year in (2021, 2025)}
    comparisons = compare(published, figures, 2025)
    print(markdown_table(comparisons))
    for comparison in comparisons:
        if comparison.status == DIFFERS:
            print(
                f"differs: {comparison.key}: published {comparison.published!r}, "
                f"computed {comparison.computed!r}",
                file=sys.stderr,
            )


if __name__ == "__main__":  # pragma: no cover
    main()
