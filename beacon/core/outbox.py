"""The outbox: anything leaving Beacon is a row written in the transaction that decided it.

Writing. `outbox_enqueue` is called by services inside their transaction. It writes the message
and enqueues its delivery task (`beacon.core.tasks.deliver_message`); with the database task
backend the task row is part of the same commit, so a rolled-back decision leaves neither a
message nor a task, and a committed one always has both.

Delivering one message (`outbox_deliver`):
1. claim it with one conditional UPDATE: still pending, due, and not claimed (or its claim ran
   out) -> `claimed_until = now + OUTBOX_LEASE_SECONDS`, `attempts + 1`. Only one deliverer's
   UPDATE matches, so the task worker, `beacon tick` and a second tick can all try at once.
   The claim and a `DeliveryAttempt` row are committed *before* anything is sent.
2. send it (e-mail over SMTP; or an HTTP POST of the JSON payload, signed with HMAC-SHA256);
3. record the outcome with an UPDATE conditioned on that claim (its `claimed_until` value is the
   claim's token): delivered, or back to pending with an exponential back-off, or failed after
   OUTBOX_MAX_ATTEMPTS. A failure of any kind (refused, timed out, closed, 5xx, a bug in a
   transport) is recorded as the attempt's error; it never stops the worker.

What "never sent twice" means, honestly. Beacon never starts a new attempt after one was
recorded as delivered. But a worker can die, or lose its answer, after the receiver accepted
the message and before the outcome is written: a mail server that takes the DATA and then stalls
past the timeout, a web server that processes the POST and then drops the connection. Beacon
cannot tell that from a message that never arrived, so when the claim runs out a later attempt
sends it again, and the receiver gets it twice. Every attempt therefore carries the message's
idempotency key, unchanged: as the e-mail's Message-ID (`<key@sender-domain>`, plus the
`X-Beacon-Reference` and `X-Beacon-Idempotency-Key` headers) and as the HTTP `Idempotency-Key`
header. A receiver that drops a key it has already accepted sees each message exactly once;
one that does not may see a repeat. This is at-least-once delivery with a deduplication key,
the best any sender can do over SMTP or HTTP.

Fan-outs (a search notice to 13,000 followers) use `outbox_enqueue_many`, which writes the rows
in bulk and enqueues one `deliver_messages` task per chunk; `outbox_deliver_many` claims a chunk
with one UPDATE, sends its e-mails over one SMTP connection, and records the outcomes in bulk,
with the same claim rules as one message. `outbox_cancel` cancels messages not yet sent (a
withdrawn search notice): a deliverer re-reads a message's status just before sending it, so a
cancelled message is never sent afterwards; one already on the wire when the cancellation
commits may still arrive, and its receiver gets the withdrawal message after it.

An e-mail's `payload` may list files of the default storage to attach:
`{"attachments": [{"name": <storage name>, "filename": ..., "content_type": ...}]}`; a file gone
from storage by the time of sending fails the attempt (it is retried, then fails for good).

`deliver_due` is the periodic job (`beacon tick`): it delivers every due pending message,
which also recovers everything a stopped worker left behind (lost tasks, expired claims).
A message that failed for good waits for `outbox_resend`, run by hand from the operations page.
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import random
import smtplib
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import models, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import AuditAction, DeliveryAttempt, OutboxMessage, OutboxStatus
from beacon.core.permissions import require

logger = logging.getLogger(__name__)

EMAIL = "email"
HTTP = "http"
CHANNELS = (EMAIL, HTTP)

ERROR_MAX = 500  # OutboxMessage.last_error, DeliveryAttempt.error
# A receiver's answer body is read (so the connection ends cleanly) up to this much, never kept.
ANSWER_READ_MAX = 64 * 1024
INTERRUPTED = "interrupted: the deliverer stopped before recording the outcome"
CANCELLED = "cancelled before sending"


def outbox_enqueue(
    *,
    channel: str,
    destination: str,
    subject: str = "",
    body: str = "",
    payload: dict | None = None,
    reference: str = "",
    obj: models.Model | None = None,
) -> OutboxMessage:
    """Write one outbound message and enqueue its delivery (call inside the deciding transaction)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    message = OutboxMessage.objects.create(
        channel=channel,
        destination=destination,
        subject=subject[:300],
        body=body,
        payload=payload or {},
        # A fresh random key per message: the same notice sent twice on purpose is two messages.
        idempotency_key=_new_key(),
        reference=reference,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    _enqueue_delivery(message.pk)
    return message


def outbox_enqueue_many(
    messages: list[dict[str, Any]], *, chunk: int = 100, priority: int = 0
) -> list[OutboxMessage]:
    """Write many messages at once (each a dict of `outbox_enqueue`'s arguments) and enqueue
    their delivery in chunks; call inside the deciding transaction. Higher `priority` goes first
    (a withdrawal before a publication)."""
    rows = []
    for message in messages:
        channel = message["channel"]
        if channel not in CHANNELS:
            raise ValueError(f"unknown outbox channel {channel!r}")
        obj = message.get("obj")
        rows.append(
            OutboxMessage(
                channel=channel,
                destination=message["destination"],
                subject=message.get("subject", "")[:300],
                body=message.get("body", ""),
                payload=message.get("payload") or {},
                idempotency_key=_new_key(),
                reference=message.get("reference", ""),
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
        )
    created = OutboxMessage.objects.bulk_create(rows, batch_size=500)
    from beacon.core.tasks import deliver_messages, enqueue_with_transaction

    task = deliver_messages.using(priority=priority)
    for start in range(0, len(created), chunk):
        enqueue_with_transaction(task, [row.pk for row in created[start : start + chunk]])
    return created


def outbox_cancel(messages: QuerySet[OutboxMessage]) -> int:
    """Cancel these messages if they are still waiting to be sent (call inside the deciding
    transaction). Delivered and failed ones are left as they are. Returns how many were cancelled."""
    return messages.filter(status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED, claimed_until=None
    )


def _new_key() -> str:
    return uuid.uuid4().hex


def _enqueue_delivery(message_id: int, run_after: datetime | None = None) -> None:
    from beacon.core.tasks import deliver_message, enqueue_with_transaction

    task = deliver_message if run_after is None else deliver_message.using(run_after=run_after)
    enqueue_with_transaction(task, message_id)


@transaction.atomic
def outbox_resend(*, actor, message_id: int) -> OutboxMessage:
    """Give a failed message a new round of attempts (by hand, from the operations page).

    Only a failed message can be re-sent: a pending one is still being retried, a delivered one
    is never sent again. Raises OutboxMessage.DoesNotExist for an unknown id."""
    require(actor, "core.resend_outboxmessage")
    message = OutboxMessage.objects.get(pk=message_id)
    # Conditional: of two administrators pressing the button, only one starts a round.
    restarted = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        last_error="",
    )
    if not restarted:
        errors = FieldErrors()
        errors.add("status", _("Only a message whose delivery failed can be re-sent."))
        errors.raise_if_any()
    message.refresh_from_db()
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=message,
        fields=["status", "attempts", "next_attempt_at"],
    )
    _enqueue_delivery(message.pk)
    return message


