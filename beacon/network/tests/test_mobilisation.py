"""Who a notice mobilises (beacon.network.mobilisation, the lead's system reads): volunteers by
province or municipality, the referent, consent, partners by area and for discrete notices,
followers of the country and the province."""

from datetime import timedelta

import pytest
from django.utils import timezone

from beacon.core.models import Region
from beacon.network import services
from beacon.network.mobilisation import (
    mobilisation_followers,
    mobilisation_partners,
    mobilisation_volunteers,
)
from beacon.network.models import Municipality
from beacon.network.tests.helpers import partner, volunteer

pytestmark = pytest.mark.django_db


def ids(rows) -> set[int]:
    return {row.pk for row in rows}


@pytest.fixture
def area():
    return {
        "VAN": Region.objects.get(code="BE-VAN").pk,
        "WLG": Region.objects.get(code="BE-WLG").pk,
        "mechelen": Municipality.objects.get(code="12025").pk,
        "lier": Municipality.objects.get(code="12021").pk,
    }


@pytest.fixture
def people(cast):
    victor = cast["volunteer_coordinator"]

    def make(name, **values):
        values.setdefault("email", f"{name}@example.org")
        return volunteer(victor, first_name=name, **values)

    return {
        "mechelen_poster": make("mp", municipality="12025", region=""),
        "mechelen_stands": make("ms", municipality="12025", region="", roles=["stands"]),
        "mechelen_mobile": make("mm", municipality="12025", region="", roles=["mobile_team"]),
        "lier_poster": make("lp", municipality="12021", region=""),
        "province_poster": make("pp", region="BE-VAN"),
        "no_consent": make("nc", municipality="12025", region="", consent_given_at=None),
        "no_email": make("ne", municipality="12025", region="", email=""),
        "referent": make("ref", region="BE-VAN", is_referent=True),
        "liege_poster": make("lg", region="BE-WLG"),
        "inactive": make("in", municipality="12025", region="", active=False),
    }


def test_volunteers_of_the_province(people, area):
    found = ids(mobilisation_volunteers(region_id=area["VAN"], municipality_ids=[]))
    expected = {"mechelen_poster", "mechelen_mobile", "lier_poster", "province_poster", "referent"}
    assert found == {people[k].pk for k in expected}


def test_volunteers_of_a_municipality_and_the_referent(people, area):
    found = ids(mobilisation_volunteers(region_id=area["VAN"], municipality_ids=[area["mechelen"]]))
    # The province's poster volunteer has no municipality on record: reached too.
    expected = ("mechelen_poster", "mechelen_mobile", "province_poster", "referent")
    assert found == {people[k].pk for k in expected}
    # Without a province, no referent is added.
    found = ids(mobilisation_volunteers(region_id=None, municipality_ids=[area["mechelen"]]))
    assert found == {people[k].pk for k in ("mechelen_poster", "mechelen_mobile")}


def test_no_area_mobilises_nobody(people):
    assert not mobilisation_volunteers(region_id=None, municipality_ids=[]).exists()


def test_consent_withdrawn_is_never_mobilised(cast, people, area):
    poster = people["mechelen_poster"]
    services.volunteer_update(
        actor=cast["volunteer_coordinator"],
        volunteer_id=poster.pk,
        expected_version=1,
        consent_given_at=None,
    )
    found = ids(mobilisation_volunteers(region_id=area["VAN"], municipality_ids=[]))
    assert poster.pk not in found and people["no_consent"].pk not in found
    services.volunteer_update(
        actor=cast["volunteer_coordinator"],
        volunteer_id=poster.pk,
        expected_version=2,
        consent_given_at=timezone.now() - timedelta(minutes=1),
    )
    assert poster.pk in ids(mobilisation_volunteers(region_id=area["VAN"], municipality_ids=[]))


def test_the_referent_is_mobilised_whatever_their_roles(cast, area):
    referent = volunteer(
        cast["volunteer_coordinator"], region="BE-VAN", is_referent=True, roles=["stands"]
    )
    found = ids(mobilisation_volunteers(region_id=area["VAN"], municipality_ids=[]))
    assert referent.pk in found


@pytest.fixture
def partners(cast):
    victor = cast["volunteer_coordinator"]
    return {
        "national_posters": partner(victor, name="National shop"),
        "province_posters": partner(victor, name="Antwerp shop", region="BE-VAN"),
        "liege_posters": partner(victor, name="Liège shop", region="BE-WLG"),
        "mechelen_guards": partner(
            victor,
            name="Guards Mechelen",
            kind="community_guards",
            municipality="12025",
            receives_discrete=True,
        ),
        "lier_guards": partner(
            victor, name="Guards Lier", kind="community_guards", municipality="12021"
        ),
        "transport": partner(
            victor, name="Rail security", kind="transport_security", receives_discrete=True
        ),
        "screens": partner(victor, name="Screens", kind="screens", screens=100),
        "social": partner(
            victor,
            name="Social tool",
            kind="social_tool",
            channel="webhook",
            webhook_url="https://social.example.invalid/hook",
        ),
        "inactive": partner(victor, name="Gone shop", active=False),
    }


def test_partners_of_the_province(partners, area):
    found = ids(mobilisation_partners(region_id=area["VAN"], municipality_ids=[], discrete=False))
    expected = {
        "national_posters",
        "province_posters",
        "mechelen_guards",
        "lier_guards",
        "transport",
    }
    assert found == {partners[k].pk for k in expected}


def test_partners_of_a_municipality(partners, area):
    found = ids(
        mobilisation_partners(
            region_id=area["VAN"], municipality_ids=[area["mechelen"]], discrete=False
        )
    )
    expected = {"national_posters", "province_posters", "mechelen_guards", "transport"}
    assert found == {partners[k].pk for k in expected}


def test_discrete_notices_go_to_trusted_partners_only(partners, area):
    found = ids(mobilisation_partners(region_id=area["VAN"], municipality_ids=[], discrete=True))
    assert found == {partners["mechelen_guards"].pk, partners["transport"].pk}
    found = ids(mobilisation_partners(region_id=area["WLG"], municipality_ids=[], discrete=True))
    assert found == {partners["transport"].pk}


def test_followers_of_the_country_and_the_province(cast, area):
    victor = cast["volunteer_coordinator"]
    national = services.follower_subscribe(actor=victor, address="all@example.org")
    antwerp = services.follower_subscribe(actor=victor, address="van@example.org", region="BE-VAN")
    liege = services.follower_subscribe(actor=victor, address="wlg@example.org", region="BE-WLG")
    gone = services.follower_subscribe(actor=victor, address="gone@example.org")
    services.follower_unsubscribe(actor=victor, follower_id=gone.pk)
    assert ids(mobilisation_followers(region_id=area["VAN"])) == {national.pk, antwerp.pk}
    assert ids(mobilisation_followers(region_id=None)) == {national.pk}
    assert liege.pk in ids(mobilisation_followers(region_id=area["WLG"]))
