"""Fan-outs through the outbox: many messages written at once, delivered in chunks over one SMTP
connection, cancelled before sending; against real receivers on 127.0.0.1."""

import email
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from beacon.core.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from beacon.core.outbox import outbox_cancel, outbox_deliver_many, outbox_enqueue_many
from beacon.core.tests.outbox_receivers import HttpReceiver, SmtpReceiver

KEY = "test-signing-key-not-secret"


@pytest.fixture
def fast_outbox(settings):
    settings.OUTBOX_SIGNING_KEY = KEY
    settings.OUTBOX_TIMEOUT_SECONDS = 1.0
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.DEFAULT_FROM_EMAIL = "beacon@example.org"
    # One sender per chunk unless a test asks for more: the receivers' scripts then meet the
    # messages in order.
    settings.OUTBOX_SENDERS = 1
    return settings


def run_tasks() -> None:
    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )


def emails(count: int, **extra) -> list[dict]:
    return [
        {
            "channel": "email",
            "destination": f"follower{i}@example.org",
            "subject": f"Notice {i}",
            "body": f"Body {i}",
            "reference": "FANOUT/followers/publish",
            **extra,
        }
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_is_written_in_bulk_and_delivered_once_each(fast_outbox):
    fast_outbox.OUTBOX_SENDERS = 4  # threads on PostgreSQL; one on the in-memory SQLite
    with SmtpReceiver([]) as smtp:
        fast_outbox.EMAIL_PORT = smtp.port
        messages = outbox_enqueue_many(emails(250), chunk=100, priority=5)
        assert len({m.idempotency_key for m in messages}) == 250
        tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
        assert [len(t.args_kwargs["args"][0]) for t in tasks] == [100, 100, 50]
        assert {t.priority for t in tasks} == {5}
        run_tasks()
    assert sorted(r["to"][0] for r in smtp.received) == sorted(
        m["destination"] for m in emails(250)
    )
    assert set(smtp.accepted.values()) == {1}
    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 250
    assert DeliveryAttempt.objects.filter(ok=True, finished_at__isnull=False).count() == 250


@pytest.mark.django_db(transaction=True)
def test_a_refusal_in_a_chunk_retries_that_message_only(fast_outbox):
    with SmtpReceiver(["ok", "error", "ok"]) as smtp:
        fast_outbox.EMAIL_PORT = smtp.port
        first, refused, third = outbox_enqueue_many(emails(3))
        result = outbox_deliver_many(message_ids=[first.pk, refused.pk, third.pk])
        assert result == "2 delivered, 1 retrying"
        refused.refresh_from_db()
        assert refused.status == OutboxStatus.PENDING and "451" in refused.last_error
        run_tasks()  # the retry was enqueued
        refused.refresh_from_db()
    assert refused.status == OutboxStatus.DELIVERED
    assert [r["subject"] for r in smtp.received] == ["Notice 0", "Notice 1", "Notice 2", "Notice 1"]


@pytest.mark.django_db(transaction=True)
def test_cancelled_messages_are_never_sent(fast_outbox):
    with SmtpReceiver([]) as smtp:
        fast_outbox.EMAIL_PORT = smtp.port
        messages = outbox_enqueue_many(emails(4))
        cancelled = outbox_cancel(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages[1:]]))
        assert cancelled == 3
        run_tasks()
    assert [r["subject"] for r in smtp.received] == ["Notice 0"]
    assert OutboxMessage.objects.filter(status=OutboxStatus.CANCELLED).count() == 3
    # A cancelled message stays cancelled: delivering it again sends nothing.
    assert outbox_deliver_many(message_ids=[m.pk for m in messages]) == "none due"


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_during_a_chunk_stops_the_rest(fast_outbox):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database refuses concurrent writers")
    # One sender (the fixture's): the check before each send is what is tested (with N
    # senders, up to N messages of a chunk are on the wire at once, and those are sent).
    messages: list[OutboxMessage] = []

    def cancel_the_rest(record: dict) -> None:
        # The receiver of the first message cancels the others (another connection, as a
        # withdrawal committed by a case manager while the chunk is going out would).
        if len(messages) and record["reference"]:

            def cancel() -> None:
                try:
                    outbox_cancel(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages[1:]]))
                finally:
                    connection.close()

            thread = threading.Thread(target=cancel)
            thread.start()
            thread.join()

    with HttpReceiver([], signing_key=KEY.encode(), on_receive=cancel_the_rest) as hook:
        messages.extend(
            outbox_enqueue_many(
                [
                    {
                        "channel": "http",
                        "destination": hook.url,
                        "payload": {"n": i},
                        "reference": "R",
                    }
                    for i in range(3)
                ]
            )
        )
        result = outbox_deliver_many(message_ids=[m.pk for m in messages])
    assert len(hook.received) == 1
    assert result == "1 delivered, 2 not sent (cancelled or claim lost)"
    assert OutboxMessage.objects.filter(status=OutboxStatus.CANCELLED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_email_carries_its_attachment_from_storage(fast_outbox, private_storage):
    stored = default_storage.save("published/X/vignette.pdf", ContentFile(b"%PDF-1.7 synthetic"))
    attachment = {"name": stored, "filename": "vignette.pdf", "content_type": "application/pdf"}
    with SmtpReceiver([]) as smtp:
        fast_outbox.EMAIL_PORT = smtp.port
        sent_ok, missing = outbox_enqueue_many(
            emails(1, payload={"attachments": [attachment]})
            + emails(1, payload={"attachments": [{**attachment, "name": "published/gone.pdf"}]})
        )
        outbox_deliver_many(message_ids=[sent_ok.pk, missing.pk])
        received = smtp.received
    assert [r["attachments"] for r in received] == [["vignette.pdf"]]
    missing.refresh_from_db()
    assert (
        missing.status == OutboxStatus.PENDING and "attachment not readable" in missing.last_error
    )


def test_attachment_reaches_the_mail_server_intact(fast_outbox, private_storage, db):
    from beacon.core.outbox import _email

    stored = default_storage.save("published/X/poster.pdf", ContentFile(b"%PDF-1.7 synthetic"))
    [message] = outbox_enqueue_many(
        emails(
            1,
            payload={
                "attachments": [
                    {"name": stored, "filename": "poster.pdf", "content_type": "application/pdf"}
                ]
            },
        )
    )
    parsed = email.message_from_bytes(_email(message, connection=None).message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_filename() == "poster.pdf"]
    assert parts and parts[0].get_payload(decode=True) == b"%PDF-1.7 synthetic"
