"""The civil hotline's staff pages: the analysts' queue, one URL's page (assess, second opinion,
confirm actions, record replies), victim referrals for case managers, and the analysts' workload.

A reported URL is always shown as text, never as a link: nothing in Beacon loads its content.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.cases.models import Case
from beacon.cases.selectors import case_get
from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import act_on_form
from beacon.reports import selectors, services
from beacon.reports.choices import Action, ItemStatus
from beacon.reports.forms import ActionsForm, AssessmentForm, NoticeReplyForm, ReferralLinkForm
from beacon.reports.models import Notice, UrlItem, VictimReferral


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    after = request.GET.get("after", "")
    items = list(
        selectors.item_queue(
            user=request.user, status=status, after_id=int(after) if after.isdigit() else None
        )
    )
    return render(
        request,
        "reports/queue.html",
        {
            "items": items,
            "status": status,
            "statuses": ItemStatus.choices,
            "next_after": items[-1].id if len(items) == selectors.QUEUE_PAGE else None,
        },
    )


def _load(request, pk: int) -> UrlItem:
    try:
        return selectors.item_get(user=request.user, pk=pk)
    except UrlItem.DoesNotExist as exc:
        raise Http404 from exc


def _forms(item: UrlItem, **given) -> dict:
    assessment = item.current_assessment
    initial: dict = {"version": item.version, "hosting_country": item.hosting_country}
    if assessment is not None:
        for field in AssessmentForm.base_fields:
            if field not in ("version", "hosting_country") and hasattr(assessment, field):
                value = getattr(assessment, field)
                if field in ("accessible", "self_generated", "commercial"):
                    # These are choice fields of "true"/"false"; the victim flag is a checkbox.
                    value = {True: "true", False: "false"}.get(value, value)
                initial[field] = value
    forms: dict = {
        "assessment_form": AssessmentForm(initial=initial),
        "actions_form": ActionsForm(
            initial={"version": item.version, "actions": item.proposed_actions}
        ),
        "reply_forms": {},
    }
    forms.update(given)
    for notice in item.notices.all():
        if notice.pk not in forms["reply_forms"]:
            forms["reply_forms"][notice.pk] = NoticeReplyForm(
                initial={"version": notice.version}, prefix=f"n{notice.pk}"
            )
    return forms


def _page(request, item: UrlItem, status: int = 200, **given) -> HttpResponse:
    forms = _forms(item, **given)
    notices = [(notice, forms["reply_forms"][notice.pk]) for notice in item.notices.all()]
    context = {
        "item": item,
        "notices": notices,
        "proposed": [Action(a).label for a in item.proposed_actions if a in Action.values],
        "can_assess": item.status
        in (ItemStatus.NEW, ItemStatus.SECOND_OPINION, ItemStatus.ASSESSED),
        **forms,
    }
    return render(request, "reports/item.html", context, status=status)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _load(request, pk))


def _act(request, item: UrlItem, form, form_name: str, call, done: str) -> HttpResponse:
    """Run one service on a valid form: back to the page with a message, or the page again with
    the service's errors on the form (a stale version keeps the analyst's input)."""

    def failure(failed) -> HttpResponse:
        if form_name.startswith("reply:"):
            notice_id = int(form_name.split(":")[1])
            return _page(request, item, status=400, reply_forms={notice_id: failed})
        return _page(request, item, status=400, **{form_name: failed})

    return act_on_form(
        request,
        form,
        call,
        done=done,
        success=lambda: redirect("reports:item", pk=item.pk),
        failure=failure,
    )


@login_required
@require_POST
def item_assess(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(request, pk)
    form = AssessmentForm(request.POST)
    return _act(
        request,
        item,
        form,
        "assessment_form",
        lambda data: services.assessment_record(
            actor=request.user,
            item_id=item.pk,
            expected_version=data.pop("version"),
            **data,
        ),
        _("Assessment saved. Check the proposed actions below."),
    )


@login_required
@require_POST
def item_second_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(request, pk)
    try:
        services.second_opinion_request(
            actor=request.user,
            item_id=item.pk,
            expected_version=int(request.POST.get("version", "0") or 0),
        )
    except (ConcurrentEditError, ValidationError) as exc:
        text = exc.message if isinstance(exc, ConcurrentEditError) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("A colleague is asked for a second opinion."))
    return redirect("reports:item", pk=item.pk)


@login_required
@require_POST
def item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(request, pk)
    form = ActionsForm(request.POST)
    return _act(
        request,
        item,
        form,
        "actions_form",
        lambda data: services.actions_confirm(
            actor=request.user,
            item_id=item.pk,
            expected_version=data["version"],
            actions=data["actions"],
            critical=data["critical"],
            explanation=data["explanation"],
            referral_note=data["referral_note"],
        ),
        _("Actions confirmed; the notices are on their way."),
    )


@login_required
@require_POST
def notice_reply(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    item = _load(request, pk)
    if not Notice.objects.filter(pk=notice_id, item=item).exists():
        raise Http404
    form = NoticeReplyForm(request.POST, prefix=f"n{notice_id}")
    return _act(
        request,
        item,
        form,
        f"reply:{notice_id}",
        lambda data: services.notice_record_reply(
            actor=request.user,
            notice_id=notice_id,
            expected_version=data.pop("version"),
            **data,
        ),
        _("Reply recorded."),
    )


@login_required
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    last = parse_date(request.GET.get("to", "") or "") or today
    first = parse_date(request.GET.get("from", "") or "") or last - timedelta(days=13)
    if first > last:
        first, last = last, first
    rows = selectors.analyst_workload(user=request.user, first=first, last=last)
    return render(request, "reports/workload.html", {"rows": rows, "first": first, "last": last})


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    rows = selectors.referrals(user=request.user, open_only=not show_all)
    return render(
        request,
        "reports/referrals.html",
        {"referrals": rows, "show_all": show_all, "form": ReferralLinkForm()},
    )


@login_required
@require_POST
def referral_link(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReferralLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a case number."))
        return redirect("reports:referrals")
    number = form.cleaned_data["case_number"].strip().upper()
    try:
        # A case the user may not open is "no such case" (the service says so for id 0).
        case = case_get(user=request.user, number=number, audited=False)
    except Case.DoesNotExist:
        case = None
    try:
        services.referral_link_case(
            actor=request.user, referral_id=pk, case_id=case.pk if case else 0
        )
    except VictimReferral.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The referral is linked to the case."))
    return redirect("reports:referrals")
