"""Outbox delivery against real receivers on 127.0.0.1 that misbehave on purpose.

Retries are made immediate (no back-off) so a test can run attempt after attempt; the back-off
itself is tested on its own, against the attempt's recorded finishing time.
"""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from beacon.core.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from beacon.core.outbox import (
    INTERRUPTED,
    deliver_due,
    outbox_deliver,
    outbox_enqueue,
    retry_delay,
    sign,
)
from beacon.core.tests.outbox_receivers import HttpReceiver, SmtpReceiver, free_port

KEY = "test-signing-key-not-secret"
TIMEOUT = 1.0
STALL = 2.5  # well past the client's timeout, even on a slow machine


@pytest.fixture
def fast_outbox(settings):
    settings.OUTBOX_SIGNING_KEY = KEY
    settings.OUTBOX_TIMEOUT_SECONDS = TIMEOUT
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 10
    settings.DEFAULT_FROM_EMAIL = "beacon@example.org"
    return settings


def run_worker() -> None:
    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )


def attempts_of(message: OutboxMessage) -> list[tuple]:
    return list(
        message.deliveries.order_by("started_at", "id").values_list("ok", "status_code", "error")
    )


def enqueue_notice(destination: str, channel: str = "http") -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            channel=channel,
            destination=destination,
            subject="Notice N-2026-0001",
            body="A notice about https://www.example.org/item/1",
            payload={"reference": "N-2026-0001", "urls": ["https://www.example.org/item/1"]},
            reference="N-2026-0001",
        )


@pytest.mark.django_db(transaction=True)
def test_http_notice_survives_500_timeout_and_closed_connection_and_is_accepted_once(
    fast_outbox,
):
    with HttpReceiver(
        ["error", "slow", "close", "ok"], signing_key=KEY.encode(), stall_seconds=STALL
    ) as receiver:
        message = enqueue_notice(receiver.url)
        assert DBTaskResult.objects.get().task_path == "beacon.core.tasks.deliver_message"

        run_worker()  # the real task worker: each failure enqueues the next attempt

        message.refresh_from_db()
        assert message.status == OutboxStatus.DELIVERED
        assert message.attempts == 4
        assert message.last_error == ""
        assert message.claimed_until is None
        assert attempts_of(message) == [
            (False, 500, "HTTP 500 Internal Server Error"),
            (False, None, f"timed out after {TIMEOUT:g} s without an answer"),
            (False, None, "connection closed by the receiver without an answer"),
            (True, 200, ""),
        ]
        assert all(a.finished_at is not None for a in message.deliveries.all())
        # Every retry carried the same key; the receiver accepted the message once (during the
        # stalled attempt) and dropped the later repeat.
        assert [r["key"] for r in receiver.received] == [message.idempotency_key] * 4
        assert [r["behaviour"] for r in receiver.received] == ["error", "slow", "close", "ok"]
        assert receiver.accepted == {message.idempotency_key: 1}
        assert all(r["signature_ok"] for r in receiver.received)
        assert {r["reference"] for r in receiver.received} == {"N-2026-0001"}
        assert {r["content_type"] for r in receiver.received} == {"application/json"}
        assert receiver.received[0]["path"] == "/notices?src=beacon"
        assert receiver.received[0]["body"] == (
            b'{"reference":"N-2026-0001","urls":["https://www.example.org/item/1"]}'
        )
        assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}

        # Delivered is final: neither the periodic job nor a stray task sends it again.
        assert deliver_due() == "none due"
        assert outbox_deliver(message_id=message.pk) == "not due"
        assert len(receiver.received) == 4


