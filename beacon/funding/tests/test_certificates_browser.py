"""The certificates' year page in a real browser: a finance user issues the certificates of a
closed year with the button, sees the run and the list, opens a certificate. Screenshots in
test-artifacts/ (certificates-year.png, certificate.png) to look at."""

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from beacon.funding.models import CertificateRun, RunStatus, TaxCertificate
from beacon.funding.tests.test_certificates import CLOSED, donor, gift


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_issues_a_year_and_opens_a_certificate(live_server, cast, page):  # noqa: F811
    for n, last_name in enumerate(["Peeters", "Janssens", "Maes"]):
        gift(donor(n, last_name=last_name), "45.00")
    gift(donor(9, last_name="Under"), "39.99")
    log_in(page, live_server.url, cast["finance"])
    page.goto(f"{live_server.url}/funding/certificates/?year={CLOSED}")
    assert "is over" in page.content()
    page.click(f"text=Issue the certificates of {CLOSED}")
    page.wait_for_selector("text=2025/000003")
    run = CertificateRun.objects.get()
    assert run.status == RunStatus.DONE and run.issued == 3 and not run.draft
    assert "Under" not in page.locator("table.list").last.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "certificates-year.png"), full_page=True)
    page.click("text=2025/000001")
    first = TaxCertificate.objects.get(number=1)
    page.wait_for_url(f"{live_server.url}/funding/certificates/{first.pk}/")
    assert first.last_name in page.content() and "45.00" in page.content()
    page.screenshot(path=str(ARTIFACTS / "certificate.png"), full_page=True)
    assert page.outside_requests == []
