"""Image matching's staff pages: the queue, one item, the preview (blurred on GET, revealed only on
POST, counted), the decisions, the scans, the exposure, and the civil hotline's hash form."""

import base64
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageStat

from beacon.core.crypto import decrypt
from beacon.core.models import AuditRecord
from beacon.matching.choices import ItemStatus, ScanSource
from beacon.matching.models import PreviewReveal, ScanItem
from beacon.matching.scans import ScanInput, scan_submit
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg
from beacon.matching.tests.helpers import bank_image, make_bank
from beacon.reports.tests.helpers import reported_item
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEAR = "https://img.hoster-nl.test/near.jpg"


@pytest.fixture
def queued(cast) -> ScanItem:
    bank = make_bank()
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan_submit(
        actor=cast["analyst"], source=ScanSource.API, items=[ScanInput(url=NEAR, image=copy)]
    )
    assert outcome.item is not None
    return outcome.item


def inline_image(response) -> Image.Image:
    """The picture a preview frame's page holds inline."""
    match = re.search(r'src="data:image/jpeg;base64,([^"]+)"', response.content.decode())
    assert match, response.content[:200]
    return Image.open(io.BytesIO(base64.b64decode(match.group(1)))).convert("L")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_queue_lists_matches_nearest_first_with_the_url_as_text(client, cast, queued):
    page = login(client, cast["analyst"]).get("/matching/")
    assert page.status_code == 200
    html = page.content.decode()
    assert NEAR in html and f'href="{NEAR}' not in html and f"/matching/items/{queued.pk}/" in html


def test_the_preview_is_blurred_on_get_and_revealed_only_on_post_counted_and_audited(
    client, cast, queued
):
    login(client, cast["analyst"])
    page = client.get(f"/matching/items/{queued.pk}/").content.decode()
    assert "preview-frame" in page and "Reveal the image" in page
    kept = Image.open(io.BytesIO(decrypt(ScanItem.objects.get(pk=queued.pk).preview))).convert("L")
    blurred = client.get(f"/matching/items/{queued.pk}/preview/")
    assert "no-store" in blurred["Cache-Control"] and blurred["X-Frame-Options"] == "SAMEORIGIN"
    shown = inline_image(blurred)
    assert not PreviewReveal.objects.exists()
    revealed = client.post(f"/matching/items/{queued.pk}/preview/")
    sharp = inline_image(revealed)
    # The revealed image is the kept one; the blurred one differs from it a lot.
    assert ImageStat.Stat(ImageChops.difference(sharp, kept)).mean[0] < 3
    assert ImageStat.Stat(ImageChops.difference(shown, kept)).mean[0] > 10
    assert PreviewReveal.objects.filter(analyst=cast["analyst"]).count() == 1
    assert AuditRecord.objects.filter(
        object_type="matching.scanitem", action="view", fields=["preview"]
    ).exists()
    exposure = login(client, cast["administrator"]).get("/matching/exposure/").content.decode()
    assert "anna" in exposure


def test_rejecting_from_the_page_deletes_the_preview(client, cast, queued):
    login(client, cast["analyst"])
    answer = client.post(
        f"/matching/items/{queued.pk}/reject/",
        {"reject-version": queued.version, "reject-note": "other"},
    )
    assert answer.status_code == 302
    item = ScanItem.objects.get(pk=queued.pk)
    assert item.status == ItemStatus.REJECTED and item.preview is None
    assert client.get(f"/matching/items/{queued.pk}/preview/").status_code == 404


def test_a_stale_confirm_shows_the_form_again(client, cast, queued):
    login(client, cast["analyst"])
    answer = client.post(f"/matching/items/{queued.pk}/confirm/", {"version": queued.version + 1})
    assert answer.status_code == 400 and "Someone else decided" in answer.content.decode()
    assert ScanItem.objects.get(pk=queued.pk).status == ItemStatus.QUEUED


@pytest.mark.parametrize("role", ["case_manager", "first_responder", "statistics_reader", "nobody"])
def test_other_roles_see_no_scan(client, cast, queued, role):
    login(client, cast[role])
    for url in (
        "/matching/",
        f"/matching/items/{queued.pk}/",
        f"/matching/items/{queued.pk}/preview/",
        "/matching/scans/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/matching/items/{queued.pk}/preview/").status_code == 403


def test_the_scans_list_their_images(client, cast, queued):
    login(client, cast["analyst"])
    assert f"/matching/scans/{queued.batch_id}/" in client.get("/matching/scans/").content.decode()
    assert (
        f"/matching/items/{queued.pk}/"
        in client.get(f"/matching/scans/{queued.batch_id}/").content.decode()
    )


def test_a_hotline_analyst_hashes_an_image_kept_for_a_reported_url(client, cast):
    bank = make_bank()
    bank_image(bank, 12)
    item = reported_item("https://img.hoster-nl.test/reported/12")
    login(client, cast["analyst"])
    assert "/matching/hotline/" in client.get(f"/hotline/urls/{item.pk}/").content.decode()
    bad = client.post(
        f"/matching/hotline/{item.pk}/hash/", {"image": SimpleUploadedFile("x.jpg", b"nope")}
    )
    assert bad.status_code == 400 and "not an image" in bad.content.decode()
    answer = client.post(
        f"/matching/hotline/{item.pk}/hash/",
        {"image": SimpleUploadedFile("x.jpg", synthetic_jpeg(12), content_type="image/jpeg")},
    )
    assert answer.status_code == 302
    scanned = ScanItem.objects.get()
    assert scanned.url_item_id == item.pk and scanned.url == item.url and scanned.result == "exact"
    assert scanned.batch.source == ScanSource.HOTLINE


def test_the_scans_of_a_period_add_up_to_the_images_analysed(client, cast, queued):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from beacon.matching.models import ScanBatch

    zone = ZoneInfo("Europe/Brussels")
    ScanBatch.objects.create(
        source="counted", images=1000, received_at=datetime(2024, 12, 31, 23, 30, tzinfo=zone)
    )
    ScanBatch.objects.create(
        source="counted", images=7, received_at=datetime(2025, 1, 1, 0, 30, tzinfo=zone)
    )
    login(client, cast["analyst"])
    page = client.get("/matching/scans/?from=2025-01-01&to=2025-12-31").content.decode()
    assert "7 images analysed" in page and "1000" not in page