# A pending message with an error on record failed at least once and waits for its next attempt.
RETRYING = Q(status=OutboxStatus.PENDING) & ~Q(last_error="")


def outbox_troubles(*, user, status: str = "", limit: int = 100) -> list[OutboxMessage]:
    """Messages whose delivery is in trouble, newest first, with their attempts (the operations
    page): `status` "retrying", "failed", or both when empty. Destinations may be a reporter's
    address: only holders of core.view_outboxmessage read them."""
    require(user, "core.view_outboxmessage")
    troubles = {
        "retrying": RETRYING,
        "failed": Q(status=OutboxStatus.FAILED),
    }.get(status, RETRYING | Q(status=OutboxStatus.FAILED))
    return list(
        OutboxMessage.objects.filter(troubles)
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch("deliveries", queryset=DeliveryAttempt.objects.order_by("started_at", "id"))
        )[:limit]
    )


def _replace(value: Any, old: str, new: str) -> Any:
    """`old` replaced by `new` in every string inside a JSON value."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    return value


def outbox_redact(*, messages: QuerySet[OutboxMessage], old: str, new: str, **fields) -> None:
    """Replace `old` by `new` in these messages' text and payload, and in their attempts' errors,
    which may quote it; set `fields` too (e.g. destination="" once a reporter's address must go).
    Retention calls it inside its transaction: the proof of sending stays, its content goes."""
    for message in messages.select_for_update():
        message.subject = message.subject.replace(old, new)
        message.body = message.body.replace(old, new)
        message.payload = _replace(message.payload, old, new)
        message.last_error = message.last_error.replace(old, new)
        for name, value in fields.items():
            setattr(message, name, value)
        message.save(update_fields=["subject", "body", "payload", "last_error", *fields])
        for attempt in DeliveryAttempt.objects.filter(message=message, error__contains=old):
            attempt.error = attempt.error.replace(old, new)
            attempt.save(update_fields=["error"])


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one send gave: delivered or not, the receiver's code if any, and why not."""

    ok: bool
    status_code: int | None = None
    error: str = ""


def retry_delay(failures: int) -> timedelta:
    """How long to wait after the n-th failure in a row: exponential, capped, with a little
    jitter so that messages which failed together (a receiver's outage) do not return together."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0)
    capped = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * (1 + random.uniform(0, settings.OUTBOX_RETRY_JITTER)))


def _due(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def outbox_deliver(*, message_id: int) -> str:
    """Try to deliver one message now, if it is due and nobody else holds it.

    Returns what happened: "delivered", "retrying", "failed", "not due" (delivered, failed,
    not yet due, or claimed by another deliverer: nothing was sent), or "lost claim" (sent,
    but another deliverer took over meanwhile; its attempt decides)."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = (
            OutboxMessage.objects.filter(_due(now), pk=message_id)
            .order_by()
            .update(claimed_until=lease_until, attempts=F("attempts") + 1)
        )
        if not claimed:
            return "not due"
        message = OutboxMessage.objects.get(pk=message_id)
        # An attempt left open is one whose deliverer stopped between sending and recording.
        message.deliveries.filter(finished_at__isnull=True, error="").update(error=INTERRUPTED)
        attempt = DeliveryAttempt.objects.create(
            message=message,
            started_at=now,
            # The first attempt of a later round: only a re-send by hand starts a new round.
            manual=message.attempts == 1 and message.deliveries.exists(),
        )
    # Committed: whatever happens from here, the claim runs out and the attempt is on record.

    outcome = _send(message)

    finished = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished,
            ok=outcome.ok,
            status_code=outcome.status_code,
            error=outcome.error[:ERROR_MAX],
        )
        ours = OutboxMessage.objects.filter(
            pk=message_id, status=OutboxStatus.PENDING, claimed_until=lease_until
        )
        if outcome.ok:
            won = ours.update(
                status=OutboxStatus.DELIVERED,
                delivered_at=finished,
                claimed_until=None,
                last_error="",
            )
            result = "delivered"
        elif message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            won = ours.update(
                status=OutboxStatus.FAILED, claimed_until=None, last_error=outcome.error[:ERROR_MAX]
            )
            result = "failed"
        else:
            next_at = finished + retry_delay(message.attempts)
            won = ours.update(
                next_attempt_at=next_at, claimed_until=None, last_error=outcome.error[:ERROR_MAX]
            )
            result = "retrying"
            if won:
                # The worker retries on time; `deliver_due` would find it anyway.
                _enqueue_delivery(message_id, run_after=next_at)
    if not won:
        logger.warning("outbox message %s: claim lost while sending (%s)", message_id, result)
        return "lost claim"
    if not outcome.ok:
        logger.info("outbox message %s attempt %s: %s", message_id, message.attempts, outcome.error)
    return result


