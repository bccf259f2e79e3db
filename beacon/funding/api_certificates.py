"""The API of funding: certificates (mounted under /api/v1/funding by beacon/funding/api.py).

POST /runs issues a year's certificates (409 while another run of the year is going, 422 for a
year that cannot be issued), GET /runs lists the runs; GET /?year= the year's certificates,
GET /{id} one (audited), GET /{id}/pdf its PDF, GET /declaration?year= the declaration file.
Permissions are the services' own: funding.view_taxcertificate to read, funding.
issue_certificates to issue and to download the declaration.

Issuing must run outside ATOMIC_REQUESTS: the run's lock row is committed on its own before the
work, and a failed run is recorded as such (beacon.funding.certificates). Ninja makes one Django
view per path (all its methods), created when the API's URLs are built: the path /runs gets a
PathView whose view is marked `non_atomic_requests` (its GET only reads).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.operation import PathView

from beacon.core.api import error_responses
from beacon.funding import certificates as service
from beacon.funding.models import CertificateRun, TaxCertificate

router = Router(tags=["funding: certificates"])

MAX_LIMIT = 1000


class RunIn(Schema):
    year: int
    draft: bool | None = None


class RunOut(Schema):
    id: int
    year: int
    draft: bool
    status: str
    started_by: str | None
    started_at: datetime
    finished_at: datetime | None
    issued: int
    corrected: int
    unchanged: int
    error: str


class CertificateOut(Schema):
    id: int
    reference: str
    year: int
    number: int | None
    draft: bool
    kind: str
    corrects: str | None
    corrected_by: str | None
    donor_id: int
    donor_kind: str
    first_name: str
    last_name: str
    street: str
    postcode: str
    city: str
    country: str
    language: str
    national_number_masked: str
    company_number: str
    amount: Decimal
    gift_count: int
    issued_at: datetime
    sent_at: datetime | None


class CertificatePageOut(Schema):
    count: int
    items: list[CertificateOut]


def run_out(run: CertificateRun) -> dict:
    return {
        "id": run.pk,
        "year": run.year,
        "draft": run.draft,
        "status": run.status,
        "started_by": run.started_by.get_username() if run.started_by else None,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "issued": run.issued,
        "corrected": run.corrected,
        "unchanged": run.unchanged,
        "error": run.error,
    }


def certificate_out(certificate: TaxCertificate, *, detail: bool = False) -> dict:
    corrected_by = None
    if detail:
        follower = TaxCertificate.objects.filter(corrects=certificate).first()
        corrected_by = follower.reference if follower else None
    return {
        "id": certificate.pk,
        "reference": certificate.reference,
        "year": certificate.year,
        "number": certificate.number,
        "draft": certificate.draft,
        "kind": certificate.kind,
        "corrects": certificate.corrects.reference if certificate.corrects is not None else None,
        "corrected_by": corrected_by,
        "donor_id": certificate.donor_id,
        "donor_kind": certificate.donor_kind,
        "first_name": certificate.first_name,
        "last_name": certificate.last_name,
        "street": certificate.street,
        "postcode": certificate.postcode,
        "city": certificate.city,
        "country": certificate.country,
        "language": certificate.language,
        "national_number_masked": service.certificate_masked_number(certificate),
        "company_number": certificate.company_number,
        "amount": certificate.amount,
        "gift_count": certificate.gift_count,
        "issued_at": certificate.issued_at,
        "sent_at": certificate.sent_at,
    }


def _attachment(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/runs", response={201: RunOut, **error_responses(403, 409, 422)})
def run_issue(request: HttpRequest, data: RunIn):
    """Issue a year's certificates: a draft when the year is not over (or `draft` true)."""
    run = service.issue_certificates(actor=request.user, year=data.year, draft=data.draft)
    return Status(201, run_out(run))


@router.get("/runs", response={200: list[RunOut], **error_responses(403)})
def run_list(request: HttpRequest, year: int | None = None):
    return [run_out(run) for run in service.certificate_runs(user=request.user, year=year)[:200]]


class ListFilters(Schema):
    year: int
    q: str = ""
    offset: int = 0
    limit: int = 100


@router.get("", response={200: CertificatePageOut, **error_responses(403)})
def certificate_list(request: HttpRequest, filters: Query[ListFilters]):
    certificates = service.certificates_list(user=request.user, year=filters.year, query=filters.q)
    offset = max(filters.offset, 0)
    limit = min(max(filters.limit, 1), MAX_LIMIT)
    return {
        "count": certificates.count(),
        "items": [certificate_out(c) for c in certificates[offset : offset + limit]],
    }


@router.get("/declaration", response={200: None, **error_responses(403, 422)})
def declaration_download(request: HttpRequest, year: int):
    """The declaration file of a closed year (Belcotax XML up to 2024, JSON Lines from 2025)."""
    return _attachment(*service.declaration(user=request.user, year=year))


@router.get("/{certificate_id}", response={200: CertificateOut, **error_responses(403, 404)})
def certificate_detail(request: HttpRequest, certificate_id: int):
    certificate = service.certificate_get(user=request.user, pk=certificate_id)
    return certificate_out(certificate, detail=True)


@router.get("/{certificate_id}/pdf", response={200: None, **error_responses(403, 404)})
def certificate_pdf(request: HttpRequest, certificate_id: int):
    filename, content = service.certificate_pdf(user=request.user, pk=certificate_id)
    return _attachment(filename, "application/pdf", content)


class NonAtomicPathView(PathView):
    """A path whose Django view runs outside ATOMIC_REQUESTS (kept when ninja clones it)."""

    def get_view(self) -> Callable:
        return transaction.non_atomic_requests(super().get_view())

    def clone(self) -> "NonAtomicPathView":
        cloned = NonAtomicPathView()
        cloned.is_async = self.is_async
        cloned.url_name = self.url_name
        cloned.operations = [operation.clone() for operation in self.operations]
        return cloned


def _non_atomic(path: str) -> None:
    plain = router.path_operations[path]
    marked = NonAtomicPathView()
    marked.is_async = plain.is_async
    marked.url_name = plain.url_name
    marked.operations = plain.operations
    router.path_operations[path] = marked


_non_atomic("/runs")
