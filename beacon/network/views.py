"""The network's staff pages (/network/): volunteers, partners, followers.

The selectors and services check the permissions (a refusal is a 403, audited by the
middleware); a page only hides what a user may not do.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import act_on_form, add_service_errors
from beacon.core.models import Region
from beacon.core.permissions import require
from beacon.network import selectors, services
from beacon.network.forms import (
    FollowerForm,
    FollowerImportForm,
    PartnerEditForm,
    PartnerForm,
    VolunteerEditForm,
    VolunteerForm,
)
from beacon.network.models import (
    Follower,
    Partner,
    PartnerKind,
    ReceiveChannel,
    Volunteer,
    VolunteerRole,
)

PAGE_SIZE = 50


def _active_filter(value: str | None) -> bool | None:
    """ "" or "1": active only (the default), "0": inactive only, "all": both."""
    return {"0": False, "all": None}.get(value or "", True)


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Counts per province, partners per kind, followers: the network at a glance."""
    selectors.require_network(request.user)
    user = request.user
    context: dict = {"provinces": selectors.volunteer_counts_by_province(user=user)}
    if user.has_perm(selectors.VIEW_PARTNER):
        counts = selectors.partner_counts(user=user)
        context["partner_kinds"] = [
            (label, counts["per_kind"].get(value, 0)) for value, label in PartnerKind.choices
        ]
        context["screens"] = counts["screens"]
    if user.has_perm(selectors.VIEW_FOLLOWER):
        context["followers"] = selectors.follower_counts(user=user)
    return render(request, "network/home.html", context)


# --- volunteers -------------------------------------------------------------------------------


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.VolunteerFilters(
        region=request.GET.get("region", ""),
        municipality=request.GET.get("municipality", ""),
        role=request.GET.get("role", ""),
        active=_active_filter(request.GET.get("active")),
        q=request.GET.get("q", ""),
    )
    volunteers = selectors.volunteers_list(user=request.user, filters=filters)
    context = {
        "page": _page(request, volunteers),
        "filters": filters,
        "active": request.GET.get("active", ""),
        "regions": Region.objects.order_by("position", "code"),
        "municipalities": selectors.municipalities_list(region=filters.region),
        "roles": VolunteerRole.choices,
        "query": _query_without_page(request),
    }
    return render(request, "network/volunteers.html", context)


def _volunteer(request: HttpRequest, pk: int, *, audited: bool = True) -> Volunteer:
    try:
        return selectors.volunteer_get(user=request.user, pk=pk, audited=audited)
    except Volunteer.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request, pk)
    return render(request, "network/volunteer.html", {"volunteer": volunteer})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_new(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_VOLUNTEER)
    form = VolunteerForm(request.POST or None, initial={"active": True})
    if request.method == "POST":
        created: list[Volunteer] = []
        return act_on_form(
            request,
            form,
            lambda _data: created.append(
                services.volunteer_create(actor=request.user, **form.service_values())
            ),
            done=_("Volunteer added."),
            success=lambda: redirect("network:volunteer", pk=created[0].pk),
            failure=lambda failed: render(
                request, "network/volunteer_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "network/volunteer_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_VOLUNTEER)
    volunteer = _volunteer(request, pk, audited=request.method == "GET")
    if request.method == "POST":
        form = VolunteerEditForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: services.volunteer_update(
                actor=request.user,
                volunteer_id=volunteer.pk,
                expected_version=data["version"],
                **form.service_values(current_consent=volunteer.consent_given_at),
            ),
            done=_("Volunteer saved."),
            success=lambda: redirect("network:volunteer", pk=volunteer.pk),
            failure=lambda failed: render(
                request,
                "network/volunteer_form.html",
                {"form": failed, "volunteer": volunteer},
                status=400,
            ),
        )
    initial = {
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "email": volunteer.email,
        "phone": volunteer.phone,
        "region": volunteer.region.code,
        "municipality": volunteer.municipality.code if volunteer.municipality else "",
        "roles": volunteer.roles,
        "languages": volunteer.languages,
        "availability": volunteer.availability,
        "is_referent": volunteer.is_referent,
        "consent_given_on": timezone.localtime(volunteer.consent_given_at).date()
        if volunteer.consent_given_at
        else None,
        "joined_on": volunteer.joined_on,
        "active": volunteer.active,
        "version": volunteer.version,
    }
    form = VolunteerEditForm(initial=initial)
    return render(request, "network/volunteer_form.html", {"form": form, "volunteer": volunteer})