def _claim_many(message_ids: list[int]) -> tuple[list[OutboxMessage], dict[int, int], datetime]:
    """Claim the due messages among `message_ids` and open an attempt for each (committed)."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        OutboxMessage.objects.filter(_due(now), pk__in=message_ids).order_by().update(
            claimed_until=lease_until, attempts=F("attempts") + 1
        )
        messages = list(
            OutboxMessage.objects.filter(
                pk__in=message_ids, status=OutboxStatus.PENDING, claimed_until=lease_until
            ).order_by("id")
        )
        ids = [message.pk for message in messages]
        tried_before = set(
            DeliveryAttempt.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
        )
        DeliveryAttempt.objects.filter(
            message_id__in=tried_before, finished_at__isnull=True, error=""
        ).update(error=INTERRUPTED)
        attempts = DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    message=message,
                    started_at=now,
                    manual=message.attempts == 1 and message.pk in tried_before,
                )
                for message in messages
            ]
        )
    return messages, {a.message_id: a.pk for a in attempts}, lease_until


def _still_pending(message_id: int) -> bool:
    """Not cancelled meanwhile (the last look before sending: one primary-key read)."""
    table = OutboxMessage._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s", [message_id])  # noqa: S608
        row = cursor.fetchone()
    return row is not None and row[0] == OutboxStatus.PENDING


def _send_slice(messages: list[OutboxMessage], outcomes: dict) -> None:
    """One sender of a chunk: its messages in order, e-mails over one SMTP connection."""
    smtp = None
    try:
        for message in messages:
            if not _still_pending(message.pk):
                outcomes[message.pk] = (Outcome(False, error=CANCELLED), timezone.now())
                continue
            if message.channel == EMAIL:
                if smtp is None:
                    smtp = _email_connection()
                outcome = _send_email_over(message, smtp)
                if not outcome.ok and outcome.status_code is None:
                    smtp = None  # the connection is broken: a new one for the next message
            else:
                outcome = _send(message)
            outcomes[message.pk] = (outcome, timezone.now())
    finally:
        if smtp is not None:
            _close_politely(smtp)


def outbox_deliver_many(*, message_ids: list[int]) -> str:
    """Deliver a chunk of messages now: those due and not held by another deliverer.

    OUTBOX_SENDERS threads share the chunk (a mail server answers each command after a network
    round trip; a slow webhook holds only its own thread); each thread sends its e-mails over one
    SMTP connection, opened again after a failure. Returns counts per outcome."""
    messages, attempt_ids, lease_until = _claim_many(message_ids)
    if not messages:
        return "none due"
    outcomes: dict[int, tuple[Outcome, datetime]] = {}
    senders = max(1, min(settings.OUTBOX_SENDERS, len(messages)))
    # An in-memory SQLite database (tests) is private to its connection: no threads there.
    in_memory = db_connection.vendor == "sqlite" and db_connection.is_in_memory_db()  # type: ignore[attr-defined]
    if senders == 1 or in_memory:
        _send_slice(messages, outcomes)
    else:
        slices = [messages[i::senders] for i in range(senders)]

        def run(part: list[OutboxMessage]) -> None:
            try:
                _send_slice(part, outcomes)
            finally:
                db_connection.close()  # this thread's own database connection

        threads = [threading.Thread(target=run, args=(part,)) for part in slices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # A sender that died leaves its messages without an outcome: recorded as interrupted.
    for message in messages:
        outcomes.setdefault(message.pk, (Outcome(False, error=INTERRUPTED), timezone.now()))
    return _record_many(messages, attempt_ids, outcomes, lease_until)


def _record_many(messages, attempt_ids, outcomes, lease_until) -> str:
    counts: dict[str, int] = {}
    with transaction.atomic():
        # The successful attempts in one UPDATE (finished when the chunk's last one finished: a
        # few seconds late at most, never early); the others, few, one by one.
        succeeded = [m.pk for m in messages if outcomes[m.pk][0].ok]
        if succeeded:
            DeliveryAttempt.objects.filter(pk__in=[attempt_ids[pk] for pk in succeeded]).update(
                finished_at=max(outcomes[pk][1] for pk in succeeded), ok=True
            )
        for message in messages:
            outcome, finished = outcomes[message.pk]
            if not outcome.ok:
                DeliveryAttempt.objects.filter(pk=attempt_ids[message.pk]).update(
                    finished_at=finished,
                    ok=False,
                    status_code=outcome.status_code,
                    error=outcome.error[:ERROR_MAX],
                )
        ours = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, claimed_until=lease_until)
        delivered: dict[datetime, list[int]] = {}
        for message in messages:
            outcome, finished = outcomes[message.pk]
            if outcome.ok:
                delivered.setdefault(finished, []).append(message.pk)
                continue
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                won = ours.filter(pk=message.pk).update(
                    status=OutboxStatus.FAILED,
                    claimed_until=None,
                    last_error=outcome.error[:ERROR_MAX],
                )
                result = "failed"
            else:
                next_at = finished + retry_delay(message.attempts)
                won = ours.filter(pk=message.pk).update(
                    next_attempt_at=next_at,
                    claimed_until=None,
                    last_error=outcome.error[:ERROR_MAX],
                )
                result = "retrying"
                if won:
                    _enqueue_delivery(message.pk, run_after=next_at)
            result = result if won else "not sent (cancelled or claim lost)"
            counts[result] = counts.get(result, 0) + 1
        # One UPDATE for the delivered ones (their finishing times differ by little: the last one
        # of the chunk stands for all, so a message is never shown delivered before it was).
        delivered_ids = [pk for ids in delivered.values() for pk in ids]
        if delivered_ids:
            won = ours.filter(pk__in=delivered_ids).update(
                status=OutboxStatus.DELIVERED,
                delivered_at=max(delivered),
                claimed_until=None,
                last_error="",
            )
            counts["delivered"] = won
            if won < len(delivered_ids):
                counts["lost claim"] = len(delivered_ids) - won
    return ", ".join(f"{count} {result}" for result, count in sorted(counts.items()))


def deliver_due() -> str:
    """The periodic job: deliver every due message (a batch per run; the rest next time)."""
    now = timezone.now()
    due_ids = list(
        OutboxMessage.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[: settings.OUTBOX_BATCH_SIZE]
    )
    counts: dict[str, int] = {}
    for message_id in due_ids:
        result = outbox_deliver(message_id=message_id)
        counts[result] = counts.get(result, 0) + 1
    return ", ".join(f"{count} {result}" for result, count in sorted(counts.items())) or "none due"


def _send(message: OutboxMessage) -> Outcome:
    try:
        if message.channel == EMAIL:
            return _send_email(message)
        if message.channel == HTTP:
            return _send_http(message)
        return Outcome(False, error=f"unknown channel {message.channel!r}")
    except Exception as exc:  # noqa: BLE001 - a bug in a transport is this message's failure
        logger.exception("outbox message %s: unexpected error", message.pk)
        return Outcome(False, error=f"internal error: {type(exc).__name__}: {exc}")


def _network_error(exc: BaseException) -> str:
    """A plain sentence for a network failure (the operations page shows it)."""
    timeout = settings.OUTBOX_TIMEOUT_SECONDS
    # smtplib reports a read that timed out as "server disconnected"; the cause tells the truth.
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        exc = exc.__context__
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"timed out after {timeout:g} s without an answer"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected | smtplib.SMTPServerDisconnected):
        return "connection closed by the receiver without an answer"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset by the receiver"
    if isinstance(exc, socket.gaierror):
        return f"host not found: {exc}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc}"
    return f"{type(exc).__name__}: {exc}"


# --- e-mail ---------------------------------------------------------------------------------


def _sender_domain() -> str:
    _local, _at, domain = (settings.DEFAULT_FROM_EMAIL or "").rpartition("@")
    return domain.strip("> ") or "beacon.invalid"


def message_id_header(message: OutboxMessage) -> str:
    """The e-mail's Message-ID: the same for every attempt at one message."""
    return f"<{message.idempotency_key}@{_sender_domain()}>"


