"""The REST API: tokens, the same permissions as the UI, field-level 422s, locking, audit."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from beacon.cases.models import Case
from beacon.cases.services import case_open
from beacon.core.models import ApiToken, AuditRecord
from beacon.core.services import token_create
from beacon.people.models import Person

API = "/api/v1"


@pytest.fixture
def bearer(cast):
    def headers(role: str) -> dict:
        _token, secret = token_create(actor=None, user=cast[role], name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return headers


def payload(**overrides) -> dict:
    body = {
        "person": {
            "first_name": "Api",
            "last_name": "Kind",
            "date_of_birth": "2012-05-05",
            "gender": "male",
        },
        "category": "runaway",
        "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "channel": "116000",
        "reporter_kind": "parent",
        "region": "BE-WLG",
        "criteria": {"life_threatening": True},
        "notes": {"life_threatening": "Talked about ending it"},
    }
    body.update(overrides)
    return body


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def loc_fields(response) -> set[str]:
    return {entry["loc"][-1] for entry in response.json()["detail"]}


def test_token_command_prints_a_working_secret_and_stores_only_its_digest(client, cast):
    out = StringIO()
    call_command(
        "token",
        "create",
        cast["case_manager"].username,
        "--name",
        "laptop",
        stdout=out,
        stderr=StringIO(),
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert secret.startswith("bcn_") and token.digest == ApiToken.digest_of(secret)
    assert secret not in {token.digest, token.hint, token.name}
    response = client.get(f"{API}/cases", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    call_command("token", "revoke", token.hint, stdout=StringIO())
    assert client.get(f"{API}/cases", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


@pytest.mark.parametrize(
    "header", ["", "Bearer bcn_wrong", "Bearer nonsense", "Basic dXNlcjpwYXNz"]
)
def test_missing_or_wrong_tokens_get_401(client, db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get(f"{API}/cases", **extra).status_code == 401


def test_open_read_and_list_a_case(client, bearer, cast):
    headers = bearer("case_manager")
    response = post(client, f"{API}/cases", payload(), headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["worrying"] is True and body["version"] == 1
    assert body["current_assessment"]["criteria_held"] == ["life_threatening"]
    assert body["region"] == "BE-WLG" and body["age_at_disappearance"] is not None
    detail = client.get(f"{API}/cases/{body['id']}", **headers)
    assert detail.status_code == 200 and detail.json()["number"] == body["number"]
    assert (
        AuditRecord.objects.filter(
            action="view",
            object_type="cases.case",
            object_id=str(body["id"]),
            actor=cast["case_manager"],
            channel="api",
        ).count()
        == 1
    )
    listed = client.get(f"{API}/cases", {"worrying": "true"}, **headers).json()
    assert [c["number"] for c in listed["items"]] == [body["number"]]


@pytest.mark.parametrize(
    "role", ["analyst", "volunteer_coordinator", "finance", "statistics_reader", "nobody"]
)
def test_roles_without_case_work_get_403_audited_and_nothing_changes(
    client, bearer, cast, open_case, role
):
    headers = bearer(role)
    requests = [
        ("get", f"{API}/cases", None),
        ("get", f"{API}/cases/{open_case.pk}", None),
        ("post", f"{API}/cases", payload()),
        ("patch", f"{API}/cases/{open_case.pk}", {"version": 1, "summary": "x"}),
        ("post", f"{API}/cases/{open_case.pk}/close", {"version": 1, "outcome": "found_safe"}),
        ("get", f"{API}/people/{open_case.person_id}", None),
    ]
    counts = (Case.objects.count(), Person.objects.count(), open_case.version)
    for method, url, body in requests:
        denials = AuditRecord.objects.filter(action="denied", actor=cast[role]).count()
        if body is None:
            response = getattr(client, method)(url, **headers)
        else:
            response = getattr(client, method)(
                url, json.dumps(body), content_type="application/json", **headers
            )
        assert response.status_code == 403, (method, url, response.content)
        assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == denials + 1
    open_case.refresh_from_db()
    assert (Case.objects.count(), Person.objects.count(), open_case.version) == counts


def test_first_responder_may_open_but_not_close(client, bearer):
    headers = bearer("first_responder")
    created = post(client, f"{API}/cases", payload(), headers).json()
    response = post(
        client,
        f"{API}/cases/{created['id']}/close",
        {"version": 1, "outcome": "found_safe", "found_at": timezone.now().isoformat()},
        headers,
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=created["id"]).status == "open"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"last_seen_at": (timezone.now() + timedelta(days=1)).isoformat()}, "last_seen_at"),
        ({"last_seen_at": "2025-06-01T10:00:00"}, "last_seen_at"),
        (
            {"person": {"first_name": "Old", "last_name": "Er", "date_of_birth": "1990-01-01"}},
            "date_of_birth",
        ),
        ({"category": "no_such_category"}, "category"),
        (
            {"category": "legacy_international_parental_abduction", "subkind": "effective"},
            "category",
        ),
        ({"category": "family_context", "subkind": "attempted"}, "subkind"),
        ({"summary": "line\x1b[2Jclear"}, "summary"),
        ({"person": {"first_name": "Zero\u200bWidth\u202e", "last_name": "K"}}, "first_name"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"assigned_to": 999999}, "assigned_to"),
        ({"person": None}, "person"),
        ({"person_id": 987654}, "person_id"),
        ({"criteria": {"astrology": True}}, "criteria"),
    ],
)
def test_bad_input_gets_422_naming_the_field_and_saves_nothing(client, bearer, overrides, field):
    response = post(client, f"{API}/cases", payload(**overrides), bearer("case_manager"))
    assert response.status_code == 422, response.content
    assert field in loc_fields(response)
    assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_schema_errors_are_422_too(client, bearer):
    response = post(client, f"{API}/cases", {"category": "runaway"}, bearer("case_manager"))
    assert response.status_code == 422
    assert {"last_seen_at", "channel", "reporter_kind"} <= loc_fields(response)


def test_found_before_disappeared_is_422(client, bearer, open_case):
    response = post(
        client,
        f"{API}/cases/{open_case.pk}/close",
        {
            "version": 1,
            "outcome": "found_safe",
            "found_at": (open_case.last_seen_at - timedelta(hours=1)).isoformat(),
        },
        bearer("case_manager"),
    )
    assert response.status_code == 422 and loc_fields(response) == {"found_at"}
    open_case.refresh_from_db()
    assert open_case.status == "open"


def test_two_patches_with_the_same_version_second_gets_409(client, bearer, open_case):
    first, second = bearer("case_manager"), bearer("administrator")
    url = f"{API}/cases/{open_case.pk}"
    ok = client.patch(
        url,
        json.dumps({"version": 1, "police_reference": "PV-first"}),
        content_type="application/json",
        **first,
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    late = client.patch(
        url,
        json.dumps({"version": 1, "police_reference": "PV-second"}),
        content_type="application/json",
        **second,
    )
    assert late.status_code == 409 and "Someone else changed" in late.json()["detail"]
    open_case.refresh_from_db()
    assert open_case.police_reference == "PV-first"


def test_assess_note_close_reopen_and_history(client, bearer, open_case):
    headers = bearer("case_manager")
    url = f"{API}/cases/{open_case.pk}"
    assert (
        post(
            client, f"{url}/assessments", {"version": 1, "criteria": {"medication": True}}, headers
        ).status_code
        == 201
    )
    assert (
        post(
            client, f"{url}/notes", {"text": "Called the school", "kind": "contact"}, headers
        ).status_code
        == 201
    )
    closed = post(
        client,
        f"{url}/close",
        {"version": 2, "outcome": "returned", "found_at": timezone.now().isoformat()},
        headers,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    reopened = post(
        client, f"{url}/reopen", {"version": 3, "reason": "Closed on the wrong case"}, headers
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    history = client.get(f"{url}/assessments", **headers).json()
    assert [a["is_worrying"] for a in history] == [True, False]
    kinds = [e["kind"] for e in client.get(f"{url}/timeline", **headers).json()]
    assert kinds.count("status") == 2 and "contact" in kinds


def test_person_with_episodes_and_search(client, bearer, case_manager, open_case):
    case_open(
        actor=case_manager,
        category="runaway",
        person=open_case.person,
        last_seen_at=timezone.now() - timedelta(hours=1),
        channel="116000",
        reporter_kind="parent",
    )
    headers = bearer("case_manager")
    person = client.get(f"{API}/people/{open_case.person_id}", **headers).json()
    assert person["episode_count"] == 2 and len(person["episodes"]) == 2
    found = client.get(f"{API}/people", {"q": "testp"}, **headers).json()
    assert [p["id"] for p in found] == [open_case.person_id]
    assert client.get(f"{API}/people/999999", **headers).status_code == 404


def test_cursor_pages_are_disjoint_and_cover_everything(client, bearer, case_manager):
    for index in range(23):
        case_open(
            actor=case_manager,
            category="runaway",
            person_data={
                "first_name": f"P{index}",
                "last_name": "Page",
                "date_of_birth": date(2011, 1, 1),
            },
            last_seen_at=timezone.now() - timedelta(hours=1),
            channel="116000",
            reporter_kind="parent",
        )
    headers = bearer("case_manager")
    seen, cursor = [], ""
    while True:
        page = client.get(f"{API}/cases", {"limit": 5, "cursor": cursor}, **headers).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 23 and len(set(seen)) == 23


def test_openapi_documents_the_api(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"] and "/api/v1/cases/{case_id}/close" in schema["paths"]
    assert schema["components"]["securitySchemes"]["PersonalToken"]["scheme"] == "bearer"
