"""Staff preferences and the audit browser."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from beacon.core.models import AuditAction, AuditRecord
from beacon.core.services import user_set_language

AUDIT_PAGE = 100


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_auditrecord"):
        raise PermissionDenied("core.view_auditrecord")
    records = AuditRecord.objects.select_related("actor")
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        "action": request.GET.get("action", "").strip(),
    }
    if filters["actor"]:
        records = records.filter(actor__username=filters["actor"])
    if filters["object_type"]:
        records = records.filter(object_type=filters["object_type"])
    if filters["object_id"]:
        records = records.filter(object_id=filters["object_id"])
    if filters["action"] in AuditAction.values:
        records = records.filter(action=filters["action"])
    before = request.GET.get("before", "")
    if before.isdigit():
        records = records.filter(id__lt=int(before))
    rows = list(records.order_by("-id")[: AUDIT_PAGE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "records": rows[:AUDIT_PAGE],
            "next_before": rows[AUDIT_PAGE - 1].pk if len(rows) > AUDIT_PAGE else None,
            "filters": filters,
            "actions": AuditAction.choices,
            "query": query.urlencode(),
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where a user starts: the line's board for those who take calls, the hotline's queue for
    analysts, donors for finance users, the network for volunteer coordinators, the figures for
    statistics readers, else the case list."""
    if request.user.is_authenticated and request.user.has_perm("line.add_call"):
        return redirect("line:board")
    # Analysts work the civil hotline's queue; they read no case files.
    if (
        request.user.is_authenticated
        and request.user.has_perm("reports.assess_urlitem")
        and not request.user.has_perm("cases.view_missing_case")
    ):
        return redirect("reports:queue")
    # Those who read no case files start where their work is.
    if request.user.is_authenticated and not request.user.has_perm("cases.view_missing_case"):
        if request.user.has_perm("funding.view_donor"):
            return redirect("funding:donors")
        if request.user.has_perm("network.view_volunteer"):
            return redirect("network:home")
        if request.user.has_perm("figures.view_figures"):
            return redirect("figures:glance")
    return redirect("cases:list")
