"""The annual report's content, built from the figures of a year (definitions.figures_for_year)
and the catalogue's definitions: what the report page and its PDF show, in the active language.

- `glance`: the figures at a glance of the year, each with its growth against the year before;
- `tables`: the five-year tables of new case files per mission (year-4 .. year), a row per
  figure key with its values in the years it exists (a category of one taxonomy only is shown in
  its own years: the 2021 taxonomy's `legacy_*` categories up to 2024, `family_context` and
  `abduction_outside_family` from 2025), and the growth of the year against the year before;
  a table whose rows do not all cover the five years carries the note on the break (totals
  comparable, renamed categories not);
- `charts`: one vector chart (inline SVG) per section;
- `details`: the per-category details of the year (case_details_<year>);
- `appendix`: every catalogue figure's label and definition, and the rounding rule.

Every number is formatted here (thousands grouped, one decimal for shares and growths, "new"
for a growth against 0), so the page and the PDF show the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.figures import report_charts
from beacon.figures.catalogue import catalogue
from beacon.figures.definitions import figures_for_year
from beacon.figures.rounding import NEW, difference, growth

# How many years the multi-year tables cover (the report's year included).
TABLE_YEARS = 5

# Rows of the five-year tables that are totals (shown last, in bold), per section.
TOTAL_ROWS = {
    "disappearances_new_cases": ("total", "total_worrying"),
    "sexual_exploitation_new_cases": (
        "total_excluding_abuse_image_reports",
        "total_including_abuse_image_reports",
    ),
}
TOTAL_LABELS = {
    "total": gettext_lazy("Total new case files"),
    "total_worrying": gettext_lazy("of which worrying"),
    "total_excluding_abuse_image_reports": gettext_lazy("Total new case files"),
    "total_including_abuse_image_reports": gettext_lazy(
        "Total including the civil hotline's reports (as counted up to 2021)"
    ),
}
SECTION_TITLES = {
    "disappearances_new_cases": gettext_lazy("Disappearances: new case files"),
    "sexual_exploitation_new_cases": gettext_lazy("Sexual exploitation: new case files"),
}

# Labels of the per-category details that the catalogue does not define (yet).
DETAIL_TITLES = {
    "runaway": gettext_lazy("Runaways"),
    "undefined": gettext_lazy("Undefined disappearances"),
    "unaccompanied_minor": gettext_lazy("Unaccompanied minors"),
    "family_context": gettext_lazy("Disappearances within the family context"),
    "abduction_outside_family": gettext_lazy("Abductions outside the family context"),
    "child_prostitution": gettext_lazy("Sexual exploitation of minors in prostitution"),
    "sexting_without_consent": gettext_lazy("Sexting without consent"),
    "sextortion": gettext_lazy("Sextortion"),
    "grooming": gettext_lazy("Grooming"),
}
DETAIL_LABELS = {
    "total": gettext_lazy("New case files"),
    "under_16_pct": gettext_lazy("Victim under 16"),
    "under_13": gettext_lazy("Victims under 13"),
    "boys": gettext_lazy("Boys"),
    "in_institution_pct": gettext_lazy("Living in an institution"),
    "linked_to_running_away_pct": gettext_lazy("Linked to running away"),
    "reports_via_age_check_tool": gettext_lazy("Reported through the age-check tool"),
    "teen_pimp_involved": gettext_lazy("A teen pimp involved"),
    "carried_over": gettext_lazy("Case files carried over from earlier years"),
    "mean_age": gettext_lazy("Mean age"),
    "age_13_or_younger_pct": gettext_lazy("Aged 13 or younger"),
    "age_12_or_younger_pct": gettext_lazy("Aged 12 or younger"),
    "age_14_or_younger_pct": gettext_lazy("Aged 14 or younger"),
    "girls_pct": gettext_lazy("Girls"),
    "male_pct": gettext_lazy("Boys"),
    "financial_pct": gettext_lazy("Financial sextortion, share of sextortion"),
    "all_children_under_13": gettext_lazy("Every child under 13"),
    "content": gettext_lazy("Sextortion for content"),
    "financial": gettext_lazy("Financial sextortion"),
}

EARLIER_YEAR_KEY = re.compile(r"(?P<name>\w+?)_(?P<year>(19|20)\d\d)")


def rounding_rule() -> str:
    return _(
        "Shares, means and growth percentages carry one decimal, rounded half up from the exact "
        "fraction (not from a rounded value): 60.95 is 61.0. A growth is the change against the "
        "year before as a percentage of the year before; a growth against 0 is shown as “new”. "
        "A share changes by its difference in percentage points (pp), a mean or a median by its "
        "difference in its own unit."
    )


def break_note() -> str:
    return _(
        "The categories changed in 2025: “international parental abduction” and “abduction by a "
        "third party” were replaced by “disappearance within the family context” and “abduction "
        "outside the family context”. Each category is shown in the years it was used. The "
        "yearly totals stay comparable; the renamed categories cannot be compared with earlier "
        "years."
    )


def exploitation_note() -> str:
    return _(
        "The total counts the case files of the four categories, as the 2025 report does; the "
        "2021 report also counted the civil hotline's reports of abuse images, shown on the last "
        "row for comparison."
    )


# --- formatting ---------------------------------------------------------------------------------


def fmt(value: Any, *, pct: bool = False) -> str:
    """A figure as the report prints it: grouped thousands, one decimal for a fraction, "—" for
    no value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        text = number_format(value, 1, force_grouping=True)
    elif isinstance(value, int):
        text = number_format(value, 0, force_grouping=True)
    else:
        return str(value)
    return f"{text} %" if pct else text


