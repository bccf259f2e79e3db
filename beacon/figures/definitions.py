"""The annual report's figures, each defined once and computed by the database from the records.

Sections carry the keys and nesting of shared/reference/published-figures.json, so a computed
report can be compared with the published one figure by figure. Years are calendar years in the
organisation's time zone (settings.TIME_ZONE): a case opened at 00:30 on 1 January in Brussels
counts in the new year even though it is still 31 December in UTC.

Shares (`*_pct`) and means (`mean_*`) carry one decimal, rounded half up from the exact fraction
(not from a float; `figures/rounding.py`): 60.95 is 61.0. The annual reports print them rounded
half up to whole numbers, so a published 61% is any computed value from 60.5 to 61.4.
"""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import ExtractYear

from beacon.cases.choices import Mission
from beacon.cases.models import Case, Category
from beacon.core.models import Organisation
from beacon.figures import (
    campaigns,
    catalogue,
    details,
    details_2021,
    exploitation,
    funding,
    hotline,
    matching,
    network,
    prevention,
)
from beacon.figures.engine import Period, evaluate, evaluate_per_year


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _year_bounds(first: int, last: int) -> tuple[datetime, datetime]:
    zone = _local_zone()
    return datetime(first, 1, 1, tzinfo=zone), datetime(last + 1, 1, 1, tzinfo=zone)


def _cases_opened(mission: str, first: int, last: int):
    start, end = _year_bounds(first, last)
    return Case.objects.filter(mission=mission, opened_at__gte=start, opened_at__lt=end).annotate(
        year=ExtractYear("opened_at", tzinfo=_local_zone())
    )


def _new_cases_by_category(mission: str, first: int, last: int) -> dict[str, dict[str, int]]:
    """Cases of a mission opened per year (local time) per figure key, plus `total` and, for
    disappearances, `total_worrying` (catalogue.new_case_figures; one query grouped by year).
    A key is listed for the years in which one of its categories was in use (0 when none was
    opened), so legacy categories appear only in their years."""
    section_name = (
        "disappearances_new_cases"
        if mission == Mission.MISSING
        else "sexual_exploitation_new_cases"
    )
    prefix = f"{section_name}."
    categories = list(Category.objects.filter(mission=mission).order_by("position", "key"))
    figures = [f for f in catalogue.new_case_figures(categories) if f.key.startswith(prefix)]
    values = evaluate_per_year(figures, first, last)
    in_use: dict[str, set[int]] = defaultdict(set)
    for category in categories:
        for year in range(first, last + 1):
            if category.active_in_year(year):
                in_use[category.figure_key].add(year)
    section: dict[str, dict[str, int]] = {}
    for figure in figures:
        key = figure.key.removeprefix(prefix)
        per_year = values[figure.key]
        if key in in_use:
            per_year = {y: n for y, n in per_year.items() if n or int(y) in in_use[key]}
        if per_year:
            section[key] = per_year
    return section


def disappearances_new_cases(first: int, last: int) -> dict[str, dict[str, int]]:
    """New missing-child case files opened per calendar year (local time), by category.

    - `<figure_key>`: cases opened in the year whose category carries that figure key;
    - `total`: every missing-child case opened in the year, whatever its category;
    - `total_worrying`: of those, the cases assessed worrying now (at least one of the six
      criteria holds in their latest assessment).
    """
    return _new_cases_by_category(Mission.MISSING, first, last)


def sexual_exploitation_new_cases(first: int, last: int) -> dict[str, dict[str, int]]:
    """New sexual-exploitation case files opened per calendar year (local time), by category
    (child_prostitution, sexting_without_consent, sextortion, grooming), and
    `total_excluding_abuse_image_reports`: the four together, as the 2025 report counts them.

    `total_including_abuse_image_reports` is how the 2021 report counted: those case files plus the
    civil hotline's reports received in the year (`Report.received_at`, local year), which that
    report listed as a fifth row of the same table (2021: 320 + 2,147 = 2,467).
    """
    section = _new_cases_by_category(Mission.EXPLOITATION, first, last)
    start, end = _year_bounds(first, last)
    reports = hotline.reports_received_per_year(first, last, start, end, _local_zone())
    section["total_including_abuse_image_reports"] = {
        year: count + reports.get(year, 0)
        for year, count in section["total_excluding_abuse_image_reports"].items()
    }
    return section


def hotline_calls(first: int, last: int) -> dict[str, dict[str, int]]:
    """Calls to the emergency number per calendar year (local time): `116000_calls` and
    `116000_calls_at_night_23h_to_7h` (catalogue.line_figures). One query grouped by year."""
    values = evaluate_per_year(catalogue.line_figures(), first, last)
    return {key.removeprefix("hotline_calls."): per_year for key, per_year in values.items()}


def runaway_details(year: int) -> dict[str, int | float]:
    """Runaway episodes of one year (catalogue.runaway_figures: reports, children, repeaters and
    the shares the report gives). Percentages with one decimal; one aggregate query."""
    values = evaluate(catalogue.runaway_figures(), Period.year(year))
    return {key.removeprefix("case_details.runaway."): value for key, value in values.items()}


def abuse_image_hotline(first: int, year: int) -> dict:
    """The civil hotline's section (published key `abuse_image_hotline`):

    - `reports_received`: reports received per calendar year (local time) from `first` to `year`;
    - `<year>_breakdown`: the year's numbers under the published keys of the 2025 and 2021
      reports (see beacon.figures.hotline.year_breakdown for each definition);
    - `images_analysed_arachnid`: images analysed by image matching per year, and
      `images_judged_abuse_arachnid`: of them, judged abuse material (beacon.figures.matching).
    """
    start, end = _year_bounds(first, year)
    return {
        "reports_received": hotline.reports_received_per_year(
            first, year, start, end, _local_zone()
        ),
        "images_analysed_arachnid": matching.images_analysed_per_year(
            first, year, start, end, _local_zone()
        ),
        "images_judged_abuse_arachnid": matching.judged_abuse_per_year(
            first, year, start, end, _local_zone()
        ),
        f"{year}_breakdown": hotline.year_breakdown(year, _year_bounds),
    }


def first_year_with_cases() -> int | None:
    """The first year of the multi-year tables: the organisation's `figures_from_year` when set
    (its files before that year are only those moved in because they were still open), else the
    first year with a case file."""
    organisation = Organisation.objects.first()
    if organisation is not None and organisation.figures_from_year:
        return organisation.figures_from_year
    first = Case.objects.order_by("opened_at").values_list("opened_at", flat=True).first()
    return first.astimezone(_local_zone()).year if first else None


def figures_for_year(year: int, since: int | None = None) -> dict:
    """The figures of the annual report of `year`, with every year from `since` (default: the
    first year with any case) for the multi-year tables."""
    first = since or first_year_with_cases() or year
    first = min(first, year)
    return {
        "years": list(range(first, year + 1)),
        "hotline_calls": hotline_calls(first, year),
        "disappearances_new_cases": disappearances_new_cases(first, year),
        "sexual_exploitation_new_cases": sexual_exploitation_new_cases(first, year),
        "abuse_image_hotline": abuse_image_hotline(first, year),
        "search_campaigns": campaigns.search_campaigns(first, year),
        "network": network.network_section(first, year),
        "prevention": prevention.prevention_section(first, year),
        "funding": funding.funding_section(first, year),
        f"case_details_{year}": details_2021.add_section_2021(
            {
                "runaway": runaway_details(year),
                **details.details_section(Period.year(year)),
                **exploitation.exploitation_section(Period.year(year)),
            },
            Period.year(year),
        ),
    }
