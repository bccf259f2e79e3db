"""The person page, the person search (for repeat episodes) and the photo, all permission-checked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.cases import selectors
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditAction
from beacon.people import selectors as people_selectors
from beacon.people import services
from beacon.people.models import Person, PersonMerge


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
    merged_into = (
        Person.objects.filter(pk=pk, merged_into__isnull=False)
        .values_list("merged_into", flat=True)
        .first()
    )
    if merged_into is not None:
        # A merged record has no cases left: its page is the kept record's (if the user may).
        _person(request, merged_into, audited=False)
        messages.info(request, _("That record was merged into this one."))
        return redirect("people:detail", pk=merged_into)
    person = _person(request, pk, audited=True)
    episodes = selectors.person_episodes(user=request.user, person=person)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "episodes": episodes,
            "merges": people_selectors.person_merges(person=person),
            "flags": _flags(request.user, person),
        },
    )


def _flags(user, person: Person) -> list:
    from beacon.risk.selectors import flags_of_person

    return flags_of_person(user=user, person=person)


def _version(value) -> int:
    """A version from the form; 0 (never a record's version: a stale-edit answer) if garbled."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def person_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Both records side by side; on POST, merge `other` into `pk`."""
    if not request.user.has_perm("people.merge_person"):
        raise PermissionDenied("people.merge_person")
    survivor = _person(request, pk, audited=True)
    duplicate = _person(request, other, audited=True)
    error: object = None
    if request.method == "POST":
        try:
            services.person_merge(
                actor=request.user,
                survivor=survivor,
                duplicate=duplicate,
                survivor_version=_version(request.POST.get("version")),
                duplicate_version=_version(request.POST.get("duplicate_version")),
                reason=request.POST.get("reason", ""),
            )
        except ConcurrentEditError:
            error = _(
                "Someone else changed one of these records since you opened this page. "
                "Check them again below, then merge."
            )
        except ValidationError as exc:
            error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        else:
            messages.success(request, _("The records were merged."))
            return redirect("people:detail", pk=survivor.pk)
    sides = [
        (p, selectors.person_episodes(user=request.user, person=p)) for p in (survivor, duplicate)
    ]
    return render(
        request,
        "people/merge.html",
        {"survivor": survivor, "duplicate": duplicate, "sides": sides, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_pk: int) -> HttpResponse:
    try:
        merge = people_selectors.merge_get(user=request.user, pk=merge_pk)
    except PersonMerge.DoesNotExist as exc:
        raise Http404(_("No such merge.")) from exc
    try:
        services.person_merge_undo(actor=request.user, merge=merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("people:detail", pk=merge.survivor_id)


@login_required
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("people.view_person"):
        raise PermissionDenied("people.view_person")
    people = selectors.person_search(user=request.user, q=request.GET.get("q", ""))
    into = request.GET.get("into", "") if request.GET.get("for") == "merge" else ""
    merge_into = int(into) if into.isdigit() else None
    if merge_into is not None:
        people = [p for p in people if p.pk != merge_into]
    return render(
        request, "people/_search_results.html", {"people": people, "merge_into": merge_into}
    )


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
