"""The outbox: anything leaving Beacon is a row written in the transaction that decided it.

`outbox_enqueue` is called by services inside their transaction; a worker delivers the row
(e-mail over SMTP, or a signed JSON POST), retries with back-off and records every attempt.
"""

import uuid

from django.db import models

from beacon.core.models import OutboxMessage

EMAIL = "email"
HTTP = "http"
CHANNELS = (EMAIL, HTTP)


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
    """Write one outbound message (call inside the deciding transaction)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    return OutboxMessage.objects.create(
        channel=channel,
        destination=destination,
        subject=subject[:300],
        body=body,
        payload=payload or {},
        idempotency_key=uuid.uuid4().hex,
        reference=reference,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def deliver_due() -> None:
    """Deliver the messages that are due (written by the outbox work)."""
    return None
