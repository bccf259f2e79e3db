"""The line's staff UI: the live board (the responders' start page) and the one-screen call log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.cases.models import Case
from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import add_service_errors
from beacon.line import selectors, services
from beacon.line.forms import CallForm
from beacon.line.models import Call

# A service names the call's category "topic_category" and the case's "category"/"subkind":
# on this form both are the one "topic" choice.
ALIASES = {
    "topic_category": "topic",
    "topic_kind": "topic",
    "category": "topic",
    "subkind": "topic",
}


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    data = selectors.board(user=request.user)
    template = "line/_board.html" if request.htmx else "line/board.html"  # type: ignore[attr-defined]
    return render(request, template, {"board": data})


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, "line.add_call")
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                return _log(request, form)
            except ValidationError as exc:
                add_service_errors(form, exc, aliases=ALIASES)
        status = 400
    else:
        form = CallForm(initial={"case_number": request.GET.get("case", "")})
        status = 200
    return render(request, "line/call_new.html", {"form": form}, status=status)


def _log(request, form: CallForm) -> HttpResponse:
    data = form.cleaned_data
    values = form.call_values()
    if request.POST.get("action") == "open_case":
        _kind, category, subkind = form.topic_values()
        if category is None:
            raise ValidationError({"topic": [_("Choose the case category to open a case.")]})
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
        return redirect("line:board")
    linked: Case | None = None
    number = (data.get("case_number") or "").strip()
    if number:
        linked = Case.objects.visible_to(request.user).filter(number__iexact=number).first()
        if linked is None:
            raise ValidationError({"case_number": [_("No such case.")]})
    services.call_log(actor=request.user, case=linked, **values)
    messages.success(request, _("Call logged."))
    return redirect("line:board")


def _call(request, pk: int) -> Call:
    try:
        return selectors.call_get(user=request.user, pk=pk)
    except Call.DoesNotExist as exc:
        raise Http404(_("No such call.")) from exc


@login_required
@require_POST
def call_end(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.call_end(
            actor=request.user, call=call, expected_version=int(request.POST.get("version", 0))
        )
    except ConcurrentEditError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for field_messages in exc.message_dict.values():
            for message in field_messages:
                messages.error(request, message)
    return redirect("line:board")


@login_required
@require_POST
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.callback_done(
            actor=request.user, call=call, expected_version=int(request.POST.get("version", 0))
        )
    except (ConcurrentEditError, ValidationError):
        messages.error(request, _("The call changed meanwhile; look again."))
    return redirect("line:board")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        services.call_acknowledge_flag(actor=request.user, call=call)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc
    return redirect("cases:detail", pk=call.case_id)
