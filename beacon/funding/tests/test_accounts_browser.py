"""A real browser shows the accounts page: the checks, the balance sheet and the income
statement two years side by side, the share charts; and imports a trial balance."""

import os

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from beacon.demo.accounts import csv_text, load_accounts

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_accounts_page_in_a_browser(live_server, cast, page, tmp_path):  # noqa: F811
    assert load_accounts()
    log_in(page, live_server.url, cast["finance"])
    page.goto(f"{live_server.url}/funding/accounts/")
    assert page.locator("#accounts-checks.check-ok").is_visible()
    gifts = page.locator("#statement-income_statement tr[data-key=gifts_in_money] td")
    assert gifts.all_inner_texts()[1:] == ["73", "5,680,505.13", "5,532,943.00"]
    assert page.locator(".shares svg").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "accounts.png"), full_page=True)

    page.select_option("#id_year", "2021")
    page.select_option("#id_compare", "2020")
    page.click("#accounts-years button[type=submit]")
    page.wait_for_url("**/funding/accounts/?year=2021&compare=2020")
    result = page.locator("#statement-income_statement tr[data-key=result] td")
    assert result.all_inner_texts()[2:] == ["−38.71", "11,286.47"]
    page.locator("#shares-1").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "accounts-2021.png"), full_page=True)

    # An unbalanced file is refused with its reason; a good one is imported.
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(2021).replace("-728909.91", "-728909.00"))
    page.goto(f"{live_server.url}/funding/accounts/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("#trial-balance-import-form button[type=submit]")
    assert "do not balance" in page.locator("#import-errors").inner_text()
    page.screenshot(path=str(ARTIFACTS / "accounts-import.png"), full_page=True)
    assert page.outside_requests == []