def fmt_growth(value: float | str | None) -> str:
    """A growth (rounding.growth) as the report prints it: signed, one decimal, or “new”."""
    if value is None:
        return "—"
    if value == NEW:
        return _("new")
    assert isinstance(value, float)
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number_format(abs(value), 1, force_grouping=True)} %"


# Figures whose change is a difference (in percentage points for a share, in their own unit for
# a mean or a median), not a growth in percent.
DIFFERENCE_KINDS = ("share", "mean", "median")


def fmt_change(kind: str, current: Any, previous: Any) -> str:
    """How `current` changed from `previous` as the page and the report print it: a count's or a
    total's growth in percent (fmt_growth), a share's difference in percentage points, a mean's
    or a median's difference in its own unit; "—" when either value is missing."""
    if current is None or previous is None:
        return "—"
    if kind not in DIFFERENCE_KINDS:
        return fmt_growth(growth(current, previous))
    change = difference(current, previous)
    assert change is not None
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    text = f"{sign}{number_format(abs(change), 1, force_grouping=True)}"
    if kind == "share":
        # Translators: a change of a percentage in percentage points, e.g. "+2.5 pp".
        return _("%(change)s pp") % {"change": text}
    return text


def _growth_of(per_year: dict[str, Any], year: int) -> float | str | None:
    """The growth of `year` against the year before, None when the figure does not exist in
    both years (a category of one taxonomy only: not comparable)."""
    current, previous = per_year.get(str(year)), per_year.get(str(year - 1))
    if not isinstance(current, int | float) or not isinstance(previous, int | float):
        return None
    return growth(current, previous)


# --- content ------------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    values: list[str]
    growth: str
    total: bool = False
    partial: bool = False  # exists in some of the table's years only


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    has_break: bool = False


@dataclass
class Item:
    key: str
    label: str
    value: str
    growth: str = ""


def _label(figures: dict, key: str, fallback: str) -> str:
    found = figures.get(key)
    return str(found.label) if found is not None else fallback


