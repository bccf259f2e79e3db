"""Reads of person records that have rules. The person itself, their episodes and the name
search are in `beacon.cases.selectors` (they are reads of cases); merges are here."""

from beacon.people.models import Person, PersonMerge


def person_merges(*, person: Person) -> list[PersonMerge]:
    """Merges into the person, undone ones included, newest first (the caller has read the
    person)."""
    return list(person.merges.select_related("merged", "merged_by", "undone_by"))


def merge_get(*, user, pk: int) -> PersonMerge:
    """One merge whose kept record the user may see (PersonMerge.DoesNotExist otherwise, so a
    merge of a record the user may not see is "not found", not "forbidden")."""
    return PersonMerge.objects.select_related("survivor", "merged").get(
        pk=pk, survivor__in=Person.objects.visible_to(user)
    )
