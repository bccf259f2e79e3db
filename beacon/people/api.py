"""Person endpoints: a person with their episodes, and the search used before an intake."""

from django.core.exceptions import PermissionDenied
from ninja import Router

from beacon.cases import selectors
from beacon.cases.api import case_summary
from beacon.cases.schemas import PersonOut, PersonWithEpisodesOut

router = Router(tags=["people"])
PERSON_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "date_of_birth",
    "estimated_age",
    "gender",
    "languages",
    "nationality",
    "in_institution",
    "institution_name",
)


def _require(request) -> None:
    if not request.user.has_perm("people.view_person"):
        raise PermissionDenied("people.view_person")


def person_out(person) -> dict:
    return {
        **{name: getattr(person, name) for name in PERSON_FIELDS},
        "has_photo": bool(person.photo),
    }


@router.get("", response=list[PersonOut], summary="Find persons by name (prefix)")
def search_people(request, q: str):
    _require(request)
    return [person_out(p) for p in selectors.person_search(user=request.user, q=q)]


@router.get(
    "/{person_id}",
    response=PersonWithEpisodesOut,
    summary="A person and all their episodes (audited)",
)
def get_person(request, person_id: int):
    _require(request)
    person = selectors.person_get(user=request.user, pk=person_id)
    episodes = selectors.person_episodes(user=request.user, person=person)
    for case in episodes.cases:
        case.person = person
    return {
        **person_out(person),
        "episode_count": episodes.count,
        "total_missing_seconds": int(episodes.total_missing.total_seconds())
        if episodes.total_missing
        else None,
        "longest_missing_seconds": int(episodes.longest.total_seconds())
        if episodes.longest
        else None,
        "episodes": [case_summary(c) for c in episodes.cases],
    }
