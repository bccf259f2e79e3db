"""Image matching's staff pages: the analysts' queue of matches, one scanned image with its
matches and decision forms, its kept preview (blurred until the analyst chooses to reveal it,
counted in their exposure), the scans, the analysts' exposure, and the civil hotline's
"hash an image" form.

A URL is shown as text, never as a link. The banked images are never shown: Beacon has only
their hashes."""

import base64
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.core.forms_errors import act_on_form
from beacon.core.localtime import local_days_bounds
from beacon.matching import acting, selectors
from beacon.matching.choices import ItemStatus, ScanSource
from beacon.matching.forms import ConfirmForm, HashImageForm, RejectForm
from beacon.matching.models import ScanItem
from beacon.matching.scans import ScanInput, scan_submit
from beacon.reports import selectors as report_selectors
from beacon.reports.models import Notice, UrlItem


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    try:
        after = selectors.parse_cursor(request.GET.get("after", ""))
    except ValueError:
        after = None
    items = selectors.queue(user=request.user, after=after)
    return render(
        request,
        "matching/queue.html",
        {
            "items": items,
            "waiting": selectors.queue_count(user=request.user),
            "next_after": selectors.next_cursor(items),
        },
    )


def _load(request, pk: int) -> ScanItem:
    try:
        return selectors.item_get(user=request.user, pk=pk)
    except ScanItem.DoesNotExist as exc:
        raise Http404 from exc


def _page(request, item: ScanItem, status: int = 200, **forms) -> HttpResponse:
    context = {
        "item": item,
        "matches": list(item.matches.all()),
        "notices": list(Notice.objects.filter(item_id=item.url_item_id))
        if item.url_item_id
        else [],
        "can_decide": item.status == ItemStatus.QUEUED
        and request.user.has_perm("matching.review_match"),
        "confirm_form": forms.get("confirm_form")
        or ConfirmForm(
            initial={"version": item.version, "add_to_own_bank": acting.own_bank() is not None}
        ),
        "reject_form": forms.get("reject_form")
        or RejectForm(initial={"version": item.version}, prefix="reject"),
    }
    return render(request, "matching/item.html", context, status=status)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _load(request, pk))


@login_required
@require_POST
def item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(request, pk)
    form = ConfirmForm(request.POST)
    return act_on_form(
        request,
        form,
        lambda data: acting.match_confirm(
            actor=request.user, item_id=item.pk, expected_version=data.pop("version"), **data
        ),
        done=_("Confirmed: the notice is on its way."),
        success=lambda: redirect("matching:queue"),
        failure=lambda failed: _page(request, item, status=400, confirm_form=failed),
    )


@login_required
@require_POST
def item_reject(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(request, pk)
    form = RejectForm(request.POST, prefix="reject")
    return act_on_form(
        request,
        form,
        lambda data: acting.match_reject(
            actor=request.user, item_id=item.pk, expected_version=data.pop("version"), **data
        ),
        done=_("Rejected: this pair will not be offered again."),
        success=lambda: redirect("matching:queue"),
        failure=lambda failed: _page(request, item, status=400, reject_form=failed),
    )


def _frame(request, data: bytes, *, revealed: bool) -> HttpResponse:
    """A page for the preview frame holding the image inline (a data: URI), so the picture never
    has an address of its own that a browser could fetch again or keep in a cache."""
    response = render(
        request,
        "matching/preview_frame.html",
        {"data": base64.b64encode(data).decode(), "revealed": revealed},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@xframe_options_sameorigin
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The kept image: blurred beyond recognition on a GET (not counted); as it is only on a POST
    (the analyst's choice), counted in their exposure and audited, so no link, prefetch or
    crawler can reveal it."""
    try:
        item = selectors.item_for_preview(user=request.user, pk=pk)
    except ScanItem.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        return _frame(request, acting.preview_reveal(actor=request.user, item=item), revealed=True)
    return _frame(request, acting.preview_blurred(item), revealed=False)


@login_required
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    """The scans, newest first; with ?from=&to= (local dates) every batch of that period and
    their total: the drill-down of the figure "images analysed"."""
    first = parse_date(request.GET.get("from", "") or "")
    last = parse_date(request.GET.get("to", "") or "")
    if first and last and first <= last:
        start, end = local_days_bounds(first, last)
        rows = list(selectors.batches(user=request.user, start=start, end=end))
        total = sum(batch.images for batch in rows)
    else:
        first = last = None
        rows = list(selectors.batches(user=request.user)[:100])
        total = None
    return render(
        request,
        "matching/batches.html",
        {"batches": rows, "first": first, "last": last, "total": total},
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    items = list(selectors.batch_items(user=request.user, batch_id=pk)[:500])
    return render(request, "matching/batch.html", {"items": items, "batch_id": pk})


@login_required
@require_GET
def exposure(request: HttpRequest) -> HttpResponse:
    last = timezone.localdate()
    first = last - timedelta(days=13)
    rows = selectors.exposure(user=request.user, first=first, last=last)
    return render(request, "matching/exposure.html", {"rows": rows, "first": first, "last": last})


@login_required
@require_http_methods(["GET", "POST"])
def hotline_hash(request: HttpRequest, item_id: int) -> HttpResponse:
    """An analyst of the civil hotline hashes an image kept for the decision on a reported URL:
    it is matched against the banks like any scan, linked to the URL's record."""
    if not request.user.has_perm("matching.scan_images"):
        raise PermissionDenied
    try:
        url_item: UrlItem = report_selectors.item_get(user=request.user, pk=item_id)
    except UrlItem.DoesNotExist as exc:
        raise Http404 from exc
    form = HashImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["image"]
        _batch, [outcome] = scan_submit(
            actor=request.user,
            source=ScanSource.HOTLINE,
            items=[ScanInput(image=upload.read(), content_type=upload.content_type or "")],
            label=f"hotline item {url_item.pk}",
            url_item=url_item,
        )
        if outcome.refused:
            form.add_error("image", outcome.message)
        else:
            assert outcome.item is not None
            messages.success(request, _("Hashed and matched against the banks."))
            return redirect("matching:item", pk=outcome.item.pk)
    return render(
        request,
        "matching/hotline_hash.html",
        {"form": form, "url_item": url_item},
        status=400 if form.errors else 200,
    )
