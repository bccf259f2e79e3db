"""Background work of the shared kernel. Thin: load by id, call the outbox; safe to run twice."""

from django.db import transaction
from django_tasks import task


def enqueue_with_transaction(queued_task, *args) -> None:
    """Enqueue a task for a change the caller's transaction is making: with the database backend
    the task row is written in that transaction (committed with the change or not at all); any
    other backend (RQ, immediate) gets it once the change is committed, so a worker never looks
    for a row that does not exist yet."""
    from django_tasks_db import DatabaseBackend

    if isinstance(queued_task.get_backend(), DatabaseBackend):
        queued_task.enqueue(*args)
    else:
        transaction.on_commit(lambda: queued_task.enqueue(*args))


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message if it is still due (a second run finds it claimed or done)."""
    from beacon.core.outbox import outbox_deliver

    return outbox_deliver(message_id=message_id)


@task()
def deliver_messages(message_ids: list[int]) -> str:
    """Deliver a batch of outbox messages (a fan-out): one SMTP connection for its e-mails."""
    from beacon.core.outbox import outbox_deliver_many

    return outbox_deliver_many(message_ids=message_ids)
