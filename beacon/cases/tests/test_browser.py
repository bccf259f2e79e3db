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
        page = context.new_page()
        # The UI must work offline: record any request that leaves the test server.
        page.outside_requests = []

        def note_outside(request):
            if not request.url.startswith(("http://localhost", "http://127.0.0.1", "data:")):
                page.outside_requests.append(request.url)

        page.on("request", note_outside)
        yield page
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_manager_records_a_disappearance_and_closes_it(live_server, cast, page):
    log_in(page, live_server.url, cast["case_manager"])

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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake-form.png"), full_page=True)
    page.click("text=Open the case")

    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("h1").inner_text().startswith(case.number)
    assert page.locator("#case-worrying").inner_text() == "worrying"
    assert "Possibly with third parties" in page.locator("ul.held").inner_text()
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

    page.click("text=Robin Browsertest")
    page.wait_for_url(f"{live_server.url}/people/{case.person_id}/")
    assert "1 episode" in page.locator("h2").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "person.png"), full_page=True)
    page.goto(f"{live_server.url}/cases/?status=closed")
    assert page.locator(f"text={case.number}").count() == 1
    page.screenshot(path=str(ARTIFACTS / "list.png"), full_page=True)
    assert page.outside_requests == []


def log_in(page, base_url, user):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Each role starts on its own page (the line's board, the case list, donors, ...).
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_htmx_person_search_starts_a_new_episode(live_server, cast, open_case, page):
    log_in(page, live_server.url, cast["first_responder"])
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("input[name=q]", "Lotte")
    page.press("input[name=q]", "Enter")  # must search, not submit the half-filled intake
    # HTMX (served by Beacon itself) fetches the matches and swaps them in below the box.
    page.click(f"#person-results >> text={open_case.person.full_name}")
    page.wait_for_url(f"{live_server.url}/cases/new/?person={open_case.person_id}")
    assert "New episode for Lotte Testperson" in page.locator("main").inner_text()
    assert page.outside_requests == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_exploitation_intake_shows_only_the_categorys_facts(live_server, cast, page):
    log_in(page, live_server.url, cast["case_manager"])
    page.goto(f"{live_server.url}/cases/new/exploitation/")
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Browsertest")
    page.fill("#id_date_of_birth", "2010-01-20")
    page.select_option("#id_gender", "male")
    page.select_option("#id_kind", "sextortion:financial")
    # Sextortion records platforms and amounts, not a teen pimp or an expose group.
    assert page.is_visible("#id_amount_paid") and page.is_visible("#id_platforms")
    assert not page.is_visible("#id_teen_pimp") and not page.is_visible("#id_expose_group")
    page.select_option("#id_kind", "child_prostitution")
    assert page.is_visible("#id_teen_pimp") and not page.is_visible("#id_amount_paid")
    page.select_option("#id_kind", "sextortion:financial")
    page.fill("#id_platforms", "Example Chat")
    page.fill("#id_amount_paid", "75")
    page.select_option("#id_reporter_kind", "child")
    page.click("text=Open the case")
    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.is_visible("text=Help given")
    assert str(case.facts.amount_paid) == "75.00"
    assert page.outside_requests == []
