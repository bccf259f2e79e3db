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
from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractYear

from beacon.cases.choices import Mission
from beacon.cases.models import Case, Category
from beacon.line.models import Call


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
    disappearances, `total_worrying`; one aggregate query grouped by year and figure key.
    A key is listed for the years in which one of its categories was in use (0 when none was
    opened), so legacy categories appear only in their years."""
    rows = (
        _cases_opened(mission, first, last)
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
    for category in Category.objects.filter(mission=mission).order_by("position", "key"):
        years = section.setdefault(category.figure_key, {})
        for year in range(first, last + 1):
            if category.active_in_year(year) or counts.get((category.figure_key, year)):
                years[str(year)] = counts.get((category.figure_key, year), 0)
    section = {key: values for key, values in section.items() if values}
    section["total"] = {str(y): totals.get(y, 0) for y in range(first, last + 1)}
    if mission == Mission.MISSING:
        section["total_worrying"] = {str(y): worrying.get(y, 0) for y in range(first, last + 1)}
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

    The 2021 report's total also counted the civil hotline's reports of abuse images
    (`total_including_abuse_image_reports`); those reports are part 3 of Beacon, so that total is
    not produced here yet.
    """
    section = _new_cases_by_category(Mission.EXPLOITATION, first, last)
    section["total_excluding_abuse_image_reports"] = section.pop("total")
    return section


def hotline_calls(first: int, last: int) -> dict[str, dict[str, int]]:
    """Calls to the emergency number per calendar year (local time):

    - `116000_calls`: contacts on the 116 000 line, its free number and the paid number that
      reaches it from abroad (`Call.objects.on_116000()`); tips on 116 800, chats, e-mails,
      police and walk-ins are not calls to 116 000;
    - `116000_calls_at_night_23h_to_7h`: of those, the ones that started from 23:00 up to (not
      including) 07:00 in the organisation's time zone (`Call.objects.at_night()`), daylight
      saving time included.
    Two aggregate queries grouped by year.
    """
    start, end = _year_bounds(first, last)
    calls = (
        Call.objects.on_116000()
        .filter(started_at__gte=start, started_at__lt=end)
        .annotate(year=ExtractYear("started_at", tzinfo=_local_zone()))
    )
    totals = dict(calls.values("year").annotate(n=Count("id")).order_by().values_list("year", "n"))
    nights = dict(
        calls.at_night().values("year").annotate(n=Count("id")).order_by().values_list("year", "n")
    )
    years = range(first, last + 1)
    return {
        "116000_calls": {str(y): totals.get(y, 0) for y in years},
        "116000_calls_at_night_23h_to_7h": {str(y): nights.get(y, 0) for y in years},
    }


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


def _mean(value) -> float | None:
    return round(float(value), 1) if value is not None else None


def _exploitation_cases(year: int, figure_key: str, subkind: str = ""):
    cases = _cases_opened(Mission.EXPLOITATION, year, year).filter(category__figure_key=figure_key)
    return cases.filter(subkind__key=subkind) if subkind else cases


def child_prostitution_details(year: int) -> dict[str, int | float]:
    """Child-prostitution cases opened in the year (`total`):

    - `under_16_pct`, `under_13`: by the victim's age at the time of the facts;
    - `boys`: cases about a person recorded as male;
    - `in_institution_pct`: cases whose victim lived in an institution (the case's facts);
    - `linked_to_running_away_pct`: cases whose victim has a runaway case opened before it;
    - `reports_via_age_check_tool`: cases reported through the age-check tool on ad platforms;
    - `teen_pimp_involved`: cases with a teen pimp.
    Shares of `total` with one decimal (the reports print them rounded to whole numbers).
    """
    ran_away = Case.objects.filter(
        person=OuterRef("person"),
        category__figure_key="runaway",
        opened_at__lt=OuterRef("opened_at"),
    )
    counts = (
        _exploitation_cases(year, "child_prostitution")
        .annotate(has_run_away=Exists(ran_away))
        .aggregate(
            total=Count("id"),
            under_16=Count("id", filter=Q(facts__victim_age__lt=16)),
            under_13=Count("id", filter=Q(facts__victim_age__lt=13)),
            boys=Count("id", filter=Q(person__gender="male")),
            institution=Count("id", filter=Q(facts__in_institution=True)),
            ran_away=Count("id", filter=Q(has_run_away=True)),
            tool=Count("id", filter=Q(facts__report_source="age_check_tool")),
            pimp=Count("id", filter=Q(facts__teen_pimp=True)),
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
    }


def _victims(cases) -> dict:
    return cases.aggregate(
        total=Count("id"),
        girls=Count("id", filter=Q(person__gender="female")),
        boys=Count("id", filter=Q(person__gender="male")),
        mean_age=Avg("facts__victim_age"),
        age_12_or_younger=Count("id", filter=Q(facts__victim_age__lte=12)),
        age_13_or_younger=Count("id", filter=Q(facts__victim_age__lte=13)),
        age_14_or_younger=Count("id", filter=Q(facts__victim_age__lte=14)),
    )


def sexting_details(year: int) -> dict[str, int | float | None]:
    """Sexting-without-consent cases opened in the year: `total`, `girls_pct` (person recorded
    as female), `mean_age` (victim's age at the facts, one decimal), `age_13_or_younger_pct`,
    `age_12_or_younger_pct`."""
    v = _victims(_exploitation_cases(year, "sexting_without_consent"))
    return {
        "total": v["total"],
        "mean_age": _mean(v["mean_age"]),
        "age_13_or_younger_pct": _pct(v["age_13_or_younger"], v["total"]),
        "age_12_or_younger_pct": _pct(v["age_12_or_younger"], v["total"]),
        "girls_pct": _pct(v["girls"], v["total"]),
    }


def sextortion_details(year: int) -> dict:
    """Sextortion cases opened in the year: `total`, `financial_pct` (sub-kind financial), and
    per sub-kind: content (`girls_pct`, `mean_age`, `age_14_or_younger_pct`) and financial
    (`male_pct`, `mean_age`); the same definitions as sexting's."""
    content = _victims(_exploitation_cases(year, "sextortion", "content"))
    financial = _victims(_exploitation_cases(year, "sextortion", "financial"))
    total = content["total"] + financial["total"]
    return {
        "total": total,
        "financial_pct": _pct(financial["total"], total),
        "content": {
            "total": content["total"],
            "girls_pct": _pct(content["girls"], content["total"]),
            "mean_age": _mean(content["mean_age"]),
            "age_14_or_younger_pct": _pct(content["age_14_or_younger"], content["total"]),
        },
        "financial": {
            "total": financial["total"],
            "male_pct": _pct(financial["boys"], financial["total"]),
            "mean_age": _mean(financial["mean_age"]),
        },
    }


def grooming_details(year: int) -> dict[str, int | float | None]:
    """Grooming cases opened in the year: `total`, `girls_pct`, `mean_age` (as sexting's)."""
    v = _victims(_exploitation_cases(year, "grooming"))
    return {
        "total": v["total"],
        "girls_pct": _pct(v["girls"], v["total"]),
        "mean_age": _mean(v["mean_age"]),
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
        f"case_details_{year}": {
            "runaway": runaway_details(year),
            "child_prostitution": child_prostitution_details(year),
            "sexting_without_consent": sexting_details(year),
            "sextortion": sextortion_details(year),
            "grooming": grooming_details(year),
        },
    }
