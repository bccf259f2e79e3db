"""The person page, the person search (for repeat episodes) and the photo, all permission-checked."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from beacon.cases import selectors
from beacon.core.audit import audit
from beacon.core.models import AuditAction
from beacon.people.models import Person


def _person(request, pk: int, *, audited: bool) -> Person:
    if not request.user.has_perm("people.view_person"):
        raise PermissionDenied("people.view_person")
    try:
        return selectors.person_get(user=request.user, pk=pk, audited=audited)
    except Person.DoesNotExist as exc:
        raise Http404(_("No such person.")) from exc


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, audited=True)
    episodes = selectors.person_episodes(user=request.user, person=person)
    return render(request, "people/detail.html", {"person": person, "episodes": episodes})


@login_required
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("people.view_person"):
        raise PermissionDenied("people.view_person")
    people = selectors.person_search(user=request.user, q=request.GET.get("q", ""))
    return render(request, "people/_search_results.html", {"people": people})


@login_required
@require_GET
def person_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo (or its thumbnail) from private storage, never from a public URL."""
    person = _person(request, pk, audited=False)
    thumb = request.GET.get("size") == "thumb" and person.photo_thumbnail
    image = person.photo_thumbnail if thumb else person.photo
    if not image:
        raise Http404(_("No photo."))
    audit(actor=request.user, action=AuditAction.VIEW, obj=person, fields=["photo"])
    response = FileResponse(image.open("rb"), content_type="image/jpeg" if thumb else None)
    response["Cache-Control"] = "private, no-store"
    return response
