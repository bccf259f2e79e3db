"""The annual report's figures, each defined once and computed by the database from the records.

Sections carry the keys and nesting of shared/reference/published-figures.json, so a computed
report can be compared with the published one figure by figure. Years are calendar years in the
organisation's time zone (settings.TIME_ZONE): a case opened at 00:30 on 1 January in Brussels
counts in the new year even though it is still 31 December in UTC.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from beacon.cases.choices import Mission
from beacon.cases.models import Case, Category


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


def disappearances_new_cases(first: int, last: int) -> dict[str, dict[str, int]]:
    """New missing-child case files opened per calendar year (local time), by category.

    - `<figure_key>`: cases opened in the year whose category carries that figure key; a key is
      listed for the years in which one of its categories was in use (0 when none was opened),
      so legacy categories appear only in their years.
    - `total`: every missing-child case opened in the year, whatever its category.
    - `total_worrying`: of those, the cases assessed worrying now (at least one of the six
      criteria holds in their latest assessment).
    Counted in one aggregate query grouped by year and figure key.
    """
    rows = (
        _cases_opened(Mission.MISSING, first, last)
        .values("year", "category__figure_key")
        .annotate(opened=Count("id"), worrying=Count("id", filter=Q(worrying=True)))
        .order_by()
    )
    counts: dict[tuple[str, int], int] = defaultdict(int)
    totals: dict[int, int] = defaultdict(int)
    worrying: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[(row["category__figure_key"], row["year"])] += row["opened"]
        totals[row["year"]] += row["opened"]
        worrying[row["year"]] += row["worrying"]

    section: dict[str, dict[str, int]] = {}
    for category in Category.objects.filter(mission=Mission.MISSING).order_by("position", "key"):
        years = section.setdefault(category.figure_key, {})
        for year in range(first, last + 1):
            if category.active_in_year(year) or counts.get((category.figure_key, year)):
                years[str(year)] = counts.get((category.figure_key, year), 0)
    section = {key: values for key, values in section.items() if values}
    section["total"] = {str(y): totals.get(y, 0) for y in range(first, last + 1)}
    section["total_worrying"] = {str(y): worrying.get(y, 0) for y in range(first, last + 1)}
    return section


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def runaway_details(year: int) -> dict[str, int | float]:
    """Runaway episodes of one year: cases of category key `runaway` opened in the year.

    - `reports`: those cases;
    - `children`: distinct persons they are about;
    - `children_repeat`: persons with more than one of them;
    - `girls_pct_of_reports`: share of the reports about a person recorded as female;
    - `children_in_institution_pct`: share of the children who live in an institution (as the
      person record says now), and `reports_from_institution_children_pct` their share of reports;
    - `found_within_48h_pct`, `found_within_week_pct`, `longer_than_month_pct`: share of the
      reports whose child was found within 48 hours / 7 days / after more than 30 days of being
      last seen (open cases count in none of them).
    Percentages of `reports` (or of `children`) with one decimal; two aggregate queries.
    """
    cases = _cases_opened(Mission.MISSING, year, year).filter(category__figure_key="runaway")
    in_institution = Q(person__in_institution=True)
    missing_for = F("found_at") - F("last_seen_at")
    counts = cases.annotate(missing_for=missing_for).aggregate(
        reports=Count("id"),
        girls=Count("id", filter=Q(person__gender="female")),
        from_institution=Count("id", filter=in_institution),
        children=Count("person", distinct=True),
        children_in_institution=Count("person", distinct=True, filter=in_institution),
        within_48h=Count("id", filter=Q(missing_for__lte=timedelta(hours=48))),
        within_week=Count("id", filter=Q(missing_for__lte=timedelta(days=7))),
        over_month=Count("id", filter=Q(missing_for__gt=timedelta(days=30))),
    )
    repeat = (
        cases.values("person_id")
        .annotate(episodes=Count("id"))
        .order_by()
        .aggregate(children_repeat=Count("person_id", filter=Q(episodes__gt=1)))
    )
    reports, children = counts["reports"], counts["children"]
    return {
        "reports": reports,
        "children": children,
        "children_repeat": repeat["children_repeat"],
        "girls_pct_of_reports": _pct(counts["girls"], reports),
        "children_in_institution_pct": _pct(counts["children_in_institution"], children),
        "reports_from_institution_children_pct": _pct(counts["from_institution"], reports),
        "found_within_48h_pct": _pct(counts["within_48h"], reports),
        "found_within_week_pct": _pct(counts["within_week"], reports),
        "longer_than_month_pct": _pct(counts["over_month"], reports),
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
        "disappearances_new_cases": disappearances_new_cases(first, year),
        f"case_details_{year}": {"runaway": runaway_details(year)},
    }
