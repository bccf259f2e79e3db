"""The donors' staff pages (/funding/donors/...): donors, their accounts, mandates and gifts,
refunds, partners' tiers, the right of access (a JSON download) and the right to erasure.

The selectors and services check the permissions (a refusal is a 403, audited by the
middleware); a page only hides what a user may not do.
"""

import json
from itertools import groupby

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
from beacon.core.forms_errors import act_on_form
from beacon.core.permissions import require
from beacon.funding import donors as service
from beacon.funding.forms_donors import (
    DonorAccountForm,
    DonorEditForm,
    DonorForm,
    GiftForm,
    GiftRefundForm,
    MandateForm,
)
from beacon.funding.models import Donor, DonorKind, Gift

PAGE_SIZE = 50


def _donor(request: HttpRequest, pk: int, *, audited: bool = True) -> Donor:
    try:
        return service.donor_get(user=request.user, pk=pk, audited=audited)
    except Donor.DoesNotExist as exc:
        raise Http404 from exc


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _year(value: str | None, default: int) -> int:
    try:
        year = int(value or default)
    except ValueError:
        return default
    return year if 1900 <= year <= 9999 else default


@login_required
@require_GET
def donor_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    if kind not in DonorKind.values:
        kind = ""
    donors = service.donors_list(user=request.user, query=query, kind=kind)
    context = {
        "page": Paginator(donors, PAGE_SIZE).get_page(request.GET.get("page")),
        "q": query,
        "kind": kind,
        "kinds": DonorKind.choices,
        "query": _query_without_page(request),
    }
    return render(request, "funding/donors.html", context)


@login_required
@require_GET
def donor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donor = _donor(request, pk)
    user = request.user
    context: dict = {
        "donor": donor,
        "structured_reference": service.cleaning.format_structured_reference(
            donor.structured_reference
        ),
        "accounts": service.donor_accounts(user=user, donor_id=donor.pk),
        "mandates": service.donor_mandates(user=user, donor_id=donor.pk),
        "certificates": service.donor_certificates(user=user, donor_id=donor.pk),
        "account_form": DonorAccountForm(),
    }
    if user.has_perm(service.VIEW_GIFT):
        totals = {row["year"]: row for row in service.donor_year_totals(user=user, donor_id=pk)}
        gifts = service.donor_gifts(user=user, donor_id=donor.pk)
        context["years"] = [
            {"year": year, "gifts": list(items), "totals": totals.get(year)}
            for year, items in groupby(gifts, key=lambda g: g.received_on.year)
        ]
    if donor.kind == DonorKind.ORGANISATION:
        year = timezone.localdate().year
        context["tiers"] = [
            (y, service.donor_tier(user=user, donor=donor, year=y)) for y in (year, year - 1)
        ]
    return render(request, "funding/donor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def donor_new(request: HttpRequest) -> HttpResponse:
    require(request.user, service.ADD_DONOR)
    form = DonorForm(request.POST or None, initial={"kind": "person", "country": "BE"})
    if request.method == "POST":
        created: list[Donor] = []
        return act_on_form(
            request,
            form,
            lambda _data: created.append(
                service.donor_create(actor=request.user, **form.service_values())
            ),
            done=_("Donor added."),
            success=lambda: redirect("funding:donor", pk=created[0].pk),
            failure=lambda failed: render(
                request, "funding/donor_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "funding/donor_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, service.CHANGE_DONOR)
    donor = _donor(request, pk, audited=request.method == "GET")
    if donor.erased_at is not None:
        messages.error(request, _("This donor was erased: nothing can be added or changed."))
        return redirect("funding:donor", pk=donor.pk)
    if request.method == "POST":
        form = DonorEditForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: service.donor_update(
                actor=request.user,
                donor_id=donor.pk,
                expected_version=data["version"],
                **form.service_values(),
            ),
            done=_("Donor saved."),
            success=lambda: redirect("funding:donor", pk=donor.pk),
            failure=lambda failed: render(
                request, "funding/donor_form.html", {"form": failed, "donor": donor}, status=400
            ),
        )
    initial = {field: getattr(donor, field) for field in service.STORED_FIELDS}
    initial["version"] = donor.version
    form = DonorEditForm(initial=initial)
    return render(request, "funding/donor_form.html", {"form": form, "donor": donor})


@login_required
@require_POST
def donor_account_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, service.CHANGE_DONOR)
    donor = _donor(request, pk, audited=False)
    form = DonorAccountForm(request.POST)
    if form.is_valid():
        try:
            service.donor_account_add(
                actor=request.user, donor_id=donor.pk, iban=form.cleaned_data["iban"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Account added."))
    else:
        messages.error(request, _("Enter an IBAN."))
    return redirect("funding:donor", pk=donor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mandate_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, service.CHANGE_DONOR)
    donor = _donor(request, pk, audited=False)
    form = MandateForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda data: service.mandate_create(actor=request.user, donor_id=donor.pk, **data),
            done=_("Mandate added."),
            success=lambda: redirect("funding:donor", pk=donor.pk),
            failure=lambda failed: render(
                request,
                "funding/donor_mandate_form.html",
                {"form": failed, "donor": donor},
                status=400,
            ),
        )
    return render(request, "funding/donor_mandate_form.html", {"form": form, "donor": donor})


@login_required
@require_http_methods(["GET", "POST"])
def gift_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, service.ADD_GIFT)
    donor = _donor(request, pk, audited=False)
    mandates = service.donor_mandates(user=request.user, donor_id=donor.pk)
    form = GiftForm(request.POST or None, mandates=mandates)
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda data: service.gift_record(actor=request.user, donor_id=donor.pk, **data),
            done=_("Gift recorded."),
            success=lambda: redirect("funding:donor", pk=donor.pk),
            failure=lambda failed: render(
                request, "funding/gift_form.html", {"form": failed, "donor": donor}, status=400
            ),
        )
    return render(request, "funding/gift_form.html", {"form": form, "donor": donor})


