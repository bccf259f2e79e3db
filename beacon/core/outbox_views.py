"""The outbox's operations page: deliveries that are failing or failed, and the re-send button.

Re-sending by hand exists only here, only for failed messages, and is audited (outbox_resend)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beacon.core.models import OutboxMessage, OutboxStatus
from beacon.core.outbox import outbox_resend, outbox_troubles

OUTBOX_PAGE = 200
# What the page can show: the default is every message that needs an eye on it.
FILTERS = {
    "": gettext_lazy("retrying or failed"),
    "retrying": gettext_lazy("retrying"),
    "failed": gettext_lazy("failed"),
}


@login_required
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in FILTERS:
        status = ""
    rows = outbox_troubles(user=request.user, status=status, limit=OUTBOX_PAGE + 1)
    return render(
        request,
        "core/outbox_list.html",
        {
            "rows": rows[:OUTBOX_PAGE],
            "more": len(rows) > OUTBOX_PAGE,
            "status": status,
            "filters": list(FILTERS.items()),
            "failed": OutboxStatus.FAILED,
        },
    )


@login_required
@require_POST
def outbox_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = outbox_resend(actor=request.user, message_id=pk)
    except OutboxMessage.DoesNotExist as exc:
        raise Http404(_("No such message.")) from exc
    except ValidationError as exc:
        for field_messages in exc.message_dict.values():
            for text in field_messages:
                messages.error(request, text)
    else:
        messages.success(
            request,
            _("Message %(reference)s will be sent again.")
            % {"reference": message.reference or message.idempotency_key},
        )
    return redirect(reverse("core:outbox") + "?status=failed")
