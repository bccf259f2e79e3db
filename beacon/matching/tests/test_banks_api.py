"""The hash banks' API: every role against every endpoint, 201/202/409/422/404 as documented, an
upload followed to its end, removals, and a streamed export that imports again."""

import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.urls import Resolver404, path, resolve
from django_tasks_db.models import DBTaskResult

from beacon.core.api import BeaconAPI, PersonalToken, install_error_handlers
from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.matching import banks
from beacon.matching.api_banks import router
from beacon.matching.models import BankHash, BankImport, HashBank

pytestmark = pytest.mark.django_db

BANKS = "/api/v1/matching/banks"


def _standalone_api() -> BeaconAPI:
    """The router on an API of its own, as beacon/api.py mounts it, for as long as it does not."""
    api = BeaconAPI(auth=PersonalToken(), urls_namespace="banks_api_tests")
    install_error_handlers(api, not_found=())
    api.add_router("/matching/banks", router)
    return api


urlpatterns = [path("api/v1/", _standalone_api().urls)]


@pytest.fixture(autouse=True)
def mounted(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    try:
        resolve(f"{BANKS}/1/imports/1")
    except Resolver404:
        settings.ROOT_URLCONF = __name__


def hexes(count: int, length: int = 64, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(length * 4):0{length}x}" for _ in range(count)]


@pytest.fixture
def bearer(cast):
    tokens: dict[str, dict] = {}

    def headers(role: str) -> dict:
        if role not in tokens:
            _token, secret = token_create(actor=None, user=cast[role], name="tests")
            tokens[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        return tokens[role]

    return headers


def stored_files() -> list:
    folder = banks.imports_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def send(client, method: str, url: str, headers: dict, body=None):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )


@pytest.fixture
def bank(cast) -> HashBank:
    bank = banks.bank_create(actor=cast["administrator"], name="Partner list", source="partner")
    pending = banks.import_upload(
        actor=cast["administrator"],
        bank_id=bank.pk,
        format="pdq",
        file=SimpleUploadedFile("a.txt", ("\n".join(hexes(4)) + "\nbad\n").encode()),
    )
    banks.import_run(import_id=pending.pk)
    bank.refresh_from_db()
    return bank


def written() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        tuple(HashBank.objects.order_by("pk").values_list("pk", "name", "version")),
        BankImport.objects.count(),
        BankHash.objects.filter(removed_at__isnull=True).count(),
        AuditRecord.objects.exclude(action="denied").count(),
        DBTaskResult.objects.count(),
    )


def upload(client, headers, bank_id, content: bytes, format="pdq"):
    return client.post(
        f"{BANKS}/{bank_id}/imports",
        {"file": SimpleUploadedFile("hashes.txt", content), "format": format},
        **headers,
    )


# --- permissions ------------------------------------------------------------------------------


def reads(bank):
    imported = BankImport.objects.get()
    return [
        ("get", BANKS, None),
        ("get", f"{BANKS}/{bank.pk}", None),
        ("get", f"{BANKS}/{bank.pk}/imports/{imported.pk}", None),
    ]


def writes(bank):
    return [
        ("post", BANKS, {"name": "Mine", "source": "own"}),
        ("patch", f"{BANKS}/{bank.pk}", {"version": bank.version, "active": False}),
        ("post", f"{BANKS}/{bank.pk}/removals", {"values": [hexes(1)[0]], "reason": "r"}),
        ("get", f"{BANKS}/{bank.pk}/export?format=pdq", None),
    ]


@pytest.mark.parametrize("role", ["administrator", "analyst"])
def test_analysts_and_administrators_read_banks(client, bearer, bank, role):
    for method, url, body in reads(bank):
        assert send(client, method, url, bearer(role), body).status_code == 200, url


@pytest.mark.parametrize("role", ["analyst", "nobody", "case_manager", "statistics_reader"])
def test_only_administrators_change_banks(client, bearer, bank, role):
    headers = bearer(role)
    before = written()
    for method, url, body in writes(bank):
        answer = send(client, method, url, headers, body)
        assert answer.status_code == 403, url
        assert answer.json() == {"detail": "You do not have permission to do this."}
    answer = upload(client, headers, bank.pk, hexes(1)[0].encode())
    assert answer.status_code == 403
    assert written() == before
    assert stored_files() == []


