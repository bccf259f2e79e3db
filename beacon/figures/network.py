"""The network's figures (published key `network`), computed from the records for the years
`first` to `year`.

Who counts in a year is who was in the network at its end: joined on or before 31 December and
not left by then (`joined_on`, `left_on`: dates, so no time zone is involved). Roles, screens and
a follower's group are what the record says now (they are not kept per year).

- `volunteers`: volunteers active at the end of each year;
- `poster_volunteers`: of them, those whose roles include poster distribution;
- `school_sessions_volunteers` / `stand_volunteers`: `{"volunteers": n}` of them giving school
  workshops / staffing stands, with the school sessions (`sessions`) or stands (`events`) held
  in the year and the children they reached, as prevention counts them
  (beacon.figures.prevention: the same numbers as its `school_sessions`, `stand_events`, ...);
- `community_guard_municipalities`: municipalities with an active community-guard partnership
  at the end of the year; `<year>_new`: of those, the ones that had none at the end of the
  year before;
- `digital_screens`: the screens of the digital-screen networks active at the end of the year;
- `strava_club_followers`: followers in the group "running club" subscribed at the end of the
  year (subscribed before it ended, not unsubscribed by then; local time).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.figures.engine import AnyFigure, Figure, Period, Source, Total, evaluate
from beacon.figures.prevention import prevention_section
from beacon.network.models import Follower, Partner, PartnerKind, Volunteer, VolunteerRole

RUNNING_CLUB = "running club"


def network_section(first: int, year: int) -> dict:
    """The `network` section for the years `first` to `year` (see the module's docstring): the
    catalogue's figures (below) at each year's end, the screens, and the prevention counts."""
    years = range(first, year + 1)
    figures = catalogue_figures()
    at_end = {y: evaluate(figures, Period.year(y)) for y in years}

    def per_year(name: str) -> dict[str, int]:
        return {str(y): at_end[y][f"network.{name}"] for y in years}

    prevention = prevention_section(first, year)
    guards: dict[str, int] = {}
    for y in years:
        guards[str(y)] = at_end[y]["network.community_guard_municipalities"]
        guards[f"{y}_new"] = at_end[y]["network.community_guard_municipalities_new"]
    return {
        "volunteers": per_year("volunteers"),
        "poster_volunteers": per_year("poster_volunteers"),
        "community_guard_municipalities": guards,
        "digital_screens": per_year("digital_screens"),
        "strava_club_followers": per_year("strava_club_followers"),
        "school_sessions_volunteers": {
            str(y): {
                "volunteers": at_end[y]["network.school_sessions_volunteers.volunteers"],
                **_held(prevention, str(y), sessions="school_sessions", children="school_children"),
            }
            for y in years
        },
        "stand_volunteers": {
            str(y): {
                "volunteers": at_end[y]["network.stand_volunteers.volunteers"],
                **_held(prevention, str(y), events="stand_events", children="stand_children"),
            }
            for y in years
        },
    }


def _held(prevention: dict, year: str, **keys: str) -> dict[str, int]:
    """The year's prevention counts under the network's names, when the year has any."""
    if not any(year in prevention.get(source, {}) for source in keys.values()):
        return {}
    return {name: prevention.get(source, {}).get(year, 0) for name, source in keys.items()}


# --- the catalogue's figures: who was in the network at the end of a period --------------------


@dataclass(frozen=True)
class StockSource(Source):
    """Records that were there at the end of a period (a stock, not a flow): arrived on or
    before its last day (`date_field`), not gone by then (`gone_field` empty or after it). A
    year's value is the year-end's, so the per-year tables ask each year in turn."""

    gone_field: str = ""

    def in_period(self, start: datetime, end: datetime) -> QuerySet:
        # `end` is the instant the period's last day ends: for dates, the day after it.
        bound: date | datetime = timezone.localtime(end).date() if self.days else end
        arrived = {f"{self.date_field}__lt": bound}
        gone_later = Q(**{f"{self.gone_field}__isnull": True}) | Q(
            **{f"{self.gone_field}__gte": bound}
        )
        return self.queryset().filter(gone_later, **arrived)


@dataclass(frozen=True)
class StockFigure(Figure):
    """A figure of a StockSource: counted at the end of each period, never grouped by year."""

    per_year = False  # type: ignore[assignment]


@dataclass(frozen=True)
class StockTotal(Total):
    """A sum over a StockSource's records at the end of each period."""

    per_year = False  # type: ignore[assignment]


VOLUNTEERS = StockSource(
    key="volunteers",
    label=_("Volunteers, on the last day of the period"),
    queryset=Volunteer.objects.all,
    date_field="joined_on",
    gone_field="left_on",
    detail_permission="network.view_volunteer",
    days=True,
)
PARTNERS = StockSource(
    key="partners",
    label=_("Partners, on the last day of the period"),
    queryset=Partner.objects.all,
    date_field="joined_on",
    gone_field="left_on",
    days=True,
)
FOLLOWERS = StockSource(
    key="followers",
    label=_("Followers, at the end of the period"),
    queryset=Follower.objects.all,
    date_field="subscribed_at",
    gone_field="unsubscribed_at",
)


def _with_role(role: str) -> Q:
    # The roles are a JSON list of role keys; JSON containment is not portable to SQLite, so
    # match the quoted key in the list's text (no role key is part of another's quoted key).
    return Q(roles__icontains=f'"{role}"')


GUARDS = Q(kind=PartnerKind.COMMUNITY_GUARDS, municipality__isnull=False)


def _guards_new(start: datetime, end: datetime) -> Q:
    """Community-guard municipalities with none at the end of the day before the period."""
    before = PARTNERS.in_period(start, start).filter(GUARDS).values("municipality")
    return GUARDS & ~Q(municipality__in=before)


def catalogue_figures() -> list[AnyFigure]:
    """The network's figures in the catalogue (beacon.figures.catalogue), with drill-downs: who
    was in the network on the last day of the period."""

    def volunteers(key: str, label, definition, where: Q | None = None) -> StockFigure:
        return StockFigure(
            key=f"network.{key}",
            label=label,
            definition=definition,
            source=VOLUNTEERS,
            where=where or Q(),
        )

    return [
        volunteers(
            "volunteers",
            _("Volunteers"),
            _(
                "Volunteers who had joined on or before the last day of the period and had not "
                "left by then."
            ),
        ),
        volunteers(
            "poster_volunteers",
            _("of whom distribute posters"),
            _("Of the volunteers, those whose roles include distributing posters."),
            _with_role(VolunteerRole.POSTERS),
        ),
        volunteers(
            "school_sessions_volunteers.volunteers",
            _("of whom give school workshops"),
            _("Of the volunteers, those whose roles include school workshops."),
            _with_role(VolunteerRole.SCHOOL_WORKSHOPS),
        ),
        volunteers(
            "stand_volunteers.volunteers",
            _("of whom staff stands at events"),
            _("Of the volunteers, those whose roles include stands at events."),
            _with_role(VolunteerRole.STANDS),
        ),
        StockFigure(
            key="network.community_guard_municipalities",
            label=_("Municipalities with community guards as partners"),
            definition=_(
                "Municipalities with at least one community-guard service that was a partner "
                "on the last day of the period."
            ),
            source=PARTNERS,
            where=GUARDS,
            distinct="municipality",
        ),
        StockFigure(
            key="network.community_guard_municipalities_new",
            label=_("of which new"),
            definition=_(
                "Of those municipalities, the ones that had no community-guard partner on the "
                "day before the period began."
            ),
            source=PARTNERS,
            where=_guards_new,
            distinct="municipality",
        ),
        StockTotal(
            key="network.digital_screens",
            label=_("Digital screens showing notices"),
            definition=_(
                "The screens of the digital-screen networks that were partners on the last day "
                "of the period."
            ),
            source=PARTNERS,
            field_name="screens",
            where=Q(kind=PartnerKind.SCREENS),
        ),
        StockFigure(
            key="network.strava_club_followers",
            label=_("Running-club followers"),
            definition=_(
                "Followers in the group “running club” subscribed before the end of the period "
                "and not unsubscribed by then."
            ),
            source=FOLLOWERS,
            where=Q(group=RUNNING_CLUB),
        ),
    ]
