"""The network's services: validation field by field, permissions (nothing changes on a
refusal), audit records, consent, referents, optimistic versions, followers' addresses."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.core.models import AuditRecord
from beacon.network import services
from beacon.network.models import Follower, Municipality, Partner, Volunteer
from beacon.network.services import PartnerChangedError, VolunteerChangedError
from beacon.network.tests.helpers import partner, volunteer

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def victor(cast):
    return cast["volunteer_coordinator"]


def test_a_coordinator_adds_a_volunteer_and_it_is_audited(victor):
    mechelen = Municipality.objects.get(code="12025")
    created = volunteer(
        victor,
        municipality="12025",
        region="",
        languages=["nl", "en"],
        roles=["posters", "stands"],
        phone="+32 470 12 34 56",
    )
    assert created.region.code == "BE-VAN"  # implied by the municipality
    assert created.municipality == mechelen
    assert created.roles == ["posters", "stands"]
    assert created.active and created.left_on is None and created.version == 1
    record = AuditRecord.objects.get(object_type="network.volunteer", object_id=str(created.pk))
    assert (record.actor, record.action, record.fields) == (victor, "create", ["*"])


@pytest.mark.parametrize(
    "role", ["case_manager", "analyst", "administrator", "statistics_reader", "nobody"]
)
def test_only_coordinators_keep_volunteers(cast, role):
    with pytest.raises(PermissionDenied):
        volunteer(cast[role])
    existing = volunteer(cast["volunteer_coordinator"])
    with pytest.raises(PermissionDenied):
        services.volunteer_update(
            actor=cast[role], volunteer_id=existing.pk, expected_version=1, first_name="Other"
        )
    existing.refresh_from_db()
    assert Volunteer.objects.count() == 1
    assert (existing.first_name, existing.version) == ("Testa", 1)


def test_volunteer_fields_are_checked_one_by_one(victor):
    with pytest.raises(ValidationError) as excinfo:
        services.volunteer_create(
            actor=victor,
            first_name="",
            last_name="X" * 101,
            email="not-an-address",
            phone="call me",
            region="BE-XXX",
            roles=["posters", "juggling"],
            languages=["tlh"],
            consent_given_at=timezone.now() + timedelta(days=1),
            joined_on=timezone.localdate() + timedelta(days=2),
        )
    errors = errors_of(excinfo)
    assert set(errors) == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "region",
        "roles",
        "languages",
        "consent_given_at",
        "joined_on",
    }
    assert errors["email"] == ["Enter a valid e-mail address, such as name@example.org."]
    assert errors["roles"] == ["Unknown value “juggling”."]
    assert errors["consent_given_at"] == ["Consent cannot be given in the future."]
    assert not Volunteer.objects.exists()
    assert not AuditRecord.objects.filter(object_type="network.volunteer").exists()


def test_a_municipality_must_be_in_the_province(victor):
    with pytest.raises(ValidationError) as excinfo:
        volunteer(victor, region="BE-WLG", municipality="12025")
    assert errors_of(excinfo)["municipality"] == ["Mechelen is not in the province Liège."]


def test_a_naive_consent_time_is_refused(victor):
    with pytest.raises(ValidationError) as excinfo:
        volunteer(victor, consent_given_at=timezone.now().replace(tzinfo=None))
    assert "consent_given_at" in errors_of(excinfo)


def test_consent_is_recorded_and_withdrawn(victor):
    given = timezone.now() - timedelta(days=30)
    v = volunteer(victor, consent_given_at=given)
    assert v.consent_given_at == given
    services.volunteer_update(
        actor=victor, volunteer_id=v.pk, expected_version=1, consent_given_at=None
    )
    v.refresh_from_db()
    assert v.consent_given_at is None and v.version == 2
    record = AuditRecord.objects.filter(object_type="network.volunteer", action="update").get()
    assert record.fields == ["consent_given_at"]


def test_a_province_has_one_referent(victor):
    first = volunteer(victor, is_referent=True, email="first@example.org")
    with pytest.raises(ValidationError) as excinfo:
        volunteer(victor, is_referent=True, first_name="Second", email="second@example.org")
    assert errors_of(excinfo)["is_referent"] == [
        "Testa Volunteer is already the referent of Antwerp; remove that first."
    ]
    # Another province may have its own; and once the first steps down, the second may.
    volunteer(victor, is_referent=True, region="BE-VLI", email="limburg@example.org")
    services.volunteer_update(
        actor=victor, volunteer_id=first.pk, expected_version=1, is_referent=False
    )
    assert volunteer(victor, is_referent=True, first_name="Second").is_referent


def test_a_stale_version_is_refused_and_changes_nothing(victor):
    v = volunteer(victor)
    services.volunteer_update(actor=victor, volunteer_id=v.pk, expected_version=1, phone="0470")
    with pytest.raises(VolunteerChangedError):
        services.volunteer_update(
            actor=victor, volunteer_id=v.pk, expected_version=1, first_name="Late"
        )
    v.refresh_from_db()
    assert (v.first_name, v.phone, v.version) == ("Testa", "0470", 2)


def test_moving_province_drops_a_municipality_outside_it(victor):
    v = volunteer(victor, municipality="12025")
    services.volunteer_update(actor=victor, volunteer_id=v.pk, expected_version=1, region="BE-VLI")
    v.refresh_from_db()
    assert (v.region.code, v.municipality) == ("BE-VLI", None)


def test_deactivation_keeps_the_record_and_dates_it(victor):
    v = volunteer(victor, joined_on=date(2020, 5, 1))
    services.volunteer_deactivate(actor=victor, volunteer_id=v.pk, expected_version=1)
    v.refresh_from_db()
    assert (v.active, v.left_on, v.version) == (False, timezone.localdate(), 2)
    services.volunteer_update(actor=victor, volunteer_id=v.pk, expected_version=2, active=True)
    v.refresh_from_db()
    assert (v.active, v.left_on) == (True, None)


def test_partner_channels_need_their_address(victor):
    with pytest.raises(ValidationError) as excinfo:
        services.partner_create(actor=victor, name="Shop", kind="posters", email="")
    assert errors_of(excinfo) == {
        "email": ["A partner that receives notices by e-mail needs an address."]
    }
    with pytest.raises(ValidationError) as excinfo:
        services.partner_create(actor=victor, name="App", kind="app", channel="webhook")
    assert errors_of(excinfo) == {
        "webhook_url": ["A partner that receives notices by webhook needs its URL."]
    }
    for bad in ("ftp://hooks.example.org/x", "javascript:alert(1)", "https://", "hooks"):
        with pytest.raises(ValidationError) as excinfo:
            services.partner_create(
                actor=victor, name="App", kind="app", channel="webhook", webhook_url=bad
            )
        assert errors_of(excinfo)["webhook_url"] == [
            "Enter a web address starting with http:// or https://, with a host."
        ]
    hook = services.partner_create(
        actor=victor,
        name="App",
        kind="app",
        channel="webhook",
        webhook_url="https://app.beacon.test/hook",
    )
    assert hook.webhook_url == "https://app.beacon.test/hook"
    assert Partner.objects.count() == 1


def test_screens_and_community_guards_are_checked(victor):
    with pytest.raises(ValidationError) as excinfo:
        partner(victor, kind="screens", screens=0)
    assert errors_of(excinfo)["screens"] == ["A digital-screen network has at least one screen."]
    with pytest.raises(ValidationError) as excinfo:
        partner(victor, kind="posters", screens=5)
    assert errors_of(excinfo)["screens"] == ["Only digital-screen networks have screens."]
    with pytest.raises(ValidationError) as excinfo:
        partner(victor, kind="community_guards")
    assert errors_of(excinfo)["municipality"] == [
        "Community guards serve a municipality: choose which one."
    ]
    guards = partner(victor, kind="community_guards", municipality="21004")
    assert guards.region.code == "BE-BRU"
    screens = partner(victor, kind="screens", screens=1200, receives_discrete=False)
    assert screens.screens == 1200


def test_partner_update_is_versioned_and_audited(victor, cast):
    p = partner(victor)
    with pytest.raises(PermissionDenied):
        services.partner_update(
            actor=cast["administrator"], partner_id=p.pk, expected_version=1, name="Hijacked"
        )
    services.partner_update(actor=victor, partner_id=p.pk, expected_version=1, name="Renamed")
    with pytest.raises(PartnerChangedError):
        services.partner_update(actor=victor, partner_id=p.pk, expected_version=1, name="Late")
    services.partner_deactivate(actor=victor, partner_id=p.pk, expected_version=2)
    p.refresh_from_db()
    assert (p.name, p.active, p.left_on, p.version) == (
        "Renamed",
        False,
        timezone.localdate(),
        3,
    )
    actions = list(
        AuditRecord.objects.filter(object_type="network.partner")
        .order_by("id")
        .values_list("action", "fields")
    )
    assert actions == [
        ("create", ["*"]),
        ("update", ["name"]),
        ("update", ["active", "left_on"]),
    ]


def test_followers_subscribe_once_per_address(victor):
    f = services.follower_subscribe(
        actor=victor, address="  Runner@Example.ORG ", group="running club"
    )
    assert (f.address, f.channel, f.language) == ("runner@example.org", "email", "en")
    with pytest.raises(ValidationError) as excinfo:
        services.follower_subscribe(actor=victor, address="runner@example.org")
    (message,) = errors_of(excinfo)["address"]
    assert message.startswith("runner@example.org is already subscribed (since ")
    assert Follower.objects.count() == 1

    services.follower_unsubscribe(actor=victor, follower_id=f.pk)
    services.follower_unsubscribe(actor=victor, follower_id=f.pk)  # harmless twice
    f.refresh_from_db()
    assert not f.active and f.unsubscribed_at is not None
    again = services.follower_subscribe(actor=victor, address="runner@example.org")
    assert again.pk == f.pk and again.active and again.unsubscribed_at is None
    assert list(
        AuditRecord.objects.filter(object_type="network.follower")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "update", "update"]


def test_follower_addresses_are_checked_by_channel(victor, cast):
    with pytest.raises(ValidationError) as excinfo:
        services.follower_subscribe(actor=victor, address="https://hooks.example.org/x")
    assert errors_of(excinfo)["address"] == [
        "Enter a valid e-mail address, such as name@example.org."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.follower_subscribe(actor=victor, address="club@example.org", channel="webhook")
    assert errors_of(excinfo)["address"] == [
        "Enter a web address starting with http:// or https://, with a host."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.follower_subscribe(
            actor=victor, address="a@example.org", channel="pigeon", language="xx", region="NL"
        )
    assert set(errors_of(excinfo)) == {"channel", "language", "region"}
    with pytest.raises(PermissionDenied):
        services.follower_subscribe(actor=cast["case_manager"], address="a@example.org")
    hook = services.follower_subscribe(
        actor=victor, address="https://club.example.org/hook", channel="webhook", region="BE-WNA"
    )
    assert hook.region.code == "BE-WNA"
    assert Follower.objects.count() == 1