def test_signature_is_hmac_sha256_of_timestamp_and_body_with_the_configured_key(fast_outbox):
    import hashlib
    import hmac

    body = b'{"a":1}'
    expected = hmac.new(KEY.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(body, "1700000000") == f"sha256={expected}"
    assert sign(body, "1700000001") != f"sha256={expected}"  # the timestamp is signed too
    fast_outbox.OUTBOX_SIGNING_KEY = "another-key"
    assert sign(body, "1700000000") != f"sha256={expected}"


def test_default_signing_key_is_derived_from_the_secret_key(settings):
    from beacon.core.outbox import signing_key

    settings.OUTBOX_SIGNING_KEY = ""
    settings.SECRET_KEY = "one-secret-key-for-this-test-only-000000000000000000"
    first = signing_key()
    assert len(first) == 64 and first != settings.SECRET_KEY.encode()
    assert signing_key() == first  # stable
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0000000000000000"
    assert signing_key() != first


@pytest.mark.django_db(transaction=True)
def test_email_notice_survives_451_timeout_and_closed_connection_and_is_accepted_once(
    fast_outbox,
):
    with SmtpReceiver(["error", "slow", "close", "ok"], stall_seconds=STALL) as receiver:
        fast_outbox.EMAIL_HOST = "127.0.0.1"
        fast_outbox.EMAIL_PORT = receiver.port
        message = enqueue_notice("police-notices@example.org", channel="email")

        run_worker()

        message.refresh_from_db()
        assert message.status == OutboxStatus.DELIVERED
        assert attempts_of(message) == [
            (False, 451, "SMTP 451 4.3.0 try again later"),
            (False, None, f"timed out after {TIMEOUT:g} s without an answer"),
            (False, None, "connection closed by the receiver without an answer"),
            (True, None, ""),
        ]
        message_id = f"<{message.idempotency_key}@example.org>"
        assert [r["key"] for r in receiver.received] == [message_id] * 4
        assert receiver.accepted == {message_id: 1}
        assert {r["reference"] for r in receiver.received} == {"N-2026-0001"}
        assert {r["idempotency_key"] for r in receiver.received} == {message.idempotency_key}
        assert receiver.received[-1]["to"] == ["police-notices@example.org"]
        assert receiver.received[-1]["subject"] == "Notice N-2026-0001"
        assert "https://www.example.org/item/1" in receiver.received[-1]["body"]
        assert deliver_due() == "none due"
        assert len(receiver.received) == 4


@pytest.mark.django_db
def test_refused_connection_is_a_recorded_failure_retried_after_the_back_off(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_JITTER = 0.1
    settings.OUTBOX_TIMEOUT_SECONDS = TIMEOUT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    webhook = outbox_enqueue(channel="http", destination=f"http://127.0.0.1:{free_port()}/")
    mail = outbox_enqueue(channel="email", destination="hotline@example.org")

    assert deliver_due() == "2 retrying"

    for message in (webhook, mail):
        message.refresh_from_db()
        attempt = message.deliveries.get()
        assert (attempt.ok, attempt.error) == (False, "connection refused")
        assert message.status == OutboxStatus.PENDING
        assert message.last_error == "connection refused"
        assert message.claimed_until is None
        wait = message.next_attempt_at - attempt.finished_at
        assert timedelta(seconds=60) <= wait <= timedelta(seconds=66)
    # Not due yet: the next tick leaves them alone.
    assert deliver_due() == "none due"
    assert DeliveryAttempt.objects.count() == 2


def test_back_off_doubles_is_capped_and_jitters_a_little(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    settings.OUTBOX_RETRY_JITTER = 0.1
    for failures, base in [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (20, 3600)]:
        delays = {retry_delay(failures) for _ in range(50)}
        assert all(timedelta(seconds=base) <= d <= timedelta(seconds=base * 1.1) for d in delays)
        assert len(delays) > 1  # jittered


@pytest.mark.django_db
def test_bad_destinations_fail_cleanly(fast_outbox):
    bad = outbox_enqueue(channel="http", destination="ftp://files.example.org/notice")
    deliver_due()
    bad.refresh_from_db()
    assert bad.last_error == "not an http(s) URL: ftp://files.example.org/notice"
    assert bad.deliveries.get().ok is False

    with pytest.raises(ValueError, match="unknown outbox channel"):
        outbox_enqueue(channel="fax", destination="+32 2 000 00 00")


@pytest.mark.django_db
def test_refused_recipient_is_a_failure_with_the_servers_code(fast_outbox):
    with SmtpReceiver([], refuse_recipients=True) as receiver:
        fast_outbox.EMAIL_PORT = receiver.port
        message = outbox_enqueue(channel="email", destination="nobody@example.org")
        deliver_due()
    message.refresh_from_db()
    assert attempts_of(message) == [
        (False, 550, "recipient refused: SMTP 550 5.1.1 no such mailbox here")
    ]
    assert receiver.received == []


@pytest.mark.django_db
def test_after_max_attempts_the_message_is_failed_and_no_longer_sent(fast_outbox):
    fast_outbox.OUTBOX_MAX_ATTEMPTS = 3
    with HttpReceiver(["error"] * 10, signing_key=KEY.encode()) as receiver:
        message = outbox_enqueue(channel="http", destination=receiver.url)
        assert deliver_due() == "1 retrying"
        assert deliver_due() == "1 retrying"
        assert deliver_due() == "1 failed"
        assert deliver_due() == "none due"
        assert outbox_deliver(message_id=message.pk) == "not due"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert message.last_error == "HTTP 500 Internal Server Error"
    assert message.claimed_until is None
    assert len(receiver.received) == 3
    assert message.deliveries.count() == 3


@pytest.mark.django_db(transaction=True)
def test_deliver_due_alone_recovers_lost_tasks_and_stale_tasks_send_nothing(fast_outbox):
    with HttpReceiver([], signing_key=KEY.encode()) as receiver:
        messages = [enqueue_notice(receiver.url) for _ in range(3)]
        # A queue lost with the worker (a Redis flushed, a task row removed by hand).
        DBTaskResult.objects.filter(args_kwargs__args=[messages[0].pk]).delete()

        assert deliver_due() == "3 delivered"
        run_worker()  # the two remaining tasks run late: their messages are done

    returned = sorted(DBTaskResult.objects.values_list("status", "return_value"))
    assert returned == [("SUCCESSFUL", "not due")] * 2
    assert sorted(r["key"] for r in receiver.received) == sorted(
        m.idempotency_key for m in messages
    )
    assert receiver.accepted == {m.idempotency_key: 1 for m in messages}


@pytest.mark.django_db
def test_a_dead_workers_claim_runs_out_and_deliver_due_sends_it_once_with_the_same_key(
    fast_outbox,
):
    with HttpReceiver([], signing_key=KEY.encode()) as receiver:
        message = outbox_enqueue(channel="http", destination=receiver.url)
        # What a worker that died mid-send leaves behind: a claim and an attempt never finished.
        now = timezone.now()
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=1, claimed_until=now + timedelta(minutes=5)
        )
        dead = DeliveryAttempt.objects.create(message=message, started_at=now)

        # While the claim holds, nobody else sends it.
        assert deliver_due() == "none due"
        assert receiver.received == []

        OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=now - timedelta(seconds=1))
        assert deliver_due() == "1 delivered"
        assert deliver_due() == "none due"

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 2)
    assert [r["key"] for r in receiver.received] == [message.idempotency_key]
    dead.refresh_from_db()
    assert (dead.ok, dead.error) == (False, INTERRUPTED)
    assert message.deliveries.filter(ok=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_deliverer_that_lost_its_claim_does_not_overwrite_the_new_holders_outcome(
    fast_outbox,
):
    later = timezone.now() + timedelta(hours=1)

    def another_deliverer_claims_meanwhile(record) -> None:
        # Runs in the receiver's thread while Beacon waits for the answer: the first claim has
        # run out and a second deliverer has claimed the message (a new claimed_until).
        try:
            OutboxMessage.objects.filter(idempotency_key=record["key"]).update(
                claimed_until=later, attempts=2
            )
        finally:
            connection.close()

    with HttpReceiver(
        [], signing_key=KEY.encode(), on_receive=another_deliverer_claims_meanwhile
    ) as receiver:
        message = enqueue_notice(receiver.url)
        assert outbox_deliver(message_id=message.pk) == "lost claim"

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING  # the new holder records its own outcome
    assert (message.claimed_until, message.attempts) == (later, 2)
    assert message.deliveries.get().ok is True  # the proof of sending is kept


@pytest.mark.django_db
def test_enqueue_in_a_rolled_back_transaction_leaves_no_message_and_no_task():
    class Decided(Exception):
        pass

    with pytest.raises(Decided), transaction.atomic():
        outbox_enqueue(channel="http", destination="https://hotline.example.org/notices")
        assert DBTaskResult.objects.count() == 1
        raise Decided

    assert OutboxMessage.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

    kept = outbox_enqueue(channel="http", destination="https://hotline.example.org/notices")
    task = DBTaskResult.objects.get()
    assert task.task_path == "beacon.core.tasks.deliver_message"
    assert task.args_kwargs == {"args": [kept.pk], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_racing_deliverers_send_a_message_once(fast_outbox):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database refuses concurrent writers ('table is locked')"
        )
    racers = 6
    with HttpReceiver([], signing_key=KEY.encode()) as receiver:
        message = outbox_enqueue(channel="http", destination=receiver.url)
        start = threading.Barrier(racers)
        results: list[str] = []

        def race() -> None:
            try:
                start.wait()
                results.append(outbox_deliver(message_id=message.pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=race) for _ in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(results) == ["delivered"] + ["not due"] * (racers - 1)
    assert len(receiver.received) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 1)
    assert DeliveryAttempt.objects.filter(message=message).count() == 1
