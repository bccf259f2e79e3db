"""The certificates' staff pages, API and command: who gets 403 (audited, nothing changed), the
year page with its runs, issuing from the button (draft or final, and why), the detail page with
the chain and the masked number, the PDF and the declaration downloads, the API's answers
(201, 409, 422), the command; query counts of the list page."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.funding import certificates
from beacon.funding.models import CertificateRun, RunStatus, TaxCertificate
from beacon.funding.tests.test_certificates import CLOSED, donor, gift, national_number

pytestmark = pytest.mark.django_db

API = "/api/v1/funding/certificates"


@pytest.fixture
def api(client, cast):
    """A client whose requests carry the bearer token of a role's user (as API callers do)."""

    class Api:
        def __init__(self, role: str):
            _token, secret = token_create(actor=None, user=cast[role], name="tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

        def get(self, url, data=None):
            return client.get(url, data, **self.headers)

        def post(self, url, body):
            return client.post(
                url, json.dumps(body), content_type="application/json", **self.headers
            )

    return Api


@pytest.fixture
def issued(cast):
    """A closed year with two certificates, one of them corrected."""
    first, second = donor(1, last_name="Peeters"), donor(2, last_name="Janssens")
    gift(first, "50.00")
    gift(second, "75.00")
    certificates.issue_certificates(actor=cast["finance"], year=CLOSED)
    gift(first, "10.00")
    certificates.issue_certificates(actor=cast["finance"], year=CLOSED)
    return TaxCertificate.objects.select_related("corrects").get(corrects__isnull=False)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("role", ["volunteer_coordinator", "case_manager", "analyst", "nobody"])
def test_pages_and_api_refuse_other_roles_and_audit_it(client, api, cast, issued, role):
    user = cast[role]
    as_user = api(role)
    client.force_login(user)
    before = TaxCertificate.objects.count()
    pages = [
        reverse("funding:certificates") + f"?year={CLOSED}",
        reverse("funding:certificate", args=[issued.pk]),
        reverse("funding:certificate_pdf", args=[issued.pk]),
        reverse("funding:certificates_declaration") + f"?year={CLOSED}",
    ]
    endpoints = [
        f"{API}?year={CLOSED}",
        f"{API}/runs",
        f"{API}/{issued.pk}",
        f"{API}/{issued.pk}/pdf",
        f"{API}/declaration?year={CLOSED}",
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url in endpoints:
        assert as_user.get(url).status_code == 403, url
    for url in (reverse("funding:certificates_issue"), reverse("funding:certificates_send")):
        assert client.post(url, {"year": CLOSED}).status_code == 403, url
    assert as_user.post(f"{API}/runs", {"year": CLOSED}).status_code == 403
    denied = AuditRecord.objects.filter(actor=user, action="denied").count()
    assert denied == len(pages) + len(endpoints) + 3
    assert TaxCertificate.objects.count() == before
    assert not AuditRecord.objects.filter(actor=user, action="view").exists()


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_the_year_page_lists_runs_and_certificates(client, cast, issued, role):
    client.force_login(cast[role])
    answer = client.get(reverse("funding:certificates"), {"year": CLOSED})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "2025/000001" in page and "2025/000003" in page and "Peeters" in page
    assert "is over" in page and reverse("funding:certificates_declaration") in page
    found = client.get(reverse("funding:certificates"), {"year": CLOSED, "q": "janss"})
    assert "Janssens" in found.content.decode() and "Peeters" not in found.content.decode()


def test_the_list_page_takes_a_constant_number_of_queries(client, cast, issued):
    client.force_login(cast["finance"])
    url = reverse("funding:certificates")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": CLOSED})
    for n in range(10, 20):
        gift(donor(n), "40.00")
    certificates.issue_certificates(actor=cast["finance"], year=CLOSED)
    with CaptureQueriesContext(connection) as more:
        client.get(url, {"year": CLOSED})
    assert len(more) == len(few)


def test_the_button_issues_a_draft_of_the_open_year_and_says_why(client, cast):
    year = timezone.localdate().year
    gift(donor(1), "40.00", timezone.localdate())
    client.force_login(cast["finance"])
    page = client.get(reverse("funding:certificates"), {"year": year}).content.decode()
    assert "not over" in page and "Issue a draft" in page
    answer = client.post(reverse("funding:certificates_issue"), {"year": year}, follow=True)
    assert answer.status_code == 200
    run = CertificateRun.objects.get()
    assert run.draft and run.status == RunStatus.DONE and run.issued == 1
    assert "Draft run" in answer.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_button_issues_outside_the_request_transaction_and_tells_a_busy_year(client, cast):
    gift(donor(1), "40.00")
    client.force_login(cast["finance"])
    answer = client.post(reverse("funding:certificates_issue"), {"year": CLOSED}, follow=True)
    assert "1 issued" in answer.content.decode()
    CertificateRun.objects.create(year=CLOSED, started_by=cast["administrator"])
    busy = client.post(reverse("funding:certificates_issue"), {"year": CLOSED}, follow=True)
    assert "being issued by alice" in busy.content.decode()
    assert CertificateRun.objects.filter(status=RunStatus.DONE).count() == 1


def test_the_certificate_page_shows_the_snapshot_masked_and_the_chain(client, cast, issued):
    client.force_login(cast["finance"])
    page = client.get(reverse("funding:certificate", args=[issued.pk])).content.decode()
    assert issued.reference in page and issued.corrects.reference in page
    assert "Peeters" in page and "60.00" in page and "50.00" in page
    digits = national_number(1)
    assert digits not in page and f".{digits[-2:]}" in page
    assert AuditRecord.objects.filter(
        actor=cast["finance"], action="view", object_id=str(issued.pk)
    ).exists()


def test_the_pdf_and_the_declaration_download(client, cast, issued, tmp_path):
    pytest.importorskip("beacon.funding.certificate_pdf")
    pytest.importorskip("beacon.funding.declaration")
    client.force_login(cast["finance"])
    answer = client.get(reverse("funding:certificate_pdf", args=[issued.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(answer.content, tmp_path).split())
    assert "Peeters" in text and "000003" in text
    declared = client.get(reverse("funding:certificates_declaration"), {"year": CLOSED})
    assert declared.status_code == 200
    assert f"281.71-{CLOSED}" in declared["Content-Disposition"]
    lines = [json.loads(line) for line in declared.content.decode().splitlines() if line]
    assert len(lines) == 3  # two originals and the corrective
    assert AuditRecord.objects.filter(actor=cast["finance"], action="export").count() == 2


def test_the_declaration_of_an_open_year_is_refused(client, cast):
    client.force_login(cast["finance"])
    year = timezone.localdate().year
    answer = client.get(reverse("funding:certificates_declaration"), {"year": year}, follow=True)
    assert "not over" in answer.content.decode()


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_api_issues_lists_and_refuses(api, cast):
    gift(donor(1), "40.00")
    gift(donor(2), "39.99")
    client = api("finance")
    answer = client.post(f"{API}/runs", {"year": CLOSED})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["draft"], body["issued"], body["started_by"]) == (
        "done",
        False,
        1,
        "fiona",
    )
    again = client.post(f"{API}/runs", {"year": CLOSED})
    assert again.json()["unchanged"] == 1 and again.json()["issued"] == 0
    open_year = timezone.localdate().year
    refused = client.post(f"{API}/runs", {"year": open_year, "draft": False})
    assert refused.status_code == 422
    assert "not over" in json.dumps(refused.json())
    CertificateRun.objects.create(year=CLOSED, started_by=cast["administrator"])
    busy = client.post(f"{API}/runs", {"year": CLOSED})
    assert busy.status_code == 409 and "alice" in busy.json()["detail"]
    runs = client.get(f"{API}/runs").json()
    assert [r["status"] for r in runs] == ["running", "done", "done"]


def test_api_reads_certificates(api, issued, tmp_path):
    client = api("finance")
    page = client.get(API, {"year": CLOSED}).json()
    assert page["count"] == 3
    assert [c["reference"] for c in page["items"]] == ["2025/000001", "2025/000002", "2025/000003"]
    one = client.get(f"{API}/{issued.pk}").json()
    assert one["kind"] == "corrective" and one["corrects"] == "2025/000001"
    assert one["amount"] == "60.00" and one["national_number_masked"].startswith("••")
    replaced = client.get(f"{API}/{issued.corrects_id}").json()
    assert replaced["corrected_by"] == issued.reference
    assert client.get(f"{API}/999999").status_code == 404
    pytest.importorskip("beacon.funding.certificate_pdf")
    pdf = client.get(f"{API}/{issued.pk}/pdf")
    assert pdf.status_code == 200 and "Peeters" in pdf_text(pdf.content, tmp_path)
    declared = client.get(f"{API}/declaration", {"year": CLOSED})
    assert declared.status_code == 200 and declared.content.count(b"\n") == 3
    assert client.get(f"{API}/declaration", {"year": timezone.localdate().year}).status_code == 422


# --- command ------------------------------------------------------------------------------------


def test_the_command_issues_sends_and_declares(cast, tmp_path, private_storage, capsys):
    gift(donor(1), "40.00")
    call_command("funding_certificates", "issue", "--year", str(CLOSED), "--user", "fiona")
    assert "1 issued" in capsys.readouterr().out
    call_command("funding_certificates", "issue", "--year", str(CLOSED), "--user", "fiona")
    assert "1 unchanged" in capsys.readouterr().out
    call_command("funding_certificates", "send", "--year", str(CLOSED), "--user", "fiona")
    assert "1 certificates queued" in capsys.readouterr().out
    output = tmp_path / "declaration.jsonl"
    call_command(
        "funding_certificates",
        "declaration",
        "--year",
        str(CLOSED),
        "--output",
        str(output),
        "--user",
        "fiona",
    )
    assert len(output.read_bytes().splitlines()) == 1
    with pytest.raises(CommandError, match="may not"):
        call_command("funding_certificates", "issue", "--year", str(CLOSED), "--user", "victor")
    year = timezone.localdate().year
    with pytest.raises(CommandError, match="not over"):
        call_command(
            "funding_certificates",
            "declaration",
            "--year",
            str(year),
            "--output",
            str(output),
            "--user",
            "fiona",
        )
    call_command("funding_certificates", "issue", "--year", str(year), "--draft", "--user", "fiona")
    assert "Draft" in capsys.readouterr().out
