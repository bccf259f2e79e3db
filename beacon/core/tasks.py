"""Background work of the shared kernel. Thin: load by id, call the outbox; safe to run twice."""

from django_tasks import task


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message if it is still due (a second run finds it claimed or done)."""
    from beacon.core.outbox import outbox_deliver

    return outbox_deliver(message_id=message_id)
