"""The network's staff pages: who gets 403 (audited, nothing changed), who gets 200; forms that
keep the input and show the service's errors; the navigation entry; query counts of lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beacon.core.models import AuditRecord
from beacon.network import services
from beacon.network.models import Follower, Partner, Volunteer
from beacon.network.tests.helpers import partner, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def victor(cast):
    return cast["volunteer_coordinator"]


@pytest.fixture
def ann(victor):
    return volunteer(victor, first_name="Ann", municipality="12025", region="")


def login(client, user):
    client.force_login(user)
    return client


def volunteer_form(**overrides) -> dict:
    data = {
        "first_name": "Bea",
        "last_name": "Tester",
        "email": "bea@example.org",
        "phone": "",
        "region": "BE-VOV",
        "municipality": "44021",
        "roles": ["posters", "mobile_team"],
        "languages": ["nl"],
        "availability": "weekends",
        "consent_given_on": "2025-03-01",
        "joined_on": "2025-03-01",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["case_manager", "analyst", "first_responder", "nobody"])
def test_pages_refuse_other_roles_and_audit_it(client, cast, ann, role):
    login(client, cast[role])
    urls = [
        reverse("network:home"),
        reverse("network:volunteers"),
        reverse("network:volunteer", args=[ann.pk]),
        reverse("network:volunteer_new"),
        reverse("network:partners"),
        reverse("network:followers"),
        reverse("network:follower_subscribe"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("network:volunteer_new"), volunteer_form()).status_code == 403
    assert (
        client.post(reverse("network:volunteer_deactivate", args=[ann.pk]), {"version": 1})
    ).status_code == 403
    denied = AuditRecord.objects.filter(action="denied", actor=cast[role]).count()
    assert denied == len(urls) + 2
    assert Volunteer.objects.count() == 1 and Volunteer.objects.get().active
    assert not AuditRecord.objects.filter(action="view").exists()


def test_the_administrator_sees_partners_but_no_volunteer(client, cast, ann):
    login(client, cast["administrator"])
    home = client.get(reverse("network:home"))
    assert home.status_code == 200
    assert reverse("network:home") in home.content.decode()  # the navigation entry
    assert client.get(reverse("network:partners")).status_code == 200
    assert client.get(reverse("network:volunteers")).status_code == 403
    assert client.get(reverse("network:volunteer", args=[ann.pk])).status_code == 403
    assert client.get(reverse("network:partner_new")).status_code == 403


def test_no_network_entry_for_a_case_manager(client, cast):
    login(client, cast["case_manager"])
    page = client.get(reverse("cases:list")).content.decode()
    assert reverse("network:home") not in page


def test_a_coordinator_lists_reads_and_the_read_is_audited(client, victor, ann):
    login(client, victor)
    listing = client.get(reverse("network:volunteers"), {"region": "BE-VAN", "role": "posters"})
    assert listing.status_code == 200 and "Ann" in listing.content.decode()
    assert (
        "Ann"
        not in client.get(reverse("network:volunteers"), {"region": "BE-WLG"}).content.decode()
    )
    detail = client.get(reverse("network:volunteer", args=[ann.pk]))
    assert detail.status_code == 200 and "Mechelen" in detail.content.decode()
    assert AuditRecord.objects.filter(
        action="view", object_type="network.volunteer", object_id=str(ann.pk), actor=victor
    ).exists()
    assert client.get(reverse("network:volunteer", args=[ann.pk + 999])).status_code == 404


def test_volunteer_list_queries_do_not_grow_with_rows(client, victor):
    for n in range(3):
        volunteer(victor, first_name=f"V{n}", municipality="12025", region="")
    login(client, victor)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("network:volunteers"))
    for n in range(3, 12):
        volunteer(victor, first_name=f"V{n}", municipality="21004", region="")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("network:volunteers"))
    assert len(many) == len(few)


def test_new_volunteer_form_shows_service_errors_and_creates(client, victor):
    login(client, victor)
    bad = client.post(
        reverse("network:volunteer_new"),
        volunteer_form(email="nope", region="BE-WLG", municipality="44021"),
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Enter a valid e-mail address" in page and "is not in the province" in page
    assert 'value="Bea"' in page  # the input is kept
    assert not Volunteer.objects.exists()
    good = client.post(reverse("network:volunteer_new"), volunteer_form())
    created = Volunteer.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse(
        "network:volunteer", args=[created.pk]
    )
    assert created.roles == ["posters", "mobile_team"]
    assert created.consent_given_at is not None
    assert created.municipality.code == "44021"


def test_edit_with_a_stale_version_keeps_the_input(client, victor, ann):
    login(client, victor)
    form = client.get(reverse("network:volunteer_edit", args=[ann.pk]))
    assert form.status_code == 200
    services.volunteer_update(actor=victor, volunteer_id=ann.pk, expected_version=1, phone="0470")
    stale = client.post(
        reverse("network:volunteer_edit", args=[ann.pk]),
        volunteer_form(first_name="Anna", version="1", region="BE-VAN", municipality="12025"),
    )
    assert stale.status_code == 400
    assert "Someone else changed this volunteer" in stale.content.decode()
    ann.refresh_from_db()
    assert ann.first_name == "Ann"
    saved = client.post(
        reverse("network:volunteer_edit", args=[ann.pk]),
        volunteer_form(
            first_name="Anna",
            version="2",
            region="BE-VAN",
            municipality="12025",
            consent_given_on="",
        ),
    )
    assert saved.status_code == 302
    ann.refresh_from_db()
    assert (ann.first_name, ann.consent_given_at, ann.version) == ("Anna", None, 3)


def test_deactivate_from_the_page(client, victor, ann):
    login(client, victor)
    response = client.post(reverse("network:volunteer_deactivate", args=[ann.pk]), {"version": 1})
    assert response.status_code == 302
    ann.refresh_from_db()
    assert not ann.active


def test_partner_pages(client, victor):
    login(client, victor)
    bad = client.post(
        reverse("network:partner_new"),
        {"name": "Hook", "kind": "app", "channel": "webhook", "webhook_url": "ftp://x.test/"},
    )
    assert bad.status_code == 400 and "http:// or https://" in bad.content.decode()
    good = client.post(
        reverse("network:partner_new"),
        {
            "name": "Screens",
            "kind": "screens",
            "channel": "email",
            "email": "ops@screens.example.org",
            "screens": "250",
            "active": "on",
        },
    )
    assert good.status_code == 302
    p = Partner.objects.get()
    assert p.screens == 250
    listing = client.get(reverse("network:partners"))
    assert "Screens" in listing.content.decode()
    edit = client.post(
        reverse("network:partner", args=[p.pk]),
        {
            "name": "Screens BE",
            "kind": "screens",
            "channel": "email",
            "email": "ops@screens.example.org",
            "screens": "300",
            "active": "on",
            "version": "1",
        },
    )
    assert edit.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.screens, p.version) == ("Screens BE", 300, 2)


def test_follower_pages(client, victor):
    services.follower_subscribe(actor=victor, address="one@club.example.org", group="running club")
    partner(victor)
    login(client, victor)
    page = client.get(reverse("network:followers"), {"q": "club"})
    assert page.status_code == 200 and "one@club.example.org" in page.content.decode()
    duplicate = client.post(
        reverse("network:follower_subscribe"),
        {"channel": "email", "address": "ONE@club.example.org", "language": "nl"},
    )
    assert duplicate.status_code == 400 and "already subscribed" in duplicate.content.decode()
    added = client.post(
        reverse("network:follower_subscribe"),
        {"channel": "webhook", "address": "https://club.example.org/hook", "language": "fr"},
    )
    assert added.status_code == 302
    assert Follower.objects.count() == 2
    first = Follower.objects.get(address="one@club.example.org")
    gone = client.post(reverse("network:follower_unsubscribe", args=[first.pk]))
    assert gone.status_code == 302
    first.refresh_from_db()
    assert not first.active
