"""Background work of the civil hotline: thin, load by id, safe to run twice."""

from django_tasks import task


@task()
def lookup_hosting(item_id: int) -> None:
    """Propose the hosting country of a newly reported URL (DNS + offline IP-to-country)."""
    from beacon.reports.hosting import item_lookup_hosting

    item_lookup_hosting(item_id=item_id)