@pytest.mark.parametrize("role", ["nobody", "case_manager", "first_responder"])
def test_people_without_matching_work_read_nothing(client, bearer, bank, role):
    for method, url, body in reads(bank):
        assert send(client, method, url, bearer(role), body).status_code == 403, url


def test_without_a_token_the_answer_is_401(client, bank):
    assert client.get(BANKS).status_code == 401


# --- banks ------------------------------------------------------------------------------------


def test_list_and_one_bank_with_counts_and_imports(client, bearer, bank):
    answer = send(client, "get", BANKS, bearer("analyst"))
    [listed] = answer.json()
    assert (listed["name"], listed["live_hashes"], listed["version"]) == ("Partner list", 4, 2)
    detail = send(client, "get", f"{BANKS}/{bank.pk}", bearer("analyst")).json()
    assert detail["live_by_kind"] == {"pdq": 4, "md5": 0, "sha1": 0, "sha256": 0}
    [summary] = detail["imports"]
    assert (summary["status"], summary["added"], summary["malformed"]) == ("done", 4, 1)


def test_create_then_update_with_the_version(client, bearer):
    headers = bearer("administrator")
    body = {
        "name": "Industry list",
        "source": "industry",
        "auto_act_exact": True,
        "near_threshold": 24,
        "classification": "national",
    }
    created = send(client, "post", BANKS, headers, body)
    assert created.status_code == 201, created.content
    made = created.json()
    assert (made["near_threshold"], made["live_hashes"], made["version"]) == (24, 0, 1)
    url = f"{BANKS}/{made['id']}"
    changed = send(client, "patch", url, headers, {"version": 1, "near_to_analysts": False})
    assert changed.status_code == 200
    assert (changed.json()["near_to_analysts"], changed.json()["version"]) == (False, 2)
    assert changed.json()["auto_act_exact"] is True  # not sent: unchanged
    stale = send(client, "patch", url, headers, {"version": 1, "active": False})
    assert stale.status_code == 409
    assert "changed this bank" in stale.json()["detail"]
    assert HashBank.objects.get(pk=made["id"]).active is True


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "", "source": "own"}, ["body", "name"]),
        ({"name": "Partner list", "source": "own"}, ["body", "name"]),
        ({"name": "X", "source": "elsewhere"}, ["body", "source"]),
        ({"name": "X", "source": "own", "near_threshold": 65}, ["body", "near_threshold"]),
        ({"name": "X", "source": "own", "near_threshold": "far"}, ["body", "near_threshold"]),
        ({"source": "own"}, ["body", "name"]),
    ],
)
def test_a_bad_bank_is_422_on_its_field(client, bearer, bank, body, loc):
    headers = bearer("administrator")
    before = written()
    answer = send(client, "post", BANKS, headers, body)
    assert answer.status_code == 422
    assert [entry["loc"] for entry in answer.json()["detail"]] == [loc]
    assert written() == before


def test_an_unknown_bank_or_import_is_404(client, bearer, bank):
    headers = bearer("administrator")
    imported = BankImport.objects.get()
    for method, url, body in [
        ("get", f"{BANKS}/999999", None),
        ("patch", f"{BANKS}/999999", {"version": 1}),
        ("get", f"{BANKS}/999999/imports/{imported.pk}", None),
        ("get", f"{BANKS}/{bank.pk}/imports/999999", None),
        ("post", f"{BANKS}/999999/removals", {"values": [hexes(1)[0]], "reason": "r"}),
        ("get", f"{BANKS}/999999/export?format=pdq", None),
    ]:
        answer = send(client, method, url, headers, body)
        assert answer.status_code == 404, url
        assert answer.json() == {"detail": "Not found."}
    assert upload(client, headers, 999999, hexes(1)[0].encode()).status_code == 404
    assert stored_files() == []


# --- imports ----------------------------------------------------------------------------------


