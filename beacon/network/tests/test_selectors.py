"""The network's reads: least privilege (only coordinators read volunteers), audited reads of a
volunteer, filters, counts per province."""

import pytest
from django.core.exceptions import PermissionDenied

from beacon.core.models import AuditRecord
from beacon.network import selectors, services
from beacon.network.selectors import FollowerFilters, PartnerFilters, VolunteerFilters
from beacon.network.tests.helpers import partner, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(cast):
    victor = cast["volunteer_coordinator"]
    people = {
        "ann": volunteer(
            victor, first_name="Ann", municipality="12025", region="", roles=["posters"]
        ),
        "bert": volunteer(
            victor, first_name="Bert", region="BE-WLG", municipality="62063", roles=["stands"]
        ),
        "cis": volunteer(
            victor,
            first_name="Cis",
            region="BE-VAN",
            roles=["school_workshops", "posters"],
            is_referent=True,
        ),
        "dirk": volunteer(victor, first_name="Dirk", region="BE-VAN", roles=["mobile_team"]),
    }
    services.volunteer_deactivate(actor=victor, volunteer_id=people["dirk"].pk, expected_version=1)
    partner(victor, name="Screens", kind="screens", screens=300)
    partner(victor, name="Guards Luik", kind="community_guards", municipality="62063")
    services.follower_subscribe(actor=victor, address="one@club.example.org", group="running club")
    services.follower_subscribe(actor=victor, address="two@example.org")
    return people


@pytest.mark.parametrize(
    "role", ["case_manager", "analyst", "administrator", "first_responder", "finance", "nobody"]
)
def test_nobody_but_a_coordinator_reads_volunteers(cast, network, role):
    before = AuditRecord.objects.filter(action="view").count()
    with pytest.raises(PermissionDenied):
        list(selectors.volunteers_list(user=cast[role]))
    with pytest.raises(PermissionDenied):
        selectors.volunteer_get(user=cast[role], pk=network["ann"].pk)
    with pytest.raises(PermissionDenied):
        list(selectors.followers_list(user=cast[role]))
    assert AuditRecord.objects.filter(action="view").count() == before


def test_reading_a_volunteer_is_audited(cast, network):
    victor = cast["volunteer_coordinator"]
    read = selectors.volunteer_get(user=victor, pk=network["bert"].pk)
    assert read.first_name == "Bert"
    record = AuditRecord.objects.filter(action="view").get()
    assert (record.actor, record.object_type, record.object_id) == (
        victor,
        "network.volunteer",
        str(network["bert"].pk),
    )


def names(volunteers) -> list[str]:
    return [v.first_name for v in volunteers]


def test_volunteer_filters(cast, network):
    victor = cast["volunteer_coordinator"]

    def listed(**filters):
        return sorted(
            names(selectors.volunteers_list(user=victor, filters=VolunteerFilters(**filters)))
        )

    assert listed() == ["Ann", "Bert", "Cis"]
    assert listed(active=None) == ["Ann", "Bert", "Cis", "Dirk"]
    assert listed(active=False) == ["Dirk"]
    assert listed(region="BE-VAN") == ["Ann", "Cis"]
    assert listed(municipality="62063") == ["Bert"]
    assert listed(role="posters") == ["Ann", "Cis"]
    assert listed(role="mobile_team", active=None) == ["Dirk"]
    assert listed(q="ber") == ["Bert"]


def test_counts_per_province_without_personal_data(cast, network):
    # The administrator may see partners, hence the counts, but not who the volunteers are.
    counts = {
        row["region"].code: row
        for row in selectors.volunteer_counts_by_province(user=cast["administrator"])
    }
    assert len(counts) == 11
    assert (counts["BE-VAN"]["active"], counts["BE-VAN"]["has_referent"]) == (2, True)
    assert (counts["BE-WLG"]["active"], counts["BE-WLG"]["has_referent"]) == (1, False)
    assert counts["BE-BRU"]["active"] == 0
    with pytest.raises(PermissionDenied):
        selectors.volunteer_counts_by_province(user=cast["case_manager"])


def test_partners_and_followers(cast, network):
    victor = cast["volunteer_coordinator"]
    assert [p.name for p in selectors.partners_list(user=cast["administrator"])] == [
        "Guards Luik",
        "Screens",
    ]
    assert [
        p.name
        for p in selectors.partners_list(user=victor, filters=PartnerFilters(region="BE-WLG"))
    ] == ["Guards Luik"]
    with pytest.raises(PermissionDenied):
        selectors.partners_list(user=cast["analyst"])
    assert selectors.partner_counts(user=victor) == {
        "per_kind": {"screens": 1, "community_guards": 1},
        "screens": 300,
    }
    found = selectors.followers_list(user=victor, filters=FollowerFilters(q="CLUB"))
    assert [f.address for f in found] == ["one@club.example.org"]
    assert selectors.follower_counts(user=victor) == {
        "total": 2,
        "per_group": {"": 1, "running club": 1},
        "per_channel": {"email": 2},
    }