@login_required
@require_http_methods(["GET", "POST"])
def gift_refund(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, service.CHANGE_GIFT)
    try:
        gift = service.gift_get(user=request.user, pk=pk)
    except Gift.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = GiftRefundForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: service.gift_refund(
                actor=request.user,
                gift_id=gift.pk,
                expected_version=data["version"],
                refunded_on=data["refunded_on"],
                reason=data["reason"],
            ),
            done=_("Refund recorded."),
            success=lambda: redirect("funding:donor", pk=gift.donor_id),
            failure=lambda failed: render(
                request, "funding/gift_refund.html", {"form": failed, "gift": gift}, status=400
            ),
        )
    form = GiftRefundForm(initial={"version": gift.version, "refunded_on": timezone.localdate()})
    return render(request, "funding/gift_refund.html", {"form": form, "gift": gift})


@login_required
@require_POST
def donor_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The right of access: everything kept about the donor, as a JSON file."""
    data = service.donor_export(actor=request.user, donor_id=pk)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="donor-{pk}-{day}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def donor_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """The right to erasure, after a confirmation page that says what stays and why."""
    require(request.user, service.ERASE_DONOR)
    donor = _donor(request, pk, audited=request.method == "GET")
    if request.method == "POST":
        try:
            service.donor_erase(
                actor=request.user,
                donor_id=donor.pk,
                expected_version=int(request.POST.get("version") or 0),
            )
        except ConcurrentEditError as exc:
            messages.error(request, str(exc.message))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The donor was erased."))
        return redirect("funding:donor", pk=donor.pk)
    context = {
        "donor": donor,
        "certificates": service.donor_certificates(user=request.user, donor_id=donor.pk).count(),
    }
    return render(request, "funding/donor_erase.html", context)


@login_required
@require_GET
def tiers(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    context = {
        "year": year,
        "rows": service.partner_tiers(user=request.user, year=year),
        "tiers": [(t, service.tier_name(t)) for t in service.tiers_of_year(year)],
        "years": list(range(today.year, today.year - 6, -1)),
    }
    return render(request, "funding/tiers.html", context)
