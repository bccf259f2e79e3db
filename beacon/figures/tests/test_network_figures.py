"""The `network` figures section on a small hand-built network: year ends, roles, community-guard
municipalities and the new ones, screens, running-club followers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from beacon.core.models import Region
from beacon.figures.definitions import figures_for_year
from beacon.figures.network import network_section
from beacon.network.models import Follower, Municipality, Partner, Volunteer

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def volunteer(joined, left=None, roles=("posters",)):
    return Volunteer.objects.create(
        first_name="Fig",
        last_name="Volunteer",
        region=Region.objects.get(code="BE-VAN"),
        roles=list(roles),
        joined_on=joined,
        left_on=left,
        active=left is None,
    )


def guards(code, joined, left=None):
    municipality = Municipality.objects.get(code=code)
    return Partner.objects.create(
        name=f"Guards {code}",
        kind="community_guards",
        region=municipality.region,
        municipality=municipality,
        email="g@example.org",
        joined_on=joined,
        left_on=left,
        active=left is None,
    )


def test_the_section_counts_who_was_there_at_each_year_end():
    volunteer(date(2020, 5, 1))
    volunteer(date(2020, 5, 1), left=date(2021, 12, 31), roles=["stands"])  # left on 31 Dec
    volunteer(date(2021, 12, 31), roles=["school_workshops", "posters"])  # joined on 31 Dec
    volunteer(date(2022, 1, 1), roles=["mobile_team"])
    guards("12025", date(2019, 1, 1))
    guards("12021", date(2021, 3, 1))
    guards("12021", date(2021, 6, 1))  # a second service in the same municipality
    guards("21004", date(2020, 1, 1), left=date(2021, 6, 30))
    Partner.objects.create(
        name="S1", kind="screens", email="s@example.org", screens=700, joined_on=date(2020, 1, 1)
    )
    Partner.objects.create(
        name="S2",
        kind="screens",
        email="s@example.org",
        screens=300,
        joined_on=date(2021, 1, 1),
        left_on=date(2022, 2, 1),
        active=False,
    )
    Follower.objects.create(
        group="running club",
        address="a@example.org",
        subscribed_at=datetime(2021, 12, 31, 23, 30, tzinfo=BRUSSELS),
    )
    Follower.objects.create(
        group="running club",
        address="b@example.org",
        subscribed_at=datetime(2022, 1, 1, 0, 30, tzinfo=BRUSSELS),
    )
    Follower.objects.create(
        group="running club",
        address="c@example.org",
        active=False,
        subscribed_at=datetime(2021, 2, 1, tzinfo=BRUSSELS),
        unsubscribed_at=datetime(2022, 3, 1, tzinfo=BRUSSELS),
    )
    Follower.objects.create(
        group="", address="d@example.org", subscribed_at=datetime(2021, 2, 1, tzinfo=BRUSSELS)
    )

    section = network_section(2021, 2022)
    assert section["volunteers"] == {"2021": 2, "2022": 3}
    assert section["poster_volunteers"] == {"2021": 2, "2022": 2}
    assert section["school_sessions_volunteers"] == {
        "2021": {"volunteers": 1},
        "2022": {"volunteers": 1},
    }
    assert section["stand_volunteers"] == {"2021": {"volunteers": 0}, "2022": {"volunteers": 0}}
    assert section["community_guard_municipalities"] == {
        "2021": 2,
        "2021_new": 1,  # Lier; Mechelen was there at the end of 2020, Brussels left
        "2022": 2,
        "2022_new": 0,
    }
    assert section["digital_screens"] == {"2021": 1000, "2022": 700}
    assert section["strava_club_followers"] == {"2021": 2, "2022": 2}


def test_the_section_is_in_the_years_figures():
    volunteer(date(2020, 5, 1))
    figures = figures_for_year(2025, since=2024)
    assert figures["network"]["volunteers"] == {"2024": 1, "2025": 1}
