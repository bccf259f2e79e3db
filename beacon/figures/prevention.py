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

Each number is a catalogue figure (`catalogue_figures`, with its drill-down); the section asks
them per year: three aggregate queries (trainings, sessions, tools), grouped by year.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.figures.engine import AnyFigure, Figure, Source, Total, evaluate_per_year
from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training

PREFIX = "prevention."

TRAININGS = Source(
    key="trainings",
    label=_("Trainings, by the day they were held"),
    queryset=Training.objects.all,
    date_field="held_on",
    detail_permission="prevention.view_training",
    days=True,
)
SESSIONS = Source(
    key="prevention_sessions",
    label=_("School sessions and stands, by the day they were held"),
    queryset=Session.objects.all,
    date_field="held_on",
    detail_permission="prevention.view_training",
    days=True,
)
HANDOUTS = Source(
    key="tool_handouts",
    label=_("Prevention tools handed out, by the day"),
    queryset=ToolHandout.objects.all,
    date_field="handed_on",
    detail_permission="prevention.view_training",
    days=True,
)
PARENTS = Q(audience=Audience.PARENTS)
SCHOOL = Q(kind=SessionKind.SCHOOL)
STAND = Q(kind=SessionKind.STAND)


def catalogue_figures() -> list[AnyFigure]:
    """The prevention figures in the catalogue (beacon.figures.catalogue), with drill-downs:
    trainings, school sessions, stands and tools by the day they were held or handed out. Only
    what was held counts: a record dated after today is planned, and counts once its day has
    come."""
    today = timezone.localdate()
    held = Q(held_on__lte=today)
    return [
        Figure(
            key=f"{PREFIX}trainings_professionals",
            label=_("Trainings for professionals"),
            definition=_(
                "Trainings held in the period for professionals, police, youth-care staff and "
                "teachers (every audience but parents)."
            ),
            source=TRAININGS,
            where=~PARENTS & held,
        ),
        Figure(
            key=f"{PREFIX}police_trainings",
            label=_("of which for police"),
            definition=_("Trainings held in the period for police."),
            source=TRAININGS,
            where=Q(audience=Audience.POLICE) & held,
        ),
        Total(
            key=f"{PREFIX}professionals_reached",
            label=_("Professionals reached"),
            definition=_("Participants of the trainings for professionals held in the period."),
            source=TRAININGS,
            field_name="participants",
            where=~PARENTS & held,
        ),
        Figure(
            key=f"{PREFIX}trainings_parents",
            label=_("Trainings for parents"),
            definition=_("Trainings held in the period for parents."),
            source=TRAININGS,
            where=PARENTS & held,
        ),
        Total(
            key=f"{PREFIX}parents_reached",
            label=_("Parents reached"),
            definition=_("Participants of the trainings for parents held in the period."),
            source=TRAININGS,
            field_name="participants",
            where=PARENTS & held,
        ),
        Figure(
            key=f"{PREFIX}school_sessions",
            label=_("School sessions"),
            definition=_("School sessions (workshops in class) held in the period."),
            source=SESSIONS,
            where=SCHOOL & held,
        ),
        Total(
            key=f"{PREFIX}school_children",
            label=_("Children reached by school sessions"),
            definition=_("Children the school sessions held in the period reached."),
            source=SESSIONS,
            field_name="children_reached",
            where=SCHOOL & held,
        ),
        Figure(
            key=f"{PREFIX}stand_events",
            label=_("Stands at events"),
            definition=_("Stands at events held in the period."),
            source=SESSIONS,
            where=STAND & held,
        ),
        Total(
            key=f"{PREFIX}stand_children",
            label=_("Children reached at stands"),
            definition=_("Children the stands at events held in the period reached."),
            source=SESSIONS,
            field_name="children_reached",
            where=STAND & held,
        ),
        Total(
            key=f"{PREFIX}tools_handed_out",
            label=_("Prevention tools handed out"),
            definition=_("The quantity of prevention tools handed out in the period."),
            source=HANDOUTS,
            field_name="quantity",
            where=Q(handed_on__lte=today),
        ),
    ]


# The section's per-year series (only the years with data) and the names the published "2021"
# object gives the same figures.
SERIES = (
    "trainings_professionals",
    "trainings_parents",
    "school_sessions",
    "school_children",
    "stand_events",
    "stand_children",
    "tools_handed_out",
)
YEAR_DETAIL = {
    "police_trainings": "police_trainings",
    "school_sessions": "school_sessions",
    "children": "school_children",
    "parents_reached": "parents_reached",
    "professionals_reached": "professionals_reached",
}


def prevention_section(first: int, year: int) -> dict:
    """The `prevention` section for the years `first` to `year` (see the module's docstring),
    from the catalogue's figures: one query per kind of record, grouped by year."""
    values = {
        key.removeprefix(PREFIX): per_year
        for key, per_year in evaluate_per_year(catalogue_figures(), first, year).items()
    }
    section: dict = {name: {y: n for y, n in values[name].items() if n} for name in SERIES}
    for y in map(str, range(first, year + 1)):
        held = (
            values["trainings_professionals"][y]
            or values["trainings_parents"][y]
            or values["school_sessions"][y]
        )
        if held:
            section[y] = {name: values[key][y] for name, key in YEAR_DETAIL.items()}
    return section
