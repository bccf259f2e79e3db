"""Background work on persons. Thin: load by id, call a service; safe to run twice."""

from django_tasks import task


@task()
def person_photo_thumbnail(person_id: int, photo_name: str) -> bool:
    """Make the small rendition of a person's photo used in lists (and later on posters)."""
    from beacon.people.services import photo_thumbnail_make

    return photo_thumbnail_make(person_id=person_id, photo_name=photo_name)