def _email_connection():
    connection = get_connection(
        backend=settings.OUTBOX_EMAIL_BACKEND,
        host=settings.EMAIL_HOST,
        port=settings.EMAIL_PORT,
        timeout=settings.OUTBOX_TIMEOUT_SECONDS,
        fail_silently=False,
    )
    return connection


def _send_email(message: OutboxMessage) -> Outcome:
    connection = _email_connection()
    outcome = _send_email_over(message, connection)
    if outcome.ok or outcome.status_code is not None:
        _close_politely(connection)
    return outcome


def _close_politely(connection) -> None:
    try:
        connection.close()  # QUIT; the messages are already accepted whatever this says
    except (OSError, smtplib.SMTPException):
        _abandon(connection)


def _email(message: OutboxMessage, connection) -> EmailMessage:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.destination],
        headers={
            "Message-ID": message_id_header(message),
            "X-Beacon-Reference": message.reference or message.idempotency_key,
            "X-Beacon-Idempotency-Key": message.idempotency_key,
        },
        connection=connection,
    )
    for attachment in (message.payload or {}).get("attachments", []):
        from django.core.files.storage import default_storage

        with default_storage.open(attachment["name"], "rb") as source:
            email.attach(attachment["filename"], source.read(), attachment["content_type"])
    return email