def _table(section: str, values: dict, years: list[int], year: int, figures: dict) -> Table:
    totals = TOTAL_ROWS[section]
    rows: list[Row] = []
    has_break = False
    for key, per_year in values.items():
        if key in totals or not isinstance(per_year, dict):
            continue
        if not any(str(y) in per_year for y in years):
            continue
        partial = not all(str(y) in per_year for y in years)
        has_break = has_break or partial
        rows.append(
            Row(
                key=key,
                label=_label(figures, f"{section}.{key}", key),
                values=[fmt(per_year.get(str(y))) if str(y) in per_year else "" for y in years],
                growth=fmt_growth(_growth_of(per_year, year)),
                partial=partial,
            )
        )
    for key in totals:
        per_year = values.get(key, {})
        rows.append(
            Row(
                key=key,
                label=str(TOTAL_LABELS[key]),
                values=[fmt(per_year.get(str(y), 0)) for y in years],
                growth=fmt_growth(
                    growth(per_year.get(str(year), 0), per_year.get(str(year - 1), 0))
                ),
                total=True,
            )
        )
    notes = []
    if has_break:
        notes.append(break_note())
    if section == "sexual_exploitation_new_cases":
        notes.append(exploitation_note())
    return Table(
        key=section,
        title=str(SECTION_TITLES[section]),
        rows=rows,
        notes=notes,
        has_break=has_break,
    )


def _in_year(per_year: dict | None, year: int) -> Any:
    return (per_year or {}).get(str(year))


def _glance(data: dict, year: int) -> list[Item]:
    missing = data["disappearances_new_cases"]
    exploitation = data["sexual_exploitation_new_cases"]
    calls = data["hotline_calls"]
    hotline = data["abuse_image_hotline"]
    prevention = data.get("prevention", {})
    both = {
        str(y): (missing.get("total", {}).get(str(y), 0))
        + exploitation.get("total_excluding_abuse_image_reports", {}).get(str(y), 0)
        for y in (year - 1, year)
    }
    entries: list[tuple[str, str, dict | None]] = [
        ("calls", _("Calls to 116 000"), calls.get("116000_calls")),
        (
            "calls_at_night",
            _("of which at night (23:00–7:00)"),
            calls.get("116000_calls_at_night_23h_to_7h"),
        ),
        ("new_cases", _("New case files, both missions"), both),
        ("disappearances", _("Disappearances: new case files"), missing.get("total")),
        ("worrying", _("Worrying disappearances"), missing.get("total_worrying")),
        (
            "exploitation",
            _("Sexual exploitation: new case files"),
            exploitation.get("total_excluding_abuse_image_reports"),
        ),
        (
            "abuse_image_reports",
            _("Reports of abuse images (civil hotline)"),
            hotline.get("reports_received"),
        ),
        (
            "images_analysed",
            _("Images analysed (image matching)"),
            hotline.get("images_analysed_arachnid"),
        ),
        (
            "search_campaigns",
            _("Search campaigns"),
            data.get("search_campaigns", {}).get("total"),
        ),
        (
            "trainings_professionals",
            _("Trainings for professionals"),
            prevention.get("trainings_professionals"),
        ),
        ("trainings_parents", _("Sessions for parents"), prevention.get("trainings_parents")),
    ]
    police = (prevention.get(str(year)) or {}).get("police_trainings")
    items = []
    for key, label, per_year in entries:
        value = _in_year(per_year, year)
        items.append(
            Item(
                key=key,
                label=label,
                value=fmt(value if value is not None else 0),
                growth=fmt_growth(_growth_of(per_year or {}, year)),
            )
        )
    if police is not None:
        items.append(
            Item(key="police_trainings", label=_("Trainings for the police"), value=fmt(police))
        )
    return items


def _detail_rows(values: dict, figures: dict, prefix: str) -> list[tuple[str, str]]:
    rows = []
    for key, value in values.items():
        if isinstance(value, dict):
            title = str(DETAIL_LABELS.get(key, key))
            rows += [(f"{title}: {label}", text) for label, text in _detail_rows(value, {}, "")]
            continue
        rows.append((_detail_label(key, figures, prefix), fmt(value, pct="_pct" in key)))
    return rows


