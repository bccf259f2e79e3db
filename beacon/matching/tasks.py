"""Background work of image matching: thin, load by id, safe to run twice."""

from django_tasks import task


@task()
def run_import(import_id: int) -> None:
    """Read an uploaded file of hashes into its bank (resumes where an interrupted run stopped)."""
    from beacon.matching.banks import import_run

    import_run(import_id=import_id)


@task()
def act_on_exact(item_id: int) -> None:
    """Send the takedown notice for an exact match in a bank that allows it."""
    from beacon.matching.acting import item_act

    item_act(item_id=item_id)