def test_an_upload_is_202_and_its_progress_is_read_until_done(client, bearer, bank):
    headers = bearer("administrator")
    new = hexes(3, seed=8)
    answer = upload(client, headers, bank.pk, ("\n".join(new) + "\nzz\n").encode())
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert (body["status"], body["lines_total"], body["lines_done"]) == ("waiting", 4, 0)
    assert body["created_by"] == "alice" and body["filename"] == "hashes.txt"
    assert DBTaskResult.objects.filter(args_kwargs__args=[body["id"]]).exists()
    banks.import_run(import_id=body["id"], chunk_lines=2)
    status = send(client, "get", f"{BANKS}/{bank.pk}/imports/{body['id']}", bearer("analyst"))
    progress = status.json()
    assert (progress["status"], progress["lines_done"], progress["progress_pct"]) == (
        "done",
        4,
        100,
    )
    assert (progress["added"], progress["duplicates"], progress["malformed"]) == (3, 0, 1)
    assert progress["errors"] == [
        {"line": 4, "reason": "malformed hex: “zz” is not a hexadecimal hash"}
    ]


def test_a_bad_upload_is_422_and_stores_nothing(client, bearer, bank, monkeypatch):
    headers = bearer("administrator")
    before = written()
    cases = [
        (b"\x00\x01binary", "pdq", ["body", "file"]),
        (hexes(1)[0].encode(), "xml", ["body", "format"]),
    ]
    for content, format, loc in cases:
        answer = upload(client, headers, bank.pk, content, format)
        assert answer.status_code == 422
        assert [entry["loc"] for entry in answer.json()["detail"]] == [loc]
    monkeypatch.setattr(banks, "IMPORT_MAX_BYTES", 10)
    answer = upload(client, headers, bank.pk, hexes(1)[0].encode())
    assert answer.status_code == 422 and "too large" in answer.json()["detail"][0]["msg"]
    missing = client.post(f"{BANKS}/{bank.pk}/imports", {"format": "pdq"}, **headers)
    assert missing.status_code == 422
    assert written() == before
    assert stored_files() == []


# --- removals and export ----------------------------------------------------------------------


def test_removals_answer_the_counts_and_name_bad_values(client, bearer, bank):
    headers = bearer("administrator")
    url = f"{BANKS}/{bank.pk}/removals"
    values = hexes(4)
    answer = send(client, "post", url, headers, {"values": values[:2], "reason": "retracted"})
    assert answer.status_code == 200
    assert answer.json() == {"removed": 2, "already_removed": 0, "bank_version": bank.version + 1}
    again = send(
        client, "post", url, headers, {"values": [f"{values[0]} {values[2]}"], "reason": "r"}
    )
    assert again.json() == {"removed": 1, "already_removed": 1, "bank_version": bank.version + 2}
    unknown = hexes(1, seed=77)[0]
    refused = send(client, "post", url, headers, {"values": [values[3], unknown], "reason": "r"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["body", "values"],
            "msg": f"“{unknown}” is not in this bank",
        }
    ]
    assert BankHash.objects.get(value=values[3]).removed_at is None
    no_reason = send(client, "post", url, headers, {"values": [values[3]], "reason": ""})
    assert [e["loc"] for e in no_reason.json()["detail"]] == [["body", "reason"]]


def test_an_export_is_streamed_and_imports_again(client, bearer, bank):
    headers = bearer("administrator")
    answer = client.get(f"{BANKS}/{bank.pk}/export?format=csv", **headers)
    assert answer.status_code == 200
    assert isinstance(answer, StreamingHttpResponse)
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="partner-list-csv.csv"'
    text = b"".join(answer.streaming_content)
    assert text.decode().splitlines()[0] == "hash,quality,tags"
    copy = send(client, "post", BANKS, headers, {"name": "Copy", "source": "partner"}).json()
    uploaded = upload(client, headers, copy["id"], text, "csv").json()
    banks.import_run(import_id=uploaded["id"])
    assert set(BankHash.objects.filter(bank_id=copy["id"]).values_list("value", flat=True)) == set(
        BankHash.objects.filter(bank=bank).values_list("value", flat=True)
    )
    assert AuditRecord.objects.filter(action="export", object_id=str(bank.pk)).count() == 1
    bad = client.get(f"{BANKS}/{bank.pk}/export?format=xml", **headers)
    assert bad.status_code == 422
