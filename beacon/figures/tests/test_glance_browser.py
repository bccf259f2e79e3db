"""A real browser: a statistics reader picks a period, follows a figure to the records behind it
and finds as many as the figure says, with case numbers and no names; the annual report opens."""

import os

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from beacon.figures.tests.test_glance import records_2025  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_figure_leads_to_its_records(live_server, cast, page, records_2025):  # noqa: F811
    log_in(page, live_server.url, cast["statistics_reader"])
    page.goto(f"{live_server.url}/figures/")
    page.fill("#id_from", "2025-01-01")
    page.fill("#id_to", "2025-12-31")
    page.fill("#id_compare_from", "2024-01-01")
    page.fill("#id_compare_to", "2024-12-31")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(lambda url: "from=2025-01-01" in url)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "figures-glance.png"), full_page=True)
    link = page.locator("a[href*='/figures/records/disappearances_new_cases.runaway/']").first
    shown = link.inner_text()
    assert shown == "3"
    link.click()
    page.wait_for_url("**/figures/records/disappearances_new_cases.runaway/**")
    assert page.locator("#total").get_attribute("data-total") == shown
    body = page.locator("body").inner_text()
    assert records_2025.last_name not in body
    page.screenshot(path=str(ARTIFACTS / "figures-records.png"), full_page=True)

    page.goto(f"{live_server.url}/figures/report/2025/?lang=nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("svg").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "annual-report-web.png"), full_page=True)
