"""The staff pages of the tax certificates (/funding/certificates/): a year's runs and
certificates, issuing, sending, the declaration file; one certificate with its chain.

The services and selectors check the permissions (a refusal is a 403, audited by the
middleware); a page only hides what a user may not do. Issuing runs outside ATOMIC_REQUESTS:
the run's lock is committed on its own (beacon.funding.certificates).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.core.errors import ConcurrentEditError
from beacon.funding import certificates as service
from beacon.funding.models import RunStatus, TaxCertificate

PAGE_SIZE = 100


def _year(value: str | None) -> int:
    """The year asked for, else the last one over (the one to issue in January)."""
    try:
        return int(value or "")
    except ValueError:
        return timezone.localdate().year - 1


def _to_year(year: int) -> HttpResponse:
    return redirect(f"{reverse('funding:certificates')}?year={year}")


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for messages_ in exc.message_dict.values() for m in messages_]


@login_required
@require_GET
def certificate_year(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    query = request.GET.get("q", "")
    runs = list(service.certificate_runs(user=request.user, year=year)[:20])
    certificates = service.certificates_list(user=request.user, year=year, query=query)
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    this_year = timezone.localdate().year
    context = {
        "year": year,
        "years": list(range(this_year, this_year - 8, -1)),
        "q": query,
        "runs": runs,
        "page": page,
        "query": params.urlencode(),
        "draft": not service.year_is_over(year),
        "reason": service.draft_reason(year),
        "running": any(run.status == RunStatus.RUNNING for run in runs),
        "finals": service.current_certificates(year).exists(),
        "unsent": service.current_certificates(year)
        .filter(sent_at__isnull=True, donor__erased_at__isnull=True)
        .exclude(donor__email="")
        .count(),
    }
    return render(request, "funding/certificates.html", context)


@transaction.non_atomic_requests
@login_required
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    year = _year(request.POST.get("year"))
    draft = True if request.POST.get("draft") else None
    try:
        run = service.issue_certificates(actor=request.user, year=year, draft=draft)
    except ConcurrentEditError as exc:
        messages.error(request, str(exc.args[0] if exc.args else exc.message))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "%(kind)s of %(year)s: %(issued)d issued, %(corrected)d corrected, "
                "%(unchanged)d unchanged."
            )
            % {
                "kind": _("Draft run") if run.draft else _("Run"),
                "year": year,
                "issued": run.issued,
                "corrected": run.corrected,
                "unchanged": run.unchanged,
            },
        )
    return _to_year(year)


@login_required
@require_POST
def certificate_send(request: HttpRequest) -> HttpResponse:
    year = _year(request.POST.get("year"))
    try:
        count = service.certificates_send(actor=request.user, year=year)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(count)d certificates are being sent by e-mail.") % {"count": count}
        )
    return _to_year(year)


def _download(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def certificate_declaration(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    try:
        return _download(*service.declaration(user=request.user, year=year))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return _to_year(year)


@login_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        certificate = service.certificate_get(user=request.user, pk=pk)
    except TaxCertificate.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "certificate": certificate,
        "chain": service.certificate_chain(user=request.user, certificate=certificate),
        "national_number": service.certificate_masked_number(certificate),
    }
    return render(request, "funding/certificate.html", context)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        filename, content = service.certificate_pdf(user=request.user, pk=pk)
    except TaxCertificate.DoesNotExist as exc:
        raise Http404 from exc
    return _download(filename, "application/pdf", content)
