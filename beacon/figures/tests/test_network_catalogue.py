"""The network's catalogue figures: who was in the network on the last day of any period, each
with a drill-down listing exactly who is counted, and names only for who may read them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from beacon.figures.catalogue import catalogue
from beacon.figures.engine import Period, Total, drill_down_count, drill_down_total, evaluate
from beacon.figures.network import catalogue_figures
from beacon.figures.tests.test_network_figures import guards, volunteer
from beacon.network.models import Follower, Partner

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
SPRING = Period(date(2021, 3, 1), date(2021, 6, 30))


@pytest.fixture
def network(db):
    volunteer(date(2020, 5, 1), roles=["posters", "stands"])
    volunteer(date(2021, 6, 30), roles=["school_workshops"])  # joined on the last day
    volunteer(date(2021, 7, 1))  # joined the day after
    volunteer(date(2020, 5, 1), left=date(2021, 6, 30))  # left on the last day: gone
    volunteer(date(2020, 5, 1), left=date(2021, 7, 1), roles=["mobile_team"])  # left after
    guards("12025", date(2019, 1, 1))  # there before the period
    guards("12021", date(2021, 4, 1))  # new in the period
    guards("12021", date(2021, 5, 1))  # a second service in the same municipality
    guards("21004", date(2021, 4, 1), left=date(2021, 5, 1))  # came and went: not counted
    Partner.objects.create(
        name="S1", kind="screens", email="s@example.org", screens=700, joined_on=date(2020, 1, 1)
    )
    Partner.objects.create(
        name="S2", kind="screens", email="s@example.org", screens=300, joined_on=date(2021, 7, 1)
    )
    Follower.objects.create(
        group="running club",
        address="a@example.org",
        subscribed_at=datetime(2021, 6, 30, 23, 59, tzinfo=BRUSSELS),
    )
    Follower.objects.create(
        group="running club",
        address="b@example.org",
        subscribed_at=datetime(2021, 7, 1, 0, 0, tzinfo=BRUSSELS),  # the instant it ended
    )
    Follower.objects.create(
        group="running club",
        address="c@example.org",
        subscribed_at=datetime(2021, 1, 1, tzinfo=BRUSSELS),
        unsubscribed_at=datetime(2021, 7, 1, 0, 0, tzinfo=BRUSSELS),  # still there at the end
    )


def test_the_figures_count_who_was_there_on_the_last_day_of_the_period(network):
    values = evaluate(catalogue_figures(), SPRING)
    assert values == {
        "network.volunteers": 3,
        "network.poster_volunteers": 1,
        "network.school_sessions_volunteers.volunteers": 1,
        "network.stand_volunteers.volunteers": 1,
        "network.community_guard_municipalities": 2,
        "network.community_guard_municipalities_new": 1,
        "network.digital_screens": 700,
        "network.strava_club_followers": 2,
    }


def test_a_period_before_anyone_joined_counts_nobody(network):
    values = evaluate(catalogue_figures(), Period.year(2018))
    assert set(values.values()) == {0}


def test_each_drill_down_lists_as_many_as_the_figure(network):
    values = evaluate(catalogue_figures(), SPRING)
    for figure in catalogue_figures():
        if isinstance(figure, Total):
            assert drill_down_total(figure, SPRING) == values[figure.key], figure.key
        else:
            assert drill_down_count(figure, SPRING) == values[figure.key], figure.key


def test_stock_figures_are_not_grouped_by_year(network):
    figures = catalogue()
    assert not figures["network.volunteers"].per_year
    assert figures["disappearances_new_cases.total"].per_year


def test_the_drill_down_shows_a_reader_of_figures_no_names(network, client, cast):
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["network.volunteers"])
    response = client.get(url, {"from": "2021-03-01", "to": "2021-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Volunteer" not in html.replace("Volunteers", "")
    assert html.count("<tr") - 1 == 3  # a header row and one row per volunteer counted


def test_the_glance_page_lists_the_network(network, client, cast):
    client.force_login(cast["statistics_reader"])
    response = client.get(reverse("figures:glance"), {"from": "2021-03-01", "to": "2021-06-30"})
    assert response.status_code == 200
    assert "network.community_guard_municipalities_new" in response.content.decode()
