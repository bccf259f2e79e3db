"""The list of risk flags for team leads, and acknowledging or clearing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.risk import selectors, services
from beacon.risk.models import RiskFlag, RiskRule


@login_required
@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status in selectors.FLAG_STATUSES else "open"
    rule = request.GET.get("rule", "")
    flags = selectors.flag_list(user=request.user, status=status, rule=rule)
    return render(
        request,
        "risk/list.html",
        {"flags": flags, "status": status, "rule": rule, "rules": RiskRule.objects.all()},
    )


@login_required
@require_POST
def flag_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        flag = selectors.flag_get(user=request.user, pk=pk)
    except RiskFlag.DoesNotExist as exc:
        raise Http404(_("No such flag.")) from exc
    call = services.flag_clear if action == "clear" else services.flag_acknowledge
    try:
        call(actor=request.user, flag=flag, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("risk:list")
