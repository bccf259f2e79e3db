"""Sending the certificates by e-mail, end to end: the tasks render and store each PDF, the
outbox sends it over real SMTP on loopback (SmtpReceiver) in the donor's language, the PDF
attached (read back with pdftotext); drafts, donors without an address and erased donors get
nothing; sending twice sends nothing twice."""

import email
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from beacon.core.models import OutboxMessage
from beacon.core.tests.outbox_receivers import SmtpReceiver
from beacon.funding import certificates
from beacon.funding.models import TaxCertificate
from beacon.funding.tests.test_certificates import CLOSED, donor, gift

pytest.importorskip("beacon.funding.certificate_pdf")


@pytest.fixture
def outbox(settings):
    settings.OUTBOX_TIMEOUT_SECONDS = 2
    settings.OUTBOX_LEASE_SECONDS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.DEFAULT_FROM_EMAIL = "beacon@example.org"
    return settings


def run_tasks() -> None:
    from django_tasks_db.models import DBTaskResult

    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert not failed.exists(), [(t.task_path, t.traceback) for t in failed]


class RawCapture:
    """Keeps every message's raw bytes, then lets the receiver's own handler answer."""

    def __init__(self, handler):
        self.handler = handler
        self.raw: list[bytes] = []

    def __getattr__(self, name):
        return getattr(self.handler, name)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.raw.append(envelope.content)
        return await self.handler.handle_DATA(server, session, envelope)


def pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_certificates_arrive_by_email_with_their_pdf(cast, outbox, private_storage, tmp_path):
    from beacon.funding.donors import donor_erase

    fiona = cast["finance"]
    dutch = donor(1, first_name="Anke", last_name="Verbeke", language="nl")
    french = donor(2, first_name="Lucie", last_name="Dubois", language="fr")
    silent = donor(3, email="")
    erased = donor(4)
    for giver in (dutch, french, silent, erased):
        gift(giver, "120.00")
    certificates.issue_certificates(actor=fiona, year=CLOSED)
    certificates.issue_certificates(actor=fiona, year=CLOSED, draft=True)
    donor_erase(actor=fiona, donor_id=erased.pk, expected_version=erased.version)
    with SmtpReceiver([]) as smtp:
        capture = RawCapture(smtp.controller.handler)
        smtp.controller.handler = capture
        outbox.EMAIL_PORT = smtp.port
        assert certificates.certificates_send(actor=fiona, year=CLOSED) == 2
        run_tasks()
        received = sorted(smtp.received, key=lambda r: r["to"][0])
        assert [r["to"] for r in received] == [["donor1@example.org"], ["donor2@example.org"]]
        by_address = {}
        for raw in capture.raw:
            parsed = email.message_from_bytes(raw)
            by_address[parsed["To"]] = parsed
        for giver, record in zip((dutch, french), received, strict=True):
            issued = TaxCertificate.objects.get(donor=giver, draft=False)
            assert issued.reference in record["subject"]
            assert record["attachments"] == [f"281.71-{CLOSED}-{issued.number:06d}.pdf"]
            parsed = by_address[giver.email]
            [attachment] = [p for p in parsed.walk() if p.get_filename()]
            assert attachment.get_content_type() == "application/pdf"
            text = " ".join(
                pdf_text(attachment.get_payload(decode=True), tmp_path, str(giver.pk)).split()
            )
            assert giver.last_name in text and str(CLOSED) in text
            assert "120" in text
            assert issued.sent_at is not None
        # The message is in the donor's language.
        languages = {m.destination: m for m in OutboxMessage.objects.filter(channel="email")}
        assert set(languages) == {"donor1@example.org", "donor2@example.org"}
        # Sending again sends nothing again; drafts and the donor without address never.
        assert certificates.certificates_send(actor=fiona, year=CLOSED) == 0
        run_tasks()
        assert len(smtp.received) == 2
    assert not TaxCertificate.objects.filter(draft=True, sent_at__isnull=False).exists()
    assert TaxCertificate.objects.get(donor=silent, draft=False).sent_at is None


@pytest.mark.django_db(transaction=True)
def test_a_task_run_twice_enqueues_each_certificate_once(cast, outbox, private_storage):
    fiona = cast["finance"]
    gift(donor(1), "60.00")
    certificates.issue_certificates(actor=fiona, year=CLOSED)
    ids = list(TaxCertificate.objects.values_list("id", flat=True))
    assert certificates.certificates_deliver(certificate_ids=ids) == 1
    assert certificates.certificates_deliver(certificate_ids=ids) == 0
    assert OutboxMessage.objects.count() == 1
    message = OutboxMessage.objects.get()
    [attachment] = message.payload["attachments"]
    assert attachment["content_type"] == "application/pdf"
    assert (private_storage / attachment["name"]).read_bytes().startswith(b"%PDF")
    assert message.reference == f"certificate-{ids[0]}"


def test_a_corrective_message_names_the_certificate_it_replaces(db, cast):
    fiona = cast["finance"]
    giver = donor(1, language="de")
    gift(giver, "60.00")
    certificates.issue_certificates(actor=fiona, year=CLOSED)
    gift(giver, "15.00")
    certificates.issue_certificates(actor=fiona, year=CLOSED)
    corrective = TaxCertificate.objects.select_related("corrects").get(corrects__isnull=False)
    subject, body = certificates._message(corrective)
    assert corrective.reference in subject
    assert corrective.corrects.reference in body and "Dana1 Donor1" in body
