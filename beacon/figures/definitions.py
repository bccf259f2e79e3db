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
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear

from beacon.cases.choices import Mission
from beacon.cases.models import Case, Category
from beacon.figures import (
    campaigns,
    catalogue,
    details,
    funding,
    hotline,
    matching,
    network,
    prevention,
)
from beacon.figures.engine import Period, evaluate, evaluate_per_year
from beacon.figures.rounding import mean as _mean
from beacon.figures.rounding import pct as _pct


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


def _count(condition: Q) -> Count:
    """Cases matching `condition` (an empty Q: every case)."""
    return Count("id", filter=condition) if condition else Count("id")


def _victims(name: str, where: Q) -> dict:
    """Aggregates about the victims of the cases matching `where` (an empty Q: every case),
    keyed `<name>_<what>`."""
    age_sum = Sum("facts__victim_age", filter=where) if where else Sum("facts__victim_age")
    return {
        f"{name}_total": _count(where),
        f"{name}_girls": _count(where & Q(person__gender="female")),
        f"{name}_boys": _count(where & Q(person__gender="male")),
        f"{name}_aged": _count(where & Q(facts__victim_age__isnull=False)),
        f"{name}_age_sum": age_sum,
        **{
            f"{name}_age_{age}_or_younger": _count(where & Q(facts__victim_age__lte=age))
            for age in (12, 13, 14)
        },
    }


def _exploitation_cases(year: int, figure_key: str):
    return _cases_opened(Mission.EXPLOITATION, year, year).filter(category__figure_key=figure_key)


def child_prostitution_details(year: int) -> dict[str, int | float]:
    """Child-prostitution cases (category figure key `child_prostitution`) opened in the year.

    - `total`: those cases (the 2021 report: `new`);
    - `under_16_pct`: share of them whose victim was under 16 at the time of the facts
      (`ExploitationFacts.victim_age`); `under_13`: how many were under 13;
    - `boys`: how many are about a person recorded as male (the 2021 report: `boys_cases`);
    - `in_institution_pct`: share whose victim lived in an institution at the time (the case's
      facts, not the person record as it is today);
    - `linked_to_running_away_pct`: share whose victim ran away: the same person has a runaway
      case (figure key `runaway`) opened before this case, or a runaway case is linked to it;
    - `reports_via_age_check_tool`: how many were reported through the age-check tool on ad
      platforms (`report_source`);
    - `teen_pimp_involved`: how many involve a teen pimp (facts);
    - `carried_over`: cases of the category opened before the year that were still open when it
      began (not closed, or closed on 1 January or later): handled besides the new ones.
    Shares of `total`. One aggregate query.
    """
    start, end = _year_bounds(year, year)
    ran_before = Case.objects.filter(
        person=OuterRef("person"),
        category__figure_key="runaway",
        opened_at__lt=OuterRef("opened_at"),
    )
    linked_runaway = Case.linked_cases.through.objects.filter(
        from_case=OuterRef("pk"), to_case__category__figure_key="runaway"
    )
    new = Q(opened_at__gte=start)
    counts = (
        Case.objects.filter(
            mission=Mission.EXPLOITATION,
            category__figure_key="child_prostitution",
            opened_at__lt=end,
        )
        .annotate(ran_before=Exists(ran_before), linked_runaway=Exists(linked_runaway))
        .aggregate(
            total=_count(new),
            under_16=_count(new & Q(facts__victim_age__lt=16)),
            under_13=_count(new & Q(facts__victim_age__lt=13)),
            boys=_count(new & Q(person__gender="male")),
            institution=_count(new & Q(facts__in_institution=True)),
            ran_away=_count(new & (Q(ran_before=True) | Q(linked_runaway=True))),
            tool=_count(new & Q(facts__report_source="age_check_tool")),
            pimp=_count(new & Q(facts__teen_pimp=True)),
            carried_over=_count(
                Q(opened_at__lt=start) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))
            ),
        )
    )
    total = counts["total"]
    return {
        "total": total,
        "under_16_pct": _pct(counts["under_16"], total),
        "under_13": counts["under_13"],
        "boys": counts["boys"],
        "in_institution_pct": _pct(counts["institution"], total),
        "linked_to_running_away_pct": _pct(counts["ran_away"], total),
        "reports_via_age_check_tool": counts["tool"],
        "teen_pimp_involved": counts["pimp"],
        "carried_over": counts["carried_over"],
    }