def _send_email_over(message: OutboxMessage, connection) -> Outcome:
    """Send one e-mail over `connection` (opened if needed, left open after a success or a
    refusal; dropped after a network failure: Outcome.status_code None)."""
    try:
        email = _email(message, connection)
    except OSError as exc:
        return Outcome(False, 0, f"attachment not readable: {exc}")
    try:
        connection.open()
        sent = connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()), (None, b""))
        _abandon(connection)
        return Outcome(False, code, f"recipient refused: SMTP {code} {_text(reason)}")
    except smtplib.SMTPResponseException as exc:
        _abandon(connection)
        return Outcome(False, exc.smtp_code, f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}")
    except (OSError, smtplib.SMTPException) as exc:
        _abandon(connection)
        return Outcome(False, error=_network_error(exc))
    if not sent:
        return Outcome(False, 0, "the mail server accepted no recipient")
    return Outcome(True)


def _abandon(connection) -> None:
    # After a failure, drop the socket without the polite QUIT: a stalled server would make
    # QUIT wait for a second timeout.
    smtp = getattr(connection, "connection", None)
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()
        connection.connection = None


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# --- HTTP -----------------------------------------------------------------------------------


def signing_key() -> bytes:
    """The webhook HMAC key: OUTBOX_SIGNING_KEY, or one derived from SECRET_KEY."""
    if settings.OUTBOX_SIGNING_KEY:
        return settings.OUTBOX_SIGNING_KEY.encode()
    derived = hmac.new(settings.SECRET_KEY.encode(), b"beacon.outbox.signing-key", hashlib.sha256)
    return derived.hexdigest().encode()


def sign(body: bytes, timestamp: str, key: bytes | None = None) -> str:
    """The X-Beacon-Signature value: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">.

    The timestamp is signed with the body so a receiver can refuse an old capture replayed."""
    mac = hmac.new(key or signing_key(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _send_http(message: OutboxMessage) -> Outcome:
    url = urlsplit(message.destination)
    if url.scheme not in ("http", "https") or not url.hostname:
        return Outcome(False, error=f"not an http(s) URL: {message.destination[:200]}")
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Beacon-Outbox",
        "Idempotency-Key": message.idempotency_key,
        "X-Beacon-Reference": message.reference or message.idempotency_key,
        "X-Beacon-Timestamp": timestamp,
        "X-Beacon-Signature": sign(body, timestamp),
    }
    connection_class = (
        http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(url.hostname, url.port, timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(ANSWER_READ_MAX)  # discarded: only the status matters
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, error=_network_error(exc))
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Outcome(True, response.status)
    # Redirects are not followed: a notice goes to the configured address or fails loudly.
    return Outcome(False, response.status, f"HTTP {response.status} {response.reason}".strip())
