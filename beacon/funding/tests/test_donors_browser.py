"""A real browser (Debian's Chromium) keeps a donor: adds one with a national register number,
records a gift, sees the number masked; the page is saved as a screenshot to look at."""

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, page  # noqa: F401
from beacon.funding.models import Donor, Gift
from beacon.funding.tests.test_donors_helpers import NN_1985
from conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_finance_user_adds_a_donor_and_a_gift(live_server, cast, page):  # noqa: F811
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", cast["finance"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/funding/donors/new/")
    page.select_option("#id_kind", "person")
    page.fill("#id_first_name", "Browser")
    page.fill("#id_last_name", "Testgiver")
    page.fill("#id_national_number", NN_1985)
    page.fill("#id_city", "Testville")
    page.fill("#id_email", "browser@example.org")
    page.click("text=Add the donor")
    donor = Donor.objects.get()
    page.wait_for_url(f"{live_server.url}/funding/donors/{donor.pk}/")

    page.click("text=Record a gift")
    page.fill("#id_amount", "40,00")
    page.fill("#id_received_on", "2025-03-01")
    page.select_option("#id_method", "transfer")
    page.click("text=Record the gift")
    page.wait_for_url(f"{live_server.url}/funding/donors/{donor.pk}/")
    assert str(Gift.objects.get().amount) == "40.00"

    body = page.content()
    assert "••.••.••-•••.28" in body and NN_1985 not in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "funding-donor.png"), full_page=True)
    assert page.outside_requests == []