@login_required
@require_POST
def volunteer_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_VOLUNTEER)
    volunteer = _volunteer(request, pk, audited=False)
    try:
        services.volunteer_deactivate(
            actor=request.user,
            volunteer_id=volunteer.pk,
            expected_version=int(request.POST.get("version") or 0),
        )
    except ConcurrentEditError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The volunteer is no longer active."))
    return redirect("network:volunteer", pk=volunteer.pk)


# --- partners ---------------------------------------------------------------------------------


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.PartnerFilters(
        kind=request.GET.get("kind", ""),
        region=request.GET.get("region", ""),
        active=_active_filter(request.GET.get("active")),
        q=request.GET.get("q", ""),
    )
    partners = selectors.partners_list(user=request.user, filters=filters)
    context = {
        "page": _page(request, partners),
        "filters": filters,
        "active": request.GET.get("active", ""),
        "regions": Region.objects.order_by("position", "code"),
        "kinds": PartnerKind.choices,
        "query": _query_without_page(request),
    }
    return render(request, "network/partners.html", context)


def _partner(request: HttpRequest, pk: int) -> Partner:
    try:
        return selectors.partner_get(user=request.user, pk=pk)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def partner_new(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_PARTNER)
    form = PartnerForm(request.POST or None, initial={"active": True, "screens": 0})
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda _data: services.partner_create(actor=request.user, **form.service_values()),
            done=_("Partner added."),
            success=lambda: redirect("network:partners"),
            failure=lambda failed: render(
                request, "network/partner_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "network/partner_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_PARTNER)
    partner = _partner(request, pk)
    if request.method == "POST":
        form = PartnerEditForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: services.partner_update(
                actor=request.user,
                partner_id=partner.pk,
                expected_version=data["version"],
                **form.service_values(),
            ),
            done=_("Partner saved."),
            success=lambda: redirect("network:partners"),
            failure=lambda failed: render(
                request,
                "network/partner_form.html",
                {"form": failed, "partner": partner},
                status=400,
            ),
        )
    initial = {
        "name": partner.name,
        "kind": partner.kind,
        "region": partner.region.code if partner.region else "",
        "municipality": partner.municipality.code if partner.municipality else "",
        "contact_name": partner.contact_name,
        "email": partner.email,
        "channel": partner.channel,
        "webhook_url": partner.webhook_url,
        "screens": partner.screens,
        "receives_discrete": partner.receives_discrete,
        "joined_on": partner.joined_on,
        "active": partner.active,
        "version": partner.version,
    }
    form = PartnerEditForm(initial=initial)
    return render(request, "network/partner_form.html", {"form": form, "partner": partner})


# --- followers --------------------------------------------------------------------------------


@login_required
@require_GET
def follower_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.FollowerFilters(
        q=request.GET.get("q", ""),
        group=request.GET.get("group", ""),
        channel=request.GET.get("channel", ""),
        active=_active_filter(request.GET.get("active")),
    )
    followers = selectors.followers_list(user=request.user, filters=filters)
    page = _page(request, followers)
    context = {
        "page": page,
        "filters": filters,
        "active": request.GET.get("active", ""),
        "counts": selectors.follower_counts(user=request.user),
        "channels": ReceiveChannel.choices,
        "query": _query_without_page(request),
        "matching": page.paginator.count,
    }
    return render(request, "network/followers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follower_subscribe(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_FOLLOWER)
    form = FollowerForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda data: services.follower_subscribe(actor=request.user, **data),
            done=_("Subscribed."),
            success=lambda: redirect("network:followers"),
            failure=lambda failed: render(
                request, "network/follower_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "network/follower_form.html", {"form": form})


@login_required
@require_POST
def follower_unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_FOLLOWER)
    try:
        follower = services.follower_unsubscribe(actor=request.user, follower_id=pk)
    except Follower.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(
        request, _("%(address)s will receive no more notices.") % {"address": follower.address}
    )
    return redirect("network:followers")


@login_required
@require_http_methods(["GET", "POST"])
def follower_import(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_FOLLOWER)
    form = FollowerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.followers_import(
                    actor=request.user,
                    content=form.cleaned_data["file"].read(),
                    group=form.cleaned_data["group"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(created)d subscribed, %(resubscribed)d subscribed again, "
                        "%(already_subscribed)d already subscribed."
                    )
                    % result,
                )
                return redirect("network:followers")
        return render(request, "network/follower_import.html", {"form": form}, status=400)
    return render(request, "network/follower_import.html", {"form": form})
