"""The prevention figures (published key `prevention`), computed from the records for the years
`first` to `year`. Each per-year figure is a `{year: value}` dict listing only the years with
data (no record of that sort: no entry).

A record counts in the calendar year of its day (`held_on`, `handed_on`: dates, so no time zone
is involved: a training on 31 December counts in that year, one on 1 January in the next).
Only what was held counts: records dated after today (planned trainings and sessions) are left
out until their day has come.

- `trainings_professionals`: trainings held in the year for every audience except parents
  (professionals, police, youth-care staff, teachers), as the reports' "vormingen voor
  professionals";
- `trainings_parents`: trainings held in the year for parents;
- `school_sessions` / `school_children`: school sessions held in the year and the children they
  reached (the reports' school workshops, e.g. MAX 24/7);
- `stand_events` / `stand_children`: stands at events held in the year and the children reached;
- `tools_handed_out`: the quantity of prevention tools handed out in the year;
- `<year>` (for every year in the range with data), in the shape of the published "2021" object:
  `police_trainings` (trainings for police held in the year), `school_sessions`, `children`
  (children reached by the school sessions), `parents_reached` (participants of the trainings
  for parents), `professionals_reached` (participants of the trainings for every other
  audience). The published `academy_modules`, `trainers`, `icoach_*` and
  `internet_safe_and_fun_pupils` are not computed (modules are free text; the Internet Safe &
  Fun sessions are not recorded).

Three aggregate queries (trainings per year and audience, sessions per year and kind, tools per
year), grouped by `ExtractYear` of the day.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training


def _last_day(first: int, year: int) -> tuple[date, date]:
    """The period's first day, and its last day held so far (today, if the year is running)."""
    return date(first, 1, 1), min(date(year, 12, 31), timezone.localdate())


def _present(values: dict[int, int]) -> dict[str, int]:
    return {str(y): n for y, n in sorted(values.items()) if n}


def prevention_section(first: int, year: int) -> dict:
    """The `prevention` section for the years `first` to `year` (see the module's docstring)."""
    start, end = _last_day(first, year)
    professionals: dict[int, int] = defaultdict(int)
    professionals_reached: dict[int, int] = defaultdict(int)
    parents: dict[int, int] = defaultdict(int)
    parents_reached: dict[int, int] = defaultdict(int)
    police: dict[int, int] = defaultdict(int)
    trainings = (
        Training.objects.filter(held_on__gte=start, held_on__lte=end)
        .annotate(year=ExtractYear("held_on"))
        .values("year", "audience")
        .annotate(n=Count("id"), people=Sum("participants"))
        .order_by()
    )
    for row in trainings:
        y, n, people = row["year"], row["n"], row["people"] or 0
        if row["audience"] == Audience.PARENTS:
            parents[y] += n
            parents_reached[y] += people
        else:
            professionals[y] += n
            professionals_reached[y] += people
            if row["audience"] == Audience.POLICE:
                police[y] += n

    sessions: dict[tuple[int, str], tuple[int, int]] = {
        (row["year"], row["kind"]): (row["n"], row["children"] or 0)
        for row in Session.objects.filter(held_on__gte=start, held_on__lte=end)
        .annotate(year=ExtractYear("held_on"))
        .values("year", "kind")
        .annotate(n=Count("id"), children=Sum("children_reached"))
        .order_by()
    }
    tools = dict(
        ToolHandout.objects.filter(handed_on__gte=start, handed_on__lte=end)
        .annotate(year=ExtractYear("handed_on"))
        .values("year")
        .annotate(quantity=Sum("quantity"))
        .order_by()
        .values_list("year", "quantity")
    )

    years = range(first, year + 1)
    school = {y: sessions.get((y, SessionKind.SCHOOL), (0, 0)) for y in years}
    stands = {y: sessions.get((y, SessionKind.STAND), (0, 0)) for y in years}
    section: dict = {
        "trainings_professionals": _present(professionals),
        "trainings_parents": _present(parents),
        "school_sessions": _present({y: school[y][0] for y in years}),
        "school_children": _present({y: school[y][1] for y in years}),
        "stand_events": _present({y: stands[y][0] for y in years}),
        "stand_children": _present({y: stands[y][1] for y in years}),
        "tools_handed_out": _present({y: tools.get(y) or 0 for y in years}),
    }
    for y in years:
        detail = {
            "police_trainings": police.get(y, 0),
            "school_sessions": school[y][0],
            "children": school[y][1],
            "parents_reached": parents_reached.get(y, 0),
            "professionals_reached": professionals_reached.get(y, 0),
        }
        if professionals.get(y) or parents.get(y) or school[y][0]:
            section[str(y)] = detail
    return section


def catalogue_figures() -> list:
    """This section's training counts in the catalogue (beacon.figures.catalogue): trainings by
    the day they were held."""
    from django.db.models import Q
    from django.utils.translation import gettext_lazy as _

    from beacon.figures.engine import Figure, Source

    trainings = Source(
        key="trainings",
        label=_("Trainings, by the day they were held"),
        queryset=Training.objects.all,
        date_field="held_on",
        detail_permission="prevention.view_training",
        days=True,
    )
    # Planned trainings count once their day has come.
    held = Q(held_on__lte=timezone.localdate())
    return [
        Figure(
            key="prevention.trainings_professionals",
            label=_("Trainings for professionals"),
            definition=_(
                "Trainings held in the period for professionals, police, youth-care staff and "
                "teachers (every audience but parents)."
            ),
            source=trainings,
            where=~Q(audience=Audience.PARENTS) & held,
        ),
        Figure(
            key="prevention.trainings_parents",
            label=_("Trainings for parents"),
            definition=_("Trainings held in the period for parents."),
            source=trainings,
            where=Q(audience=Audience.PARENTS) & held,
        ),
    ]
