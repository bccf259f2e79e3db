"""The image matching API: batches of images (multipart) and of hashes, the limit (413), the
queue and decisions, and who may do what."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beacon.core.services import token_create
from beacon.matching.choices import ItemStatus
from beacon.matching.models import ScanItem
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg
from beacon.matching.tests.helpers import bank_image, make_bank

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = token_create(actor=None, user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def upload(client, user, files: list[tuple[str, bytes, str]], items: list[dict]):
    data = {
        "items": json.dumps(items),
        "files": [
            SimpleUploadedFile(name, content, content_type=kind) for name, content, kind in files
        ],
    }
    return client.post("/api/v1/matching/scans/images", data, **bearer(user))


def test_a_batch_of_images_gets_one_result_per_item_in_order(client, cast):
    bank = make_bank()
    bank_image(bank, 1)
    files = [
        ("a.jpg", synthetic_jpeg(1), "image/jpeg"),
        ("b.png", encoded(synthetic_image(2), "PNG"), "image/png"),
        ("c.jpg", b"%PDF-1.7", "image/jpeg"),
    ]
    items = [
        {"url": "https://img.hoster-nl.test/a.jpg", "found_at": "2025-05-01T10:00:00+02:00"},
        {"url": "https://img.hoster-nl.test/b.png"},
        {"url": "https://img.hoster-nl.test/c.jpg", "found_at": "yesterday"},
    ]
    answer = upload(client, cast["analyst"], files, items)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["images"] == 2
    a, b, c = body["items"]
    assert (a["result"], a["best_distance"], a["status"]) == ("exact", 0, ItemStatus.QUEUED)
    assert (b["result"], b["status"]) == ("none", ItemStatus.NO_MATCH)
    assert c["id"] is None and c["refused"]["code"] == "bad_time"


def test_a_batch_over_the_limit_is_413_naming_the_limit(client, cast, settings):
    settings.MATCHING_BATCH_MAX = 2
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [(f"{n}.jpg", synthetic_jpeg(n, (64, 48)), "image/jpeg") for n in range(3)]
    answer = upload(client, cast["analyst"], files, [{} for _ in files])
    assert answer.status_code == 413
    assert answer.json()["limit"] == 2 and "2" in answer.json()["detail"]
    hashes = {"items": [{"pdq": f"{n:064x}", "quality": 90} for n in range(3)]}
    answer = client.post(
        "/api/v1/matching/scans/hashes",
        hashes,
        content_type="application/json",
        **bearer(cast["analyst"]),
    )
    assert answer.status_code == 413 and answer.json()["limit"] == 2
    assert not ScanItem.objects.exists()


def test_items_that_do_not_match_the_files_are_422(client, cast):
    answer = upload(client, cast["analyst"], [("a.jpg", synthetic_jpeg(1), "image/jpeg")], [])
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "items"]


def test_hashes_are_scanned_then_queued_then_rejected_through_the_api(client, cast):
    bank = make_bank()
    entry = bank_image(bank, 4)
    near = list(entry.value)
    near[0] = "0" if near[0] != "0" else "f"  # up to 4 bits changed
    payload = {
        "items": [{"pdq": "".join(near), "quality": 90, "url": "https://img.hoster-nl.test/4"}]
    }
    headers = bearer(cast["analyst"])
    answer = client.post(
        "/api/v1/matching/scans/hashes", payload, content_type="application/json", **headers
    )
    [result] = answer.json()["items"]
    assert result["result"] == "near" and result["status"] == "queued"
    queue = client.get("/api/v1/matching/queue", **headers).json()
    assert queue["waiting"] == 1 and queue["items"][0]["matches"][0]["bank"] == bank.name
    stale = client.post(
        f"/api/v1/matching/items/{result['id']}/reject",
        {"version": 99},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409
    done = client.post(
        f"/api/v1/matching/items/{result['id']}/reject",
        {"version": 1, "note": "not the same"},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    again = client.post(
        "/api/v1/matching/scans/hashes", payload, content_type="application/json", **headers
    )
    assert again.json()["items"][0]["duplicate"] is True


@pytest.mark.parametrize("role", ["case_manager", "first_responder", "statistics_reader", "nobody"])
def test_only_analysts_and_administrators_reach_scans_and_matches(client, cast, role):
    bank = make_bank()
    bank_image(bank, 4)
    item = ScanItem.objects.none()
    headers = bearer(cast[role])
    payload = {"items": [{"pdq": "ab" * 32, "quality": 90}]}
    assert (
        client.post(
            "/api/v1/matching/scans/hashes", payload, content_type="application/json", **headers
        ).status_code
        == 403
    )
    assert client.get("/api/v1/matching/queue", **headers).status_code == 403
    assert client.get("/api/v1/matching/items/1", **headers).status_code == 403
    assert item.count() == 0


def test_the_queue_reads_the_same_number_of_queries_for_one_item_or_many(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bank = make_bank()
    entries = [bank_image(bank, seed) for seed in (4, 5, 6)]
    headers = bearer(cast["analyst"])

    def near(entry, n):
        value = list(entry.value)
        value[n] = "0" if value[n] != "0" else "f"
        return {"pdq": "".join(value), "quality": 90, "url": f"https://img.hoster-nl.test/{n}"}

    def queue_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/matching/queue", **headers).status_code == 200
        return len(queries)

    client.post("/api/v1/matching/scans/hashes", {"items": [near(entries[0], 0)]},
                content_type="application/json", **headers)  # fmt: skip
    one = queue_queries()
    client.post("/api/v1/matching/scans/hashes",
                {"items": [near(entries[1], 1), near(entries[2], 2)]},
                content_type="application/json", **headers)  # fmt: skip
    assert client.get("/api/v1/matching/queue", **headers).json()["waiting"] == 3
    assert queue_queries() == one
