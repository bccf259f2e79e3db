"""The outbox's operations page and the re-send by hand (outbox_resend)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from beacon.core.models import AuditRecord, DeliveryAttempt, OutboxMessage, OutboxStatus
from beacon.core.outbox import deliver_due, outbox_enqueue, outbox_resend
from beacon.core.tests.outbox_receivers import HttpReceiver
from conftest import PASSWORD

KEY = "test-signing-key-not-secret"
PAGE = reverse("core:outbox")


@pytest.fixture
def quick_retries(settings):
    settings.OUTBOX_SIGNING_KEY = KEY
    settings.OUTBOX_TIMEOUT_SECONDS = 2.0
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 2
    return settings


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def snapshot(message: OutboxMessage) -> tuple:
    message.refresh_from_db()
    return (
        message.status,
        message.attempts,
        message.next_attempt_at,
        message.last_error,
        message.deliveries.count(),
        DBTaskResult.objects.count(),
        AuditRecord.objects.filter(object_type="core.outboxmessage").count(),
    )


@pytest.fixture
def failed_notice(db, quick_retries):
    """A notice whose receiver answered 500 to every attempt: failed after OUTBOX_MAX_ATTEMPTS."""
    with HttpReceiver(["error", "error"], signing_key=KEY.encode()) as receiver:
        message = outbox_enqueue(
            channel="http",
            destination=receiver.url,
            payload={"reference": "N-2026-0042"},
            reference="N-2026-0042",
        )
        assert deliver_due() == "1 retrying"
        assert deliver_due() == "1 failed"
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    return message, receiver


def test_failed_message_shows_on_the_operations_page_with_its_attempts(cast, failed_notice):
    message, _receiver = failed_notice
    delivered = outbox_enqueue(channel="http", destination="https://hotline.example.org/in")
    OutboxMessage.objects.filter(pk=delivered.pk).update(
        status=OutboxStatus.DELIVERED, reference="N-2026-0001"
    )

    response = client_for(cast["administrator"]).get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "N-2026-0042" in page
    assert page.count("HTTP 500 Internal Server Error") == 3  # last error + both attempts
    assert "N-2026-0001" not in page  # delivered: nothing to do
    assert reverse("core:outbox_resend", args=[message.pk]) in page
    assert [row.pk for row in response.context["rows"]] == [message.pk]
    assert [a.status_code for a in response.context["rows"][0].deliveries.all()] == [500, 500]


def test_filter_by_status_separates_retrying_from_failed(cast, failed_notice, quick_retries):
    failed, _ = failed_notice
    quick_retries.OUTBOX_RETRY_BASE_SECONDS = 600
    quick_retries.EMAIL_PORT = 9  # discard port: nothing listens
    retrying = outbox_enqueue(channel="email", destination="hotline@example.org")
    assert deliver_due() == "1 retrying"
    waiting = outbox_enqueue(channel="email", destination="other@example.org")  # never tried
    client = client_for(cast["administrator"])

    def shown(status: str) -> set[int]:
        return {row.pk for row in client.get(PAGE, {"status": status}).context["rows"]}

    assert shown("") == {failed.pk, retrying.pk}
    assert shown("retrying") == {retrying.pk}
    assert shown("failed") == {failed.pk}
    assert shown("bogus") == {failed.pk, retrying.pk}
    assert waiting.pk not in shown("")
    # A retrying message has no re-send button: Beacon is still on it.
    page = client.get(PAGE, {"status": "retrying"}).content.decode()
    assert reverse("core:outbox_resend", args=[retrying.pk]) not in page
    assert "connection refused" in page


def test_page_queries_do_not_grow_with_the_messages(cast, failed_notice):
    client = client_for(cast["administrator"])
    client.get(PAGE)  # warm this client's session
    with CaptureQueriesContext(connection) as one_message:
        client.get(PAGE)
    for n in range(3):
        extra = outbox_enqueue(channel="http", destination=f"http://127.0.0.1:9/{n}")
        OutboxMessage.objects.filter(pk=extra.pk).update(status=OutboxStatus.FAILED)
        DeliveryAttempt.objects.create(message=extra, error="connection refused")
    with CaptureQueriesContext(connection) as four_messages:
        assert len(client.get(PAGE).context["rows"]) == 4
    assert len(four_messages) == len(one_message)


@pytest.mark.parametrize("role", ["analyst", "nobody", "case_manager"])
def test_only_administrators_see_the_page(cast, role):
    assert client_for(cast[role]).get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the login page


def test_administrator_resends_a_failed_message_audited_and_it_is_delivered(cast, failed_notice):
    message, _ = failed_notice
    tasks_before = DBTaskResult.objects.count()
    admin = cast["administrator"]

    response = client_for(admin).post(reverse("core:outbox_resend", args=[message.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?status=failed"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 0, "")
    record = AuditRecord.objects.get(object_type="core.outboxmessage", object_id=str(message.pk))
    assert (record.actor, record.action) == (admin, "update")
    assert record.fields == ["attempts", "next_attempt_at", "status"]
    task = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == tasks_before + 1
    assert task.task_path == "beacon.core.tasks.deliver_message"
    assert task.args_kwargs["args"] == [message.pk]

    # The receiver is back: the new round delivers it, with the same idempotency key.
    with HttpReceiver([], signing_key=KEY.encode()) as receiver:
        OutboxMessage.objects.filter(pk=message.pk).update(destination=receiver.url)
        assert deliver_due() == "1 delivered"
    assert [r["key"] for r in receiver.received] == [message.idempotency_key]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 1)
    attempts = list(message.deliveries.order_by("started_at", "id"))
    assert [(a.ok, a.manual) for a in attempts] == [(False, False), (False, False), (True, True)]


@pytest.mark.parametrize("role", ["analyst", "nobody"])
def test_resend_by_someone_else_is_403_and_changes_nothing(cast, failed_notice, role):
    message, _ = failed_notice
    before = snapshot(message)

    response = client_for(cast[role]).post(reverse("core:outbox_resend", args=[message.pk]))

    assert response.status_code == 403
    assert snapshot(message) == before
    with pytest.raises(PermissionDenied):
        outbox_resend(actor=cast[role], message_id=message.pk)
    assert snapshot(message) == before


def test_resend_of_a_delivered_or_retrying_message_is_refused(cast, quick_retries):
    admin = cast["administrator"]
    delivered = outbox_enqueue(channel="http", destination="https://hotline.example.org/in")
    OutboxMessage.objects.filter(pk=delivered.pk).update(status=OutboxStatus.DELIVERED)
    pending = outbox_enqueue(channel="http", destination="https://hotline.example.org/in")
    client = client_for(admin)

    for message in (delivered, pending):
        before = snapshot(message)
        response = client.post(reverse("core:outbox_resend", args=[message.pk]), follow=True)
        assert response.status_code == 200
        assert "Only a message whose delivery failed can be re-sent." in response.content.decode()
        assert snapshot(message) == before
        with pytest.raises(ValidationError) as excinfo:
            outbox_resend(actor=admin, message_id=message.pk)
        assert list(excinfo.value.message_dict) == ["status"]
        assert snapshot(message) == before


def test_resend_of_an_unknown_message_is_404_and_a_get_is_not_allowed(cast, failed_notice):
    message, _ = failed_notice
    client = client_for(cast["administrator"])
    assert client.post(reverse("core:outbox_resend", args=[999999])).status_code == 404
    before = snapshot(message)
    assert client.get(reverse("core:outbox_resend", args=[message.pk])).status_code == 405
    assert snapshot(message) == before
