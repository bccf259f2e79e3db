"""A real browser (Debian's Chromium driven by Playwright) walks the intake of a case."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from beacon.cases.models import Case
from conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls below are ours, not async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's Chromium is missing: run `apt-get install chromium` (scripts/test does)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 1000}, locale="en-GB", timezone_id="Europe/Brussels"
        )
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_manager_records_a_disappearance_and_closes_it(live_server, cast, page):
    manager = cast["case_manager"]
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/cases/")

    page.click("text=New case")
    page.fill("#id_first_name", "Robin")
    page.fill("#id_last_name", "Browsertest")
    page.fill("#id_date_of_birth", "2010-09-15")
    page.select_option("#id_gender", "female")
    page.select_option("#id_kind", "runaway")
    last_seen = timezone.localtime(timezone.now() - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_last_seen_at", last_seen)
    page.fill("#id_last_seen_place", "Bus stop, Exampleville")
    page.select_option("#id_region", "BE-VLI")
    page.select_option("#id_reporter_kind", "institution")
    page.check("#id_criterion_third_parties")
    page.fill("#id_note_third_parties", "Seen with an unknown adult")
    page.click("text=Open the case")

    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("h1").inner_text().startswith(case.number)
    assert page.locator("#case-worrying").inner_text() == "worrying"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake.png"), full_page=True)

    page.select_option("#id_outcome", "found_safe")
    page.fill(
        "#id_found_at",
        timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    page.click("button:text('Close')")
    page.wait_for_selector("#case-outcome")
    assert page.locator("#case-status").inner_text() == "closed"
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "found_safe"
    page.screenshot(path=str(ARTIFACTS / "closed.png"), full_page=True)
