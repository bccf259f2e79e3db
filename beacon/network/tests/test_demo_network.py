"""The demo network reproduces the published `network` figures from its records, and loading it
again changes nothing."""

import pytest

from beacon.demo.network import load_network
from beacon.figures.network import network_section
from beacon.network.mobilisation import mobilisation_volunteers
from beacon.network.models import Follower, Partner, Volunteer

pytestmark = pytest.mark.django_db


def test_the_demo_network_gives_the_published_figures():
    assert load_network() is True
    counts = (Volunteer.objects.count(), Partner.objects.count(), Follower.objects.count())
    assert load_network() is False
    assert (Volunteer.objects.count(), Partner.objects.count(), Follower.objects.count()) == counts

    network = network_section(2021, 2025)
    assert network["volunteers"] == {
        "2021": 490,
        "2022": network["volunteers"]["2022"],
        "2023": network["volunteers"]["2023"],
        "2024": network["volunteers"]["2024"],
        "2025": 400,
    }
    assert network["poster_volunteers"]["2025"] == 320
    assert network["community_guard_municipalities"]["2025"] == 59
    assert network["community_guard_municipalities"]["2025_new"] == 13
    assert network["digital_screens"]["2025"] == 25_000
    assert network["strava_club_followers"]["2025"] == 13_000
    assert network["school_sessions_volunteers"]["2021"] == {"volunteers": 28}
    assert network["school_sessions_volunteers"]["2025"] == {"volunteers": 44}
    assert network["stand_volunteers"]["2025"] == {"volunteers": 142}

    # The rest of the brief: a referent per province, 31 poster partners in 2021, the app and
    # the social tool on webhooks at reserved names, synthetic addresses only.
    assert (
        Volunteer.objects.filter(active=True, is_referent=True).values("region").distinct().count()
        == 11
    )
    assert (
        Partner.objects.filter(kind="posters", joined_on__lte="2021-12-31")
        .exclude(left_on__lte="2021-12-31")
        .count()
        >= 31
    )
    hooks = Partner.objects.filter(channel="webhook").values_list("kind", "webhook_url")
    assert {kind for kind, _url in hooks} == {"app", "social_tool"}
    assert all(".test/" in url or ".invalid/" in url for _kind, url in hooks)
    assert Partner.objects.filter(kind="transport_security").count() == 1
    assert not Volunteer.objects.exclude(email__endswith="example.org").exists()
    assert not Follower.objects.exclude(address__endswith="example.org").exists()
    assert not Partner.objects.exclude(email__endswith="example.org").exists()

    # Volunteers without consent exist and are never mobilised.
    without = Volunteer.objects.filter(active=True, consent_given_at=None)
    assert without.exists()
    for v in without:
        assert (
            not mobilisation_volunteers(region_id=v.region_id, municipality_ids=[])
            .filter(pk=v.pk)
            .exists()
        )
