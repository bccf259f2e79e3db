"""Background work of search notices. Thin: load by id, call a service; safe to run twice."""

from django_tasks import task


@task()
def publish_channel(notice_id: int, channel: str) -> str:
    from beacon.alerts.services import channel_publish

    return channel_publish(notice_id=notice_id, channel=channel)


@task()
def purge_renditions(notice_id: int) -> str:
    """Delete every published file of a withdrawn notice from storage."""
    from beacon.alerts.renditions import renditions_delete

    return f"{renditions_delete(notice_id=notice_id)} files deleted"
