"""A real browser shows the prevention page with the demo's 2025 work and records a school
session run by two volunteers chosen in the multi-select."""

import os

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from beacon.demo.network import load_network
from beacon.demo.prevention import load_prevention
from beacon.network.models import Volunteer
from beacon.prevention.models import Session

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_prevention_page_in_a_browser(live_server, cast, page):  # noqa: F811
    assert load_network() and load_prevention()
    log_in(page, live_server.url, cast["volunteer_coordinator"])
    page.goto(f"{live_server.url}/prevention/?year=2025")
    school = page.locator("#prevention-counts tr[data-kind=school] td").all_inner_texts()
    assert school[1:] == ["611", "13480"]
    parents = page.locator("#prevention-counts tr[data-audience=parents] td").all_inner_texts()
    assert parents[1] == "216"
    assert page.locator("#sessions td.volunteers").first.inner_text() not in ("", "—")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "prevention-home.png"), full_page=True)

    first, second = Volunteer.objects.filter(active=True).order_by("last_name", "first_name")[:2]
    page.goto(f"{live_server.url}/prevention/sessions/new/?kind=school")
    page.fill("#id_held_on", "2025-11-20")
    page.fill("#id_venue", "Browser test school")
    page.fill("#id_children_reached", "24")
    page.select_option("#id_volunteers", [str(first.pk), str(second.pk)])
    page.screenshot(path=str(ARTIFACTS / "prevention-session-form.png"), full_page=True)
    page.click("#session-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/prevention/")
    session = Session.objects.get(venue="Browser test school")
    assert set(session.volunteers.all()) == {first, second}
    assert page.outside_requests == []
