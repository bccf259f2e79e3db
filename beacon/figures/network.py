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

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum

from beacon.figures.prevention import prevention_section
from beacon.network.models import Follower, Partner, PartnerKind, Volunteer, VolunteerRole

RUNNING_CLUB = "running club"


def _active_on(day: date) -> Q:
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def _volunteer_counts(years: range) -> dict[int, dict[str, int]]:
    """Per year: active volunteers, and those of each role. One query; the roles are counted in
    Python (a few hundred rows; JSON containment is not portable to SQLite)."""
    rows = list(Volunteer.objects.values_list("joined_on", "left_on", "roles"))
    counts: dict[int, dict[str, int]] = {}
    for year in years:
        end = date(year, 12, 31)
        per = dict.fromkeys(["all", *VolunteerRole.values], 0)
        for joined, left, roles in rows:
            if joined <= end and (left is None or left > end):
                per["all"] += 1
                for role in set(roles or []):
                    if role in per:
                        per[role] += 1
        counts[year] = per
    return counts


def _guard_municipalities(day: date) -> set[int]:
    return set(
        Partner.objects.filter(_active_on(day), kind=PartnerKind.COMMUNITY_GUARDS)
        .exclude(municipality=None)
        .values_list("municipality_id", flat=True)
    )


def network_section(first: int, year: int) -> dict:
    """The `network` section for the years `first` to `year` (see the module's docstring)."""
    years = range(first, year + 1)
    volunteers = _volunteer_counts(years)
    prevention = prevention_section(first, year)
    zone = ZoneInfo(settings.TIME_ZONE)
    guards: dict[str, int] = {}
    screens: dict[str, int] = {}
    followers: dict[str, int] = {}
    before = _guard_municipalities(date(first - 1, 12, 31))
    for y in years:
        end = date(y, 12, 31)
        current = _guard_municipalities(end)
        guards[str(y)] = len(current)
        guards[f"{y}_new"] = len(current - before)
        before = current
        screens[str(y)] = (
            Partner.objects.filter(_active_on(end), kind=PartnerKind.SCREENS).aggregate(
                n=Sum("screens")
            )["n"]
            or 0
        )
        next_year = datetime(y + 1, 1, 1, tzinfo=zone)
        followers[str(y)] = Follower.objects.filter(
            Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gte=next_year),
            group=RUNNING_CLUB,
            subscribed_at__lt=next_year,
        ).count()
    return {
        "volunteers": {str(y): volunteers[y]["all"] for y in years},
        "poster_volunteers": {str(y): volunteers[y][VolunteerRole.POSTERS] for y in years},
        "community_guard_municipalities": guards,
        "digital_screens": screens,
        "strava_club_followers": followers,
        "school_sessions_volunteers": {
            str(y): {
                "volunteers": volunteers[y][VolunteerRole.SCHOOL_WORKSHOPS],
                **_held(prevention, str(y), sessions="school_sessions", children="school_children"),
            }
            for y in years
        },
        "stand_volunteers": {
            str(y): {
                "volunteers": volunteers[y][VolunteerRole.STANDS],
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


def catalogue_figures() -> list:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs."""
    return []
