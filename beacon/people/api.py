"""Person endpoints: a person with their episodes, and the search used before an intake.

A person is visible to a user who may read one of their cases; the reads go through the case
selectors, which know that rule."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router

from beacon.cases import selectors
from beacon.cases.api import case_summary
from beacon.cases.schemas import PersonWithEpisodesOut
from beacon.core.api import error_responses
from beacon.people.schemas import PersonOut, person_out

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
    for case in episodes.cases:
        case.person = person
    return {
        **person_out(person),
        "episode_count": episodes.count,
        "total_missing_seconds": _seconds(episodes.total_missing),
        "longest_missing_seconds": _seconds(episodes.longest),
        "episodes": [case_summary(c) for c in episodes.cases],
    }
