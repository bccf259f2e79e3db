"""The network's API: every role's answer, 201/200/403/404/409/422 as documented, the same
service errors as the UI (loc naming the field), audited reads and refusals."""

import json

import pytest

from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.network.models import Follower, Partner, Volunteer
from beacon.network.tests.helpers import volunteer

pytestmark = pytest.mark.django_db

API = "/api/v1/network"


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


NEW_VOLUNTEER = {
    "first_name": "Api",
    "last_name": "Volunteer",
    "email": "api@example.org",
    "region": "BE-WHT",
    "municipality": "52011",
    "roles": ["posters"],
    "languages": ["fr"],
    "consent_given_at": "2025-05-01T10:00:00+02:00",
}


@pytest.mark.parametrize("role", ["case_manager", "analyst", "administrator", "nobody"])
def test_other_roles_cannot_read_or_write_volunteers(client, cast, bearer, role):
    existing = volunteer(cast["volunteer_coordinator"])
    for method, url, body in [
        ("get", f"{API}/volunteers", None),
        ("get", f"{API}/volunteers/{existing.pk}", None),
        ("post", f"{API}/volunteers", NEW_VOLUNTEER),
        ("patch", f"{API}/volunteers/{existing.pk}", {"version": 1, "first_name": "X"}),
        ("get", f"{API}/followers", None),
        ("post", f"{API}/followers", {"address": "x@example.org"}),
    ]:
        response = send(client, method, url, bearer(role), body)
        assert response.status_code == 403, (method, url)
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == 6
    assert Volunteer.objects.count() == 1 and not Follower.objects.exists()
    assert Volunteer.objects.get().first_name == "Testa"
    assert not AuditRecord.objects.filter(action="view").exists()


def test_a_coordinator_keeps_volunteers_through_the_api(client, cast, bearer):
    h = bearer("volunteer_coordinator")
    created = send(client, "post", f"{API}/volunteers", h, NEW_VOLUNTEER)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["region"], body["municipality"], body["version"]) == ("BE-WHT", "52011", 1)
    pk = body["id"]

    listed = send(client, "get", f"{API}/volunteers?region=BE-WHT&role=posters", h)
    assert [v["id"] for v in listed.json()] == [pk]
    assert send(client, "get", f"{API}/volunteers?region=BE-VAN", h).json() == []

    read = send(client, "get", f"{API}/volunteers/{pk}", h)
    assert read.status_code == 200
    assert AuditRecord.objects.filter(action="view", object_id=str(pk)).count() == 1

    changed = send(
        client, "patch", f"{API}/volunteers/{pk}", h, {"version": 1, "consent_given_at": None}
    )
    assert changed.status_code == 200 and changed.json()["consent_given_at"] is None
    stale = send(client, "patch", f"{API}/volunteers/{pk}", h, {"version": 1, "phone": "0470"})
    assert stale.status_code == 409
    assert "Someone else changed this volunteer" in stale.json()["detail"]
    assert send(client, "get", f"{API}/volunteers/{pk + 99}", h).status_code == 404


def test_bad_input_answers_422_naming_the_field(client, bearer):
    h = bearer("volunteer_coordinator")
    bad = send(
        client,
        "post",
        f"{API}/volunteers",
        h,
        {**NEW_VOLUNTEER, "email": "nope", "municipality": "12025", "roles": ["x"]},
    )
    assert bad.status_code == 422
    locs = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert locs == {("body", "email"), ("body", "municipality"), ("body", "roles")}
    missing = send(client, "post", f"{API}/volunteers", h, {"first_name": "Only"})
    assert missing.status_code == 422
    assert ("body", "region") in {tuple(e["loc"]) for e in missing.json()["detail"]}
    assert not Volunteer.objects.exists()


def test_partners_through_the_api(client, bearer):
    h = bearer("volunteer_coordinator")
    bad = send(
        client,
        "post",
        f"{API}/partners",
        h,
        {"name": "Hook", "kind": "app", "channel": "webhook", "webhook_url": "file:///etc/passwd"},
    )
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["detail"]] == [["body", "webhook_url"]]
    made = send(
        client,
        "post",
        f"{API}/partners",
        h,
        {
            "name": "Guards",
            "kind": "community_guards",
            "municipality": "21001",
            "email": "g@example.org",
        },
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert made.json()["region"] == "BE-BRU"
    # The administrator reads partners but does not keep them.
    admin = bearer("administrator")
    assert [p["id"] for p in send(client, "get", f"{API}/partners", admin).json()] == [pk]
    refused = send(client, "patch", f"{API}/partners/{pk}", admin, {"version": 1, "name": "X"})
    assert refused.status_code == 403
    ok = send(client, "patch", f"{API}/partners/{pk}", h, {"version": 1, "active": False})
    assert ok.status_code == 200 and ok.json()["left_on"] is not None
    assert Partner.objects.get().name == "Guards"


def test_followers_through_the_api(client, bearer):
    h = bearer("volunteer_coordinator")
    one = send(
        client,
        "post",
        f"{API}/followers",
        h,
        {"address": "run@example.org", "group": "running club"},
    )
    assert one.status_code == 201
    again = send(client, "post", f"{API}/followers", h, {"address": "RUN@example.org"})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "address"]
    send(client, "post", f"{API}/followers", h, {"address": "other@example.org"})
    page = send(client, "get", f"{API}/followers?q=run&limit=10", h).json()
    assert page["count"] == 1 and page["items"][0]["address"] == "run@example.org"
    assert send(client, "get", f"{API}/followers?limit=0", h).status_code == 422
    pk = one.json()["id"]
    gone = send(client, "post", f"{API}/followers/{pk}/unsubscribe", h)
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert send(client, "get", f"{API}/followers", h).json()["count"] == 1


def test_counts_and_municipalities(client, cast, bearer):
    volunteer(cast["volunteer_coordinator"], is_referent=True)
    counts = send(client, "get", f"{API}/volunteers/provinces", bearer("administrator")).json()
    van = next(row for row in counts if row["region"] == "BE-VAN")
    assert van == {"region": "BE-VAN", "active": 1, "with_consent": 1, "has_referent": True}
    municipalities = send(
        client, "get", f"{API}/municipalities?region=BE-BRU", bearer("case_manager")
    ).json()
    assert len(municipalities) == 19
    assert send(client, "get", f"{API}/municipalities", bearer("analyst")).status_code == 403