def _detail_label(key: str, figures: dict, prefix: str) -> str:
    """A detail's label: its figure's, else ours; a figure published again for an earlier year
    (`handled_2024`) is its figure's label with the year."""
    earlier = EARLIER_YEAR_KEY.fullmatch(key)
    if earlier and f"{prefix}{earlier['name']}" in figures:
        label = _label(figures, f"{prefix}{earlier['name']}", earlier["name"])
        return f"{label} ({earlier['year']})"
    return _label(figures, f"{prefix}{key}", str(DETAIL_LABELS.get(key, key)))


def _detail_title(key: str, figures: dict) -> str:
    """The title of a category's details: ours, else the category's name in the catalogue."""
    if key in DETAIL_TITLES:
        return str(DETAIL_TITLES[key])
    for section in ("disappearances_new_cases", "sexual_exploitation_new_cases"):
        if f"{section}.{key}" in figures:
            return str(figures[f"{section}.{key}"].label)
    return key


def _details(data: dict, year: int, figures: dict) -> list[dict]:
    details = data.get(f"case_details_{year}", {})
    return [
        {
            "key": key,
            "title": _detail_title(key, figures),
            "rows": _detail_rows(values, figures, f"case_details.{key}."),
        }
        for key, values in details.items()
    ]


def _series(per_year: dict | None, years: list[int]) -> list[float]:
    return [float((per_year or {}).get(str(y)) or 0) for y in years]


def _charts(data: dict, years: list[int]) -> dict[str, str]:
    labels = [str(y) for y in years]
    missing = data["disappearances_new_cases"]
    exploitation = data["sexual_exploitation_new_cases"]
    calls = data["hotline_calls"]
    return {
        "new_cases": report_charts.year_bars(
            labels,
            [
                (_("Disappearances"), _series(missing.get("total"), years)),
                (
                    _("Sexual exploitation"),
                    _series(exploitation.get("total_excluding_abuse_image_reports"), years),
                ),
            ],
            ids="chart-cases",
        ),
        "calls": report_charts.year_bars(
            labels,
            [
                (_("Calls to 116 000"), _series(calls.get("116000_calls"), years)),
                (
                    _("of which at night"),
                    _series(calls.get("116000_calls_at_night_23h_to_7h"), years),
                ),
            ],
            ids="chart-calls",
        ),
        "hotline": report_charts.year_bars(
            labels,
            [
                (
                    _("Reports of abuse images"),
                    _series(data["abuse_image_hotline"].get("reports_received"), years),
                )
            ],
            ids="chart-hotline",
        ),
    }


def _appendix(figures: dict) -> list[dict[str, str]]:
    return [
        {"key": key, "label": str(found.label), "definition": str(found.definition)}
        for key, found in figures.items()
    ]


def _is_empty(data: dict, year: int) -> bool:
    y = str(year)
    return not any(
        (
            data["hotline_calls"].get("116000_calls", {}).get(y),
            data["disappearances_new_cases"].get("total", {}).get(y),
            data["sexual_exploitation_new_cases"]
            .get("total_excluding_abuse_image_reports", {})
            .get(y),
            data["abuse_image_hotline"].get("reports_received", {}).get(y),
        )
    )


def build_report(year: int) -> dict[str, Any]:
    """The content of the annual report of `year` in the active language (see the module)."""
    years = list(range(year - TABLE_YEARS + 1, year + 1))
    data = figures_for_year(year, since=years[0])
    figures = catalogue()
    tables = [
        _table(section, data.get(section, {}), years, year, figures)
        for section in ("disappearances_new_cases", "sexual_exploitation_new_cases")
    ]
    return {
        "year": year,
        "years": years,
        "previous_year": year - 1,
        "empty": _is_empty(data, year),
        "glance": _glance(data, year),
        "tables": tables,
        "charts": _charts(data, years),
        "details": _details(data, year, figures),
        "appendix": _appendix(figures),
        "rounding_rule": rounding_rule(),
    }
