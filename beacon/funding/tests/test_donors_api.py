"""The donors' API: every role's answer, 201/200/403/404/409/422 as documented, the service's
errors naming the field, the national number never returned except in the export."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.funding.models import Donor, Gift
from beacon.funding.tests.test_donors_helpers import (
    NN_1985,
    NN_1985_WRONG,
    certificate,
    gift,
    organisation,
    person,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/funding"


@pytest.fixture
def bearer(cast):
    tokens: dict[str, dict] = {}

    def headers(role: str) -> dict:
        if role not in tokens:
            _token, secret = token_create(actor=None, user=cast[role], name="tests")
            tokens[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        return tokens[role]

    return headers


def send(client, method: str, url: str, headers: dict, body=None):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )


def locs(response) -> set[str]:
    return {entry["loc"][-1] for entry in response.json()["detail"]}


NEW_DONOR = {
    "kind": "person",
    "first_name": "Api",
    "last_name": "Giver",
    "email": "api.giver@example.org",
    "language": "fr",
    "national_number": NN_1985,
    "contact_consent": True,
}


@pytest.mark.parametrize(
    "role", ["case_manager", "volunteer_coordinator", "statistics_reader", "nobody"]
)
def test_other_roles_are_refused_and_audited(client, cast, bearer, role):
    fiona = cast["finance"]
    donor = person(fiona)
    recorded = gift(fiona, donor)
    calls = [
        ("get", f"{API}/donors", None),
        ("post", f"{API}/donors", NEW_DONOR),
        ("get", f"{API}/donors/{donor.pk}", None),
        ("patch", f"{API}/donors/{donor.pk}", {"version": 1, "city": "Gent"}),
        ("get", f"{API}/donors/{donor.pk}/gifts", None),
        ("post", f"{API}/donors/{donor.pk}/gifts", {"amount": "5", "method": "cash"}),
        (
            "post",
            f"{API}/gifts/{recorded.pk}/refund",
            {"version": 1, "refunded_on": "2025-03-02", "reason": "x"},
        ),
        ("get", f"{API}/donors/{donor.pk}/export", None),
        ("post", f"{API}/donors/{donor.pk}/erase", {"version": 1}),
        ("get", f"{API}/tiers?year=2025", None),
    ]
    for method, url, body in calls:
        assert send(client, method, url, bearer(role), body).status_code == 403, url
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == len(calls)
    donor.refresh_from_db()
    assert (donor.city, donor.erased_at, Donor.objects.count()) == ("Testville", None, 1)
    assert Gift.objects.get().refunded_on is None
    assert not AuditRecord.objects.filter(actor=cast[role]).exclude(action="denied").exists()


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_keeping_a_donor_through_the_api(client, bearer, role):
    h = bearer(role)
    created = send(client, "post", f"{API}/donors", h, NEW_DONOR)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["national_number_masked"] == "••.••.••-•••.28"
    assert NN_1985 not in created.content.decode() and "national_number" not in {
        k for k in body if k != "national_number_masked"
    }
    assert body["contact_consent_at"] is not None and body["version"] == 1
    assert body["structured_reference"].startswith("+++")
    pk = body["id"]

    listed = send(client, "get", f"{API}/donors?q=giver", h).json()
    assert [d["id"] for d in listed] == [pk]
    assert send(client, "get", f"{API}/donors?kind=organisation", h).json() == []
    one = send(client, "get", f"{API}/donors/{pk}", h)
    assert one.status_code == 200 and NN_1985 not in one.content.decode()

    changed = send(client, "patch", f"{API}/donors/{pk}", h, {"version": 1, "city": "Liège"})
    assert changed.status_code == 200 and changed.json()["city"] == "Liège"
    stale = send(client, "patch", f"{API}/donors/{pk}", h, {"version": 1, "city": "Namur"})
    assert stale.status_code == 409
    assert Donor.objects.get(pk=pk).city == "Liège"


def test_bad_donors_are_422_naming_the_field(client, bearer):
    h = bearer("finance")
    wrong = send(
        client, "post", f"{API}/donors", h, {**NEW_DONOR, "national_number": NN_1985_WRONG}
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "national_number"]
    missing = send(client, "post", f"{API}/donors", h, {"kind": "person"})
    assert missing.status_code == 422 and "last_name" in locs(missing)
    assert not Donor.objects.exists()
    assert send(client, "get", f"{API}/donors/999999", h).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "GBP"}, "currency"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"received_on": "2025-02-31"}, "received_on"),
        ({"nature": "in_kind"}, "method"),
        ({"method": "barter"}, "method"),
    ],
)
def test_bad_gifts_are_422_naming_the_field(client, cast, bearer, body, field):
    donor = person(cast["finance"])
    payload = {"amount": "25.00", "received_on": "2025-03-01", "method": "transfer", **body}
    response = send(client, "post", f"{API}/donors/{donor.pk}/gifts", bearer("finance"), payload)
    assert response.status_code == 422, response.content
    assert field in locs(response)
    assert not Gift.objects.exists()


def test_gifts_and_refunds_through_the_api(client, cast, bearer):
    h = bearer("finance")
    donor = person(cast["finance"])
    created = send(
        client,
        "post",
        f"{API}/donors/{donor.pk}/gifts",
        h,
        {"amount": 40, "received_at": "2025-12-31T23:30:00+00:00", "method": "card"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["received_on"] == "2026-01-01" and body["amount"] in ("40.00", 40.0, "40")
    gift(cast["finance"], donor, amount="10", day=date(2025, 5, 1))
    listed = send(client, "get", f"{API}/donors/{donor.pk}/gifts?year=2026", h).json()
    assert [g["id"] for g in listed] == [body["id"]]
    assert len(send(client, "get", f"{API}/donors/{donor.pk}/gifts", h).json()) == 2

    url = f"{API}/gifts/{body['id']}/refund"
    early = send(client, "post", url, h, {"version": 1, "refunded_on": "2025-12-31", "reason": "x"})
    assert early.status_code == 422 and locs(early) == {"refunded_on"}
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    late = send(client, "post", url, h, {"version": 1, "refunded_on": future, "reason": "x"})
    assert late.status_code == 422 and locs(late) == {"refunded_on"}
    stale = send(client, "post", url, h, {"version": 5, "refunded_on": "2026-01-02", "reason": "x"})
    assert stale.status_code == 409
    done = send(client, "post", url, h, {"version": 1, "refunded_on": "2026-01-02", "reason": "x"})
    assert done.status_code == 200 and done.json()["refunded_on"] == "2026-01-02"


def test_export_and_erase_through_the_api(client, cast, bearer):
    h = bearer("finance")
    donor = person(cast["finance"], national_number=NN_1985)
    gift(cast["finance"], donor, amount="75")
    certificate(donor, amount="75.00", number=4)
    export = send(client, "get", f"{API}/donors/{donor.pk}/export", h)
    assert export.status_code == 200
    data = export.json()
    assert data["donor"]["national_number"] == "85.07.30-033.28"
    assert data["certificates"][0]["number"] == "2025/000004"
    assert AuditRecord.objects.filter(action="export", object_id=str(donor.pk)).exists()

    stale = send(client, "post", f"{API}/donors/{donor.pk}/erase", h, {"version": 9})
    assert stale.status_code == 409
    erased = send(client, "post", f"{API}/donors/{donor.pk}/erase", h, {"version": 1})
    assert erased.status_code == 200
    body = erased.json()
    assert body["erased_at"] and body["first_name"] == "" and body["email"] == ""
    assert body["national_number_masked"] == ""
    again = send(client, "post", f"{API}/donors/{donor.pk}/erase", h, {"version": 2})
    assert again.status_code == 422 and locs(again) == {"donor"}
    refused = send(
        client,
        "post",
        f"{API}/donors/{donor.pk}/gifts",
        h,
        {"amount": "5", "received_on": "2025-03-01", "method": "cash"},
    )
    assert refused.status_code == 422 and "donor" in locs(refused)


def test_tiers_through_the_api(client, cast, bearer):
    fiona = cast["finance"]
    silver = organisation(fiona, last_name="Silver Example NV")
    bronze = organisation(fiona, last_name="Bronze Example NV")
    gift(fiona, silver, amount="25000.00", day=date(2025, 4, 1))
    gift(fiona, bronze, amount="24999.99", day=date(2025, 4, 1))
    response = send(client, "get", f"{API}/tiers?year=2025", bearer("finance"))
    assert response.status_code == 200
    assert [(r["donor_id"], r["tier"]) for r in response.json()] == [
        (silver.pk, "silver"),
        (bronze.pk, "bronze"),
    ]
    assert send(client, "get", f"{API}/tiers?year=abc", bearer("finance")).status_code == 422
