"""A real browser (Debian's Chromium driven by Playwright) reads the public search notices."""

import os
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from beacon.alerts.adapters.page import PageAdapter
from beacon.alerts.choices import Channel, NoticeStatus, RenditionKind
from beacon.alerts.tests.factories import notice_make

# The `page` fixture (Chromium, offline check) and the screenshots' folder of the case tests.
from beacon.cases.tests.test_browser import ARTIFACTS, page  # noqa: F401
from conftest import synthetic_photo

# Playwright's sync API runs an event loop in this thread; the ORM calls below are ours, not async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (the live test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_opens_a_notice_from_the_list_and_sees_it_withdrawn(
    live_server,
    open_case,
    private_storage,
    page,  # noqa: F811
):
    notice = notice_make(
        open_case,
        display_name="Robin",
        age=14,
        photo=synthetic_photo(size=(600, 800)),
        languages=["nl", "fr", "en"],
        last_seen_at=datetime(2025, 3, 14, 14, 30, tzinfo=UTC),
        last_seen_place="Bus stop, Exampleville",
    )
    PageAdapter().publish(notice, notice.deliveries.get(channel=Channel.PAGE))
    long_term = notice_make(
        open_case,
        display_name="Sasha",
        age=17,
        photo=synthetic_photo(),
        still_missing=True,
        last_seen_place="Harbour, Testville",
    )
    PageAdapter().publish(long_term, long_term.deliveries.get(channel=Channel.PAGE))
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/missing/")
    page.click("main a[hreflang=en]")
    page.wait_for_url(f"{live_server.url}/missing/en/")
    assert "Robin" in page.locator("#current").inner_text()
    assert "Sasha" in page.locator("#still-missing").inner_text()
    # Every photo loaded (a broken image has no natural width).
    widths = page.eval_on_selector_all("img.card-photo", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 2 and all(width > 0 for width in widths)
    page.screenshot(path=str(ARTIFACTS / "missing-list.png"), full_page=True)

    page.click("#current >> text=Robin")
    page.wait_for_url(f"{live_server.url}/missing/en/{notice.public_id}/")
    assert page.locator("h1").inner_text() == "Missing: Robin"
    assert page.eval_on_selector("#notice-photo", "el => el.naturalWidth") > 0
    assert "14 years old" in page.locator(".facts").inner_text()
    assert "March 14, 2025, 3:30 p.m." in page.locator(".facts").inner_text()
    page.screenshot(path=str(ARTIFACTS / "missing-notice.png"), full_page=True)

    # The German page: the description is shown in Dutch, and says so.
    page.click("header >> text=Deutsch")
    page.wait_for_url(f"{live_server.url}/missing/de/{notice.public_id}/")
    assert page.is_visible("#description-fallback")
    page.screenshot(path=str(ARTIFACTS / "missing-notice-de.png"), full_page=True)

    photo_url = live_server.url + page.get_attribute("#notice-photo", "src")
    assert status_of(photo_url) == 200
    assert page.context.cookies() == []
    page.goto(f"{live_server.url}/missing/en/{notice.public_id}/")

    notice.status = NoticeStatus.WITHDRAWN
    notice.save(update_fields=["status"])
    page.reload()
    assert "This search notice has been withdrawn" in page.locator("main").inner_text()
    assert "Robin" not in page.content()
    assert page.locator("img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "missing-withdrawn.png"), full_page=True)
    assert status_of(photo_url) == 410
    assert notice.renditions.filter(kind=RenditionKind.PAGE).count() == 1

    page.goto(f"{live_server.url}/missing/en/")
    # The browser may keep the list for PUBLIC_MAX_AGE seconds; a new visit asks again.
    page.reload()
    assert "Robin" not in page.locator("main").inner_text()
    assert "Sasha" in page.locator("#still-missing").inner_text()
    assert page.outside_requests == []
    assert page.context.cookies() == []
