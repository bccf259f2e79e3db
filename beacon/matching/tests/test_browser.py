"""A real browser: an analyst works the queue of matches. The found image is blurred until they
choose to reveal it (counted), the URL is text only, and confirming sends the notice."""

import io

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from beacon.cases.tests.test_browser import ARTIFACTS, page  # noqa: F401 (fixture)
from beacon.matching.choices import ItemStatus, ScanSource
from beacon.matching.models import PreviewReveal, ScanItem
from beacon.matching.scans import ScanInput, scan_submit
from beacon.matching.synthetic import encoded, synthetic_image
from beacon.matching.tests.helpers import bank_image, make_bank
from beacon.reports.models import Notice
from conftest import PASSWORD

URL = "https://img.hoster-nl.test/album/7.jpg"


def detail(png: bytes) -> float:
    """How much fine detail a screenshot shows: its mean difference from a blurred copy of
    itself (high frequencies)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    image = image.crop((4, 4, image.width - 4, image.height - 4))  # not the frame's border
    return ImageStat.Stat(
        ImageChops.difference(image, image.filter(ImageFilter.GaussianBlur(2)))
    ).mean[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_analyst_reveals_then_confirms_a_near_match(live_server, cast, page, hosting_dns):  # noqa: F811
    bank = make_bank()
    own = make_bank("Our confirmed items", source="own")
    bank_image(bank, 7)
    copy = encoded(synthetic_image(7).resize((400, 300)), quality=50)
    _, [outcome] = scan_submit(
        actor=cast["analyst"], source=ScanSource.API, items=[ScanInput(url=URL, image=copy)]
    )
    item = outcome.item
    assert item is not None and item.status == ItemStatus.QUEUED

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", cast["analyst"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/hotline/")  # analysts start on the hotline's queue
    page.click("nav >> text=Image matching")
    page.wait_for_url(f"{live_server.url}/matching/")
    row = page.locator("#match-queue tbody tr")
    assert row.count() == 1 and URL in row.inner_text()
    row.locator(f"a:text-is('{item.pk}')").click()
    page.wait_for_url(f"{live_server.url}/matching/items/{item.pk}/")
    assert page.locator("#item-url").evaluate("el => el.closest('a')") is None
    frame = page.locator("iframe[name=preview-frame]")
    page.frame(name="preview-frame").wait_for_load_state()
    blurred = detail(frame.screenshot())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matching-item-blurred.png"), full_page=True)
    assert not PreviewReveal.objects.exists()

    with page.expect_response(lambda response: "/preview/" in response.url) as answer:
        page.click("#reveal")
    assert answer.value.status == 200
    page.frame(name="preview-frame").wait_for_selector("img[alt='The scanned image']")
    revealed = detail(frame.screenshot())
    page.screenshot(path=str(ARTIFACTS / "matching-item-revealed.png"), full_page=True)
    assert PreviewReveal.objects.filter(analyst=cast["analyst"], item=item).count() == 1
    # The revealed picture shows the shapes' edges; the blurred one hardly any.
    assert revealed > 2.5 * blurred, (blurred, revealed)

    page.fill("#id_note", "The same image, resized.")
    page.click("button:text('Confirm: it is the banked material')")
    page.wait_for_url(f"{live_server.url}/matching/")
    assert "Confirmed" in page.inner_text("main")
    item.refresh_from_db()
    assert item.status == ItemStatus.CONFIRMED and item.preview is None
    assert own.hashes.get().value == item.pdq  # the own bank learnt it
    notice = Notice.objects.get(item=item.url_item)
    assert (notice.kind, notice.recipient_country) == ("hotline", "NL")
    assert page.outside_requests == []
    assert ScanItem.objects.count() == 1
