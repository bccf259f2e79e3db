"""A real browser imports a CAMT.053 statement from the bank page, reads its lines, and resolves
the queued credit by searching the donor on the queue page."""

import os

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from beacon.funding.models import Donor, DonorAccount, Gift, StatementLine
from beacon.funding.tests.camt import Entry, iban, statement, structured

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_importing_and_resolving_in_a_browser(live_server, cast, page, tmp_path):  # noqa: F811
    known = Donor.objects.create(
        kind="person", first_name="Synthetic", last_name="Known", structured_reference=structured(1)
    )
    target = Donor.objects.create(
        kind="person",
        first_name="Synthetic",
        last_name="Vandamme",
        structured_reference=structured(2),
    )
    path = tmp_path / "statement-2025-03.xml"
    path.write_bytes(
        statement(
            [
                Entry("25.00", ref="X1", structured_ref=known.structured_reference),
                Entry("12.00", ref="X2", debtor="S. Vandamme", debtor_iban=iban(31), text="gift"),
                Entry("30.00", ref="X3", currency="USD", debtor="Synthetic Abroad"),
                Entry("8.00", ref="X4", credit=False, debtor="Synthetic Supplier"),
            ]
        )
    )
    log_in(page, live_server.url, cast["finance"])
    page.goto(f"{live_server.url}/funding/bank/")
    page.set_input_files("#id_file", str(path))
    page.click("#bank-import-form button[type=submit]")
    page.wait_for_url("**/funding/bank/statements/*/")
    assert "4 entries, 4 new, 0 already imported, 1 matched" in page.inner_text("#statement-counts")
    assert page.locator("#statement-lines tbody tr").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bank-statement.png"), full_page=True)

    page.goto(f"{live_server.url}/funding/bank/queue/")
    line = StatementLine.objects.get(amount="12.00")
    row = page.locator(f"#line-{line.pk}")
    row.locator("input[name=q]").fill("vandamme")
    row.locator("button", has_text="Search").click()
    page.wait_for_url("**/funding/bank/queue/?line=*")
    row = page.locator(f"#line-{line.pk}")
    assert "Synthetic Vandamme" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "bank-queue.png"), full_page=True)
    row.locator("input[name=remember_account]").check()
    row.locator("button", has_text="Give to this donor").click()
    page.wait_for_url("**/funding/bank/queue/")
    assert page.locator(f"#line-{line.pk}").count() == 0
    assert Gift.objects.get(statement_line=line).donor == target
    assert DonorAccount.objects.filter(donor=target, iban=iban(31)).exists()
    # The credit in dollars can only be set aside.
    abroad = StatementLine.objects.get(currency="USD")
    row = page.locator(f"#line-{abroad.pk}")
    assert row.locator("button", has_text="Give to this donor").count() == 0
    row.locator("input[name=reason]").fill("Paid in dollars: returned to the sender")
    row.locator("button", has_text="Ignore").click()
    page.wait_for_url("**/funding/bank/queue/")
    assert "Nothing to resolve" in page.inner_text("#bank-queue")
