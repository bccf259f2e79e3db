"""Prevention's API: every role's answer, 201/200/403/404/409/422 as documented, the same
service errors as the UI (loc naming the field), volunteers' names only for coordinators."""

import json

import pytest

from beacon.core.models import AuditAction, AuditRecord
from beacon.core.services import token_create
from beacon.network.tests.helpers import volunteer
from beacon.prevention.models import Session, ToolHandout, Training

pytestmark = pytest.mark.django_db

API = "/api/v1/prevention"


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


NEW_TRAINING = {
    "audience": "police",
    "module": "Police training",
    "held_on": "2025-09-09",
    "municipality": "21004",
    "trainer": "Tina Trainer",
    "participants": 22,
}


@pytest.mark.parametrize("role", ["finance", "case_manager", "statistics_reader", "nobody"])
def test_other_roles_get_403_audited(client, bearer, role):
    calls = [
        ("get", f"{API}/trainings", None),
        ("post", f"{API}/trainings", NEW_TRAINING),
        ("patch", f"{API}/trainings/1", {"version": 1, "participants": 3}),
        ("get", f"{API}/sessions", None),
        ("post", f"{API}/sessions", {"kind": "school", "held_on": "2025-01-01", "venue": "S"}),
        ("get", f"{API}/tools", None),
        ("post", f"{API}/tools", {"tool": "t", "quantity": 1, "handed_on": "2025-01-01"}),
    ]
    for method, url, body in calls:
        before = AuditRecord.objects.filter(action=AuditAction.DENIED).count()
        response = send(client, method, url, bearer(role), body)
        assert response.status_code == 403, (method, url)
        assert AuditRecord.objects.filter(action=AuditAction.DENIED).count() == before + 1
    assert not Training.objects.exists()


def test_no_token_is_401(client):
    assert client.get(f"{API}/trainings").status_code == 401


@pytest.mark.parametrize("role", ["volunteer_coordinator", "administrator"])
def test_trainings_create_list_patch(client, bearer, role):
    headers = bearer(role)
    response = send(client, "post", f"{API}/trainings", headers, NEW_TRAINING)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["municipality"] == "21004" and created["version"] == 1

    listed = send(client, "get", f"{API}/trainings?year=2025&audience=police", headers).json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert send(client, "get", f"{API}/trainings?year=2024", headers).json() == []

    url = f"{API}/trainings/{created['id']}"
    response = send(client, "patch", url, headers, {"version": 1, "participants": 25})
    assert response.status_code == 200
    assert (response.json()["participants"], response.json()["version"]) == (25, 2)
    response = send(client, "patch", url, headers, {"version": 1, "participants": 26})
    assert response.status_code == 409
    response = send(client, "patch", url, headers, {"version": 2, "participants": -1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "participants"]
    assert (
        send(client, "patch", f"{API}/trainings/999999", headers, {"version": 1}).status_code == 404
    )
    assert Training.objects.get().participants == 25


def test_bad_training_input_is_422_naming_the_field(client, bearer):
    headers = bearer("volunteer_coordinator")
    for field, value in [("audience", "aliens"), ("held_on", "2025-13-01"), ("trainer", "")]:
        response = send(client, "post", f"{API}/trainings", headers, {**NEW_TRAINING, field: value})
        assert response.status_code == 422, field
        assert ["body", field] in [e["loc"] for e in response.json()["detail"]]
    assert not Training.objects.exists()


def test_sessions_show_names_only_to_who_may_read_volunteers(client, cast, bearer):
    ann = volunteer(cast["volunteer_coordinator"], first_name="Ann", last_name="Apitest")
    gone = volunteer(
        cast["volunteer_coordinator"], first_name="Gone", email="g@example.org", active=False
    )
    body = {
        "kind": "school",
        "held_on": "2025-02-02",
        "venue": "School",
        "municipality": "44021",
        "volunteers": [ann.pk],
        "children_reached": 24,
    }
    response = send(client, "post", f"{API}/sessions", bearer("administrator"), body)
    assert response.status_code == 201, response.content
    assert response.json()["volunteers"] is None
    assert response.json()["volunteer_count"] == 1

    response = send(
        client,
        "post",
        f"{API}/sessions",
        bearer("administrator"),
        {**body, "volunteers": [gone.pk]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "volunteers"]

    (seen,) = send(
        client, "get", f"{API}/sessions?year=2025", bearer("volunteer_coordinator")
    ).json()
    assert seen["volunteers"] == [{"id": ann.pk, "name": "Ann Apitest"}]
    (seen,) = send(client, "get", f"{API}/sessions?kind=school", bearer("administrator")).json()
    assert (seen["volunteers"], seen["volunteer_count"]) == (None, 1)
    assert send(client, "get", f"{API}/sessions?kind=stand", bearer("administrator")).json() == []

    url = f"{API}/sessions/{seen['id']}"
    headers = bearer("volunteer_coordinator")
    response = send(client, "patch", url, headers, {"version": 1, "children_reached": 26})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert send(client, "patch", url, headers, {"version": 1, "venue": "X"}).status_code == 409
    assert Session.objects.get().children_reached == 26


def test_tools(client, bearer):
    headers = bearer("volunteer_coordinator")
    body = {"tool": "JungleWeb+ kit", "quantity": 10, "handed_on": "2025-03-03"}
    response = send(client, "post", f"{API}/tools", headers, body)
    assert response.status_code == 201
    response = send(client, "post", f"{API}/tools", headers, {**body, "quantity": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "quantity"]
    listed = send(client, "get", f"{API}/tools?year=2025", headers).json()
    assert [t["tool"] for t in listed] == ["JungleWeb+ kit"]
    assert ToolHandout.objects.count() == 1
