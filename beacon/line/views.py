"""The line's staff UI: the live board (the responders' start page) and the one-screen call log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.cases.models import Case
from beacon.cases.selectors import case_get
from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import add_service_errors
from beacon.core.permissions import require
from beacon.line import selectors, services
from beacon.line.forms import CallForm, now_local
from beacon.line.models import Call

# A service names the call's category "topic_category" and the case's "category"/"subkind":
# on this form both are the one "topic" choice; the linked case is "case_number".
ALIASES = {
    "topic_category": "topic",
    "topic_kind": "topic",
    "category": "topic",
    "subkind": "topic",
    "case": "case_number",
    "summary": "note",
}


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    data = selectors.board(user=request.user)
    # HTMX polls the board every 15 s for the fragment alone.
    template = "line/_board.html" if request.htmx else "line/board.html"  # type: ignore[attr-defined]
    return render(request, template, {"board": data})


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "line.add_call")
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                return _log(request, form)
            except ValidationError as exc:
                add_service_errors(form, exc, aliases=ALIASES)
        status = 400
    else:
        form = CallForm(initial={"case_number": request.GET.get("case", "")[:100]})
        status = 200
    return render(request, "line/call_new.html", {"form": form}, status=status)


def _linked_case(request, number: str) -> Case | None:
    """The case the form names by its number; a case the user may not open is "no such case"."""
    if not number:
        return None
    try:
        return case_get(user=request.user, number=number.upper(), audited=False)
    except Case.DoesNotExist as exc:
        raise ValidationError({"case_number": [_("No such case.")]}) from exc


def _log(request, form: CallForm) -> HttpResponse:
    data = form.cleaned_data
    values = form.call_values()
    if request.POST.get("action") == "open_case":
        _kind, category, subkind = form.topic_values()
        if category is None:
            raise ValidationError({"topic": [_("Choose the case category to open a case.")]})
        if data.get("case_number"):
            raise ValidationError(
                {"case_number": [_("A call opening a new case cannot also concern another.")]}
            )
        details: dict = {"reporter_contact": ""}
        if not form.is_exploitation(category):
            details["last_seen_at"] = data.get("last_seen_at")
            details["last_seen_place"] = data.get("last_seen_place", "")
        call, case = services.call_open_case(
            actor=request.user,
            call_values=values,
            category=category,
            subkind=subkind,
            person_data=form.person_data(),
            **details,
        )
        messages.success(
            request, _("Call logged and case %(number)s opened.") % {"number": case.number}
        )
        if Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
            return redirect("cases:detail", pk=case.pk)
        # An exploitation case opened for the team: the responder may not open it afterwards.
        return redirect("line:board")
    linked = _linked_case(request, (data.get("case_number") or "").strip())
    services.call_log(actor=request.user, case=linked, **values)
    messages.success(request, _("Call logged."))
    return redirect("line:board")


@login_required
@require_GET
def case_search(request: HttpRequest) -> HttpResponse:
    """HTMX: the cases matching the one-screen form's case field, to pick one."""
    require(request.user, "line.add_call")
    q = request.GET.get("case_number", request.GET.get("q", ""))[:100]
    cases = selectors.cases_to_link(user=request.user, q=q)
    return render(request, "line/_case_results.html", {"cases": cases, "q": q.strip()})


@login_required
@require_GET
def now(request: HttpRequest) -> HttpResponse:
    """HTMX: the "end call" button swaps in the end-time field set to now (the server's clock,
    in the organisation's time zone, like the start time's default)."""
    require(request.user, "line.add_call")
    form = CallForm(initial={"ended_at": now_local()})
    return HttpResponse(str(form["ended_at"]))


def _call(request, pk: int) -> Call:
    try:
        return selectors.call_get(user=request.user, pk=pk)
    except Call.DoesNotExist as exc:
        raise Http404(_("No such call.")) from exc


def _version(request) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else 0


def _report(request, exc: ValidationError | ConcurrentEditError) -> None:
    if isinstance(exc, ConcurrentEditError):
        messages.error(request, exc.message)
        return
    for field_messages in exc.message_dict.values():
        for message in field_messages:
            messages.error(request, message)


@login_required
@require_POST
def call_end(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.call_end(actor=request.user, call=call, expected_version=_version(request))
    except (ConcurrentEditError, ValidationError) as exc:
        _report(request, exc)
    return redirect("line:board")


@login_required
@require_POST
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.callback_done(actor=request.user, call=call, expected_version=_version(request))
    except (ConcurrentEditError, ValidationError) as exc:
        _report(request, exc)
    return redirect("line:board")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.call_acknowledge_flag(actor=request.user, call=call)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc
    except ValidationError as exc:
        _report(request, exc)
    if call.case_id is None:
        return redirect("line:board")
    return redirect("cases:detail", pk=call.case_id)
