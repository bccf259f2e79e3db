"""Person endpoints: a person with their episodes, and the search used before an intake.

A person is visible to a user who may read one of their cases; the reads go through the case
selectors, which know that rule."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router

from beacon.cases import selectors
from beacon.cases.api import case_summary
from beacon.cases.schemas import MergeOut, PersonWithEpisodesOut
from beacon.core.api import error_responses
from beacon.people import selectors as people_selectors
from beacon.people.models import Person, PersonMerge
from beacon.people.schemas import MergeIn, PersonOut, person_out
from beacon.people.services import person_merge, person_merge_undo

router = Router(tags=["people"])


def _require(request) -> None:
    if not request.user.has_perm("people.view_person"):
        raise PermissionDenied("people.view_person")


def _seconds(duration) -> int | None:
    return int(duration.total_seconds()) if duration is not None else None


@router.get(
    "",
    response={200: list[PersonOut], **error_responses(403, 422)},
    summary="Find persons by name",
)
def search_people(
    request,
    q: str = Query(..., min_length=1, description="Start of the first or last name (2+ letters)."),
):
    """Persons whose first or last name starts with `q` (case and accents ignored), 10 at most:
    to find the person of an earlier episode before opening a new case."""
    _require(request)
    return [person_out(p) for p in selectors.person_search(user=request.user, q=q)]


@router.get(
    "/{person_id}",
    response={200: PersonWithEpisodesOut, **error_responses(403, 404)},
    summary="A person and all their episodes (the read is audited)",
)
def get_person(request, person_id: int):
    """The person with every episode (case) the user may see, how many, and how long the person
    was missing in total and at the longest, in seconds (open episodes count until now)."""
    _require(request)
    person = selectors.person_get(user=request.user, pk=person_id)
    episodes = selectors.person_episodes(user=request.user, person=person)
    for case in [*episodes.cases, *episodes.exploitation]:
        case.person = person
    return {
        **person_out(person),
        "episode_count": episodes.count,
        "total_missing_seconds": _seconds(episodes.total_missing),
        "longest_missing_seconds": _seconds(episodes.longest),
        "episodes": [case_summary(c) for c in episodes.cases],
        "exploitation_cases": [case_summary(c) for c in episodes.exploitation],
        "merges": [merge_out(m) for m in people_selectors.person_merges(person=person)],
    }


def merge_out(merge) -> dict:
    return {
        "id": merge.pk,
        "merged_person_id": merge.merged_id,
        "moved_case_ids": merge.moved_case_ids,
        "reason": merge.reason,
        "merged_by": merge.merged_by.username if merge.merged_by else None,
        "merged_at": merge.merged_at,
        "undone_at": merge.undone_at,
    }


@router.post(
    "/{person_id}/merge",
    response={200: PersonOut, **error_responses(403, 404, 409, 422)},
    summary="Merge another record of the same person into this one",
)
def merge_person(request, person_id: int, payload: MergeIn):
    """Every case of `duplicate_id` moves to this person; the duplicate is kept, merged (hidden).
    You must be able to open every case of both records. Both versions are checked (409).
    An administrator can undo it (POST /people/merges/{id}/undo)."""
    _require(request)
    survivor = selectors.person_get(user=request.user, pk=person_id, audited=False)
    duplicate = selectors.person_get(user=request.user, pk=payload.duplicate_id, audited=False)
    person_merge(
        actor=request.user,
        survivor=survivor,
        duplicate=duplicate,
        survivor_version=payload.version,
        duplicate_version=payload.duplicate_version,
        reason=payload.reason,
    )
    return person_out(selectors.person_get(user=request.user, pk=person_id, audited=False))


@router.post(
    "/merges/{merge_id}/undo",
    response={200: MergeOut, **error_responses(403, 404, 422)},
    summary="Undo a merge (administrators)",
)
def undo_merge(request, merge_id: int):
    """Moves back exactly the cases the merge moved (later cases stay), restores the merged
    record and the kept record's previous values. Refused (422) if already undone."""
    try:
        merge = people_selectors.merge_get(user=request.user, pk=merge_id)
    except PersonMerge.DoesNotExist as exc:
        raise Person.DoesNotExist from exc
    return merge_out(person_merge_undo(actor=request.user, merge=merge))
