"""Personal API tokens: the command, the services, and how the API authenticates with them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beacon.core.models import ApiToken, AuditRecord
from beacon.core.services import token_create, token_revoke, user_set_language

CASES = "/api/v1/cases"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_create_prints_a_working_secret_once_and_stores_only_its_digest(client, cast):
    out, err = run("create", "carla", "--name", "laptop")
    secret = out.strip()
    token = ApiToken.objects.get()
    assert secret.startswith("bcn_") and len(secret) > 40
    assert token.user == cast["case_manager"] and token.name == "laptop"
    assert token.digest == ApiToken.digest_of(secret) and len(token.digest) == 64
    assert token.hint == secret[:10] and "cannot be shown again" in err
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)
    record = AuditRecord.objects.get(object_type="core.apitoken")
    assert (record.action, record.object_id, record.actor, record.channel) == (
        "create",
        str(token.pk),
        None,
        "cli",
    )
    assert client.get(CASES, **bearer(secret)).status_code == 200


def test_list_shows_hints_and_states_but_no_secret(cast):
    secret_a = run("create", "carla", "--name", "script")[0].strip()
    secret_b = run("create", "carla")[0].strip()
    run("revoke", secret_b[:10])
    lines = run("list", "carla")[0].splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{secret_a[:10]}  script  ") and "active" in lines[0]
    assert lines[1].startswith(f"{secret_b[:10]}  -  ") and "revoked" in lines[1]
    assert secret_a not in "".join(lines) and secret_b not in "".join(lines)
    assert run("list", "fred")[0] == ""


def test_revoked_token_gets_401_and_the_revocation_is_audited(client, cast):
    secret = run("create", "carla")[0].strip()
    assert client.get(CASES, **bearer(secret)).status_code == 200
    out, _err = run("revoke", secret[:10])
    assert out.strip() == f"Revoked {secret[:10]}"
    response = client.get(CASES, **bearer(secret))
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}
    assert ApiToken.objects.get().revoked_at is not None
    assert (
        AuditRecord.objects.filter(
            object_type="core.apitoken", action="update", fields=["revoked_at"]
        ).count()
        == 1
    )
    # Revoking twice changes nothing and records nothing more.
    run("revoke", secret[:10])
    assert AuditRecord.objects.filter(object_type="core.apitoken", action="update").count() == 1


def test_command_refuses_unknown_users_inactive_users_and_unknown_hints(cast):
    with pytest.raises(CommandError, match="No user 'zoe'"):
        run("create", "zoe")
    cast["case_manager"].is_active = False
    cast["case_manager"].save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="not active"):
        run("create", "carla")
    with pytest.raises(CommandError, match="0 tokens"):
        run("revoke", "bcn_nothing")
    with pytest.raises(CommandError, match="control characters"):
        run("create", "fred", "--name", "bad\x1bname")
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer bcn_not-a-token",
        "Bearer something-else",
        "Token {secret}",
        "Basic Y2FybGE6cGFzcw==",
        "Bearer {secret}x",
    ],
)
def test_missing_wrong_or_malformed_tokens_get_401(client, cast, header):
    _token, secret = token_create(actor=None, user=cast["case_manager"])
    extra = {"HTTP_AUTHORIZATION": header.format(secret=secret)} if header else {}
    response = client.get(CASES, **extra)
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}


def test_token_of_a_deactivated_user_gets_401(client, cast):
    _token, secret = token_create(actor=None, user=cast["case_manager"])
    cast["case_manager"].is_active = False
    cast["case_manager"].save(update_fields=["is_active"])
    assert client.get(CASES, **bearer(secret)).status_code == 401


def test_a_logged_in_session_is_not_enough(client, cast):
    # No session auth on the API: a browser's cookie cannot be used to forge API calls.
    client.force_login(cast["case_manager"])
    assert client.get(CASES).status_code == 401
    response = client.post(CASES, "{}", content_type="application/json")
    assert response.status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(client, cast):
    token, secret = token_create(actor=None, user=cast["case_manager"])
    assert token.last_used_at is None
    client.get(CASES, **bearer(secret))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    with CaptureQueriesContext(connection) as queries:
        client.get(CASES, **bearer(secret))
    token_updates = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "core_apitoken" in q["sql"]
    ]
    assert token_updates == []
    token.refresh_from_db()
    assert token.last_used_at == first_use

    two_minutes_ago = first_use - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    client.get(CASES, **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > two_minutes_ago


def test_the_api_speaks_the_token_users_language(client, cast):
    user_set_language(user=cast["case_manager"], language="fr")
    _token, secret = token_create(actor=None, user=cast["case_manager"])
    categories = client.get("/api/v1/categories", **bearer(secret)).json()
    runaway = next(c for c in categories if c["key"] == "runaway")
    assert runaway["name"] == "Fugue"
    _token, english = token_create(actor=None, user=cast["first_responder"])
    categories = client.get("/api/v1/categories", **bearer(english)).json()
    assert next(c for c in categories if c["key"] == "runaway")["name"] == "Runaway"


def test_users_manage_their_own_tokens_and_administrators_everyones(cast):
    carla, fred, alice = cast["case_manager"], cast["first_responder"], cast["administrator"]
    own, _secret = token_create(actor=carla, user=carla, name="mine")
    with pytest.raises(PermissionDenied):
        token_create(actor=fred, user=carla)
    with pytest.raises(PermissionDenied):
        token_revoke(actor=fred, token=own)
    with pytest.raises(PermissionDenied):
        token_create(actor=cast["nobody"], user=cast["nobody"])
    token_create(actor=alice, user=fred)
    token_revoke(actor=alice, token=own)
    assert ApiToken.objects.filter(user=carla, revoked_at__isnull=False).count() == 1
    assert ApiToken.objects.filter(user=fred).count() == 1
    assert ApiToken.objects.count() == 2


def test_token_names_with_control_characters_are_refused(cast):
    with pytest.raises(ValidationError) as caught:
        token_create(actor=None, user=cast["case_manager"], name="a\u202eb")
    assert list(caught.value.message_dict) == ["name"]
    assert ApiToken.objects.count() == 0
    assert AuditRecord.objects.filter(object_type="core.apitoken").count() == 0