def sexting_details(year: int) -> dict[str, int | float | None]:
    """Sexting-without-consent cases (figure key `sexting_without_consent`; the 2021 report:
    `sexting`) opened in the year.

    - `total`: those cases (the 2021 report: `new`);
    - `mean_age`: the victims' mean age at the time of the facts (`victim_age`; None without
      cases);
    - `age_13_or_younger_pct`, `age_12_or_younger_pct`: share whose victim was 13 or younger,
      12 or younger;
    - `girls_pct`: share about a person recorded as female.
    Shares of `total`. One aggregate query.
    """
    v = _exploitation_cases(year, "sexting_without_consent").aggregate(**_victims("all", Q()))
    total = v["all_total"]
    return {
        "total": total,
        "mean_age": _mean(v["all_age_sum"], v["all_aged"]),
        "age_13_or_younger_pct": _pct(v["all_age_13_or_younger"], total),
        "age_12_or_younger_pct": _pct(v["all_age_12_or_younger"], total),
        "girls_pct": _pct(v["all_girls"], total),
    }


def sextortion_details(year: int) -> dict:
    """Sextortion cases (figure key `sextortion`) opened in the year.

    - `total`: those cases, whatever their sub-kind (the 2021 report: `new`);
    - `financial_pct`: share of `total` with the sub-kind `financial`;
    - `content` and `financial`: the cases of that sub-kind (`total`), and of them:
      `content`: `girls_pct` (person recorded as female), `mean_age` (victim's age at the time
      of the facts), `age_14_or_younger_pct`; `financial`: `male_pct` (recorded as male),
      `mean_age`. Shares of the sub-kind's total; a case without a sub-kind is in neither.
    One aggregate query.
    """
    v = _exploitation_cases(year, "sextortion").aggregate(
        all_total=Count("id"),
        **_victims("content", Q(subkind__key="content")),
        **_victims("financial", Q(subkind__key="financial")),
    )
    content, financial = v["content_total"], v["financial_total"]
    return {
        "total": v["all_total"],
        "financial_pct": _pct(financial, v["all_total"]),
        "content": {
            "total": content,
            "girls_pct": _pct(v["content_girls"], content),
            "mean_age": _mean(v["content_age_sum"], v["content_aged"]),
            "age_14_or_younger_pct": _pct(v["content_age_14_or_younger"], content),
        },
        "financial": {
            "total": financial,
            "male_pct": _pct(v["financial_boys"], financial),
            "mean_age": _mean(v["financial_age_sum"], v["financial_aged"]),
        },
    }


def grooming_details(year: int) -> dict[str, int | float | None]:
    """Grooming cases (figure key `grooming`) opened in the year: `total` (the 2021 report:
    `new`), `girls_pct` (share about a person recorded as female), `mean_age` (the victims'
    mean age at the time of the facts). One aggregate query."""
    v = _exploitation_cases(year, "grooming").aggregate(**_victims("all", Q()))
    return {
        "total": v["all_total"],
        "girls_pct": _pct(v["all_girls"], v["all_total"]),
        "mean_age": _mean(v["all_age_sum"], v["all_aged"]),
    }


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
        f"case_details_{year}": {
            "runaway": runaway_details(year),
            **details.details_section(Period.year(year)),
            "child_prostitution": child_prostitution_details(year),
            "sexting_without_consent": sexting_details(year),
            "sextortion": sextortion_details(year),
            "grooming": grooming_details(year),
        },
    }
