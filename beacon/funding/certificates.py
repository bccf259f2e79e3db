"""Tax certificates (Belgian form 281.71): issuing a year's certificates, sending them, reading
them. Services and selectors of one area, called alike by the staff pages, the API and the
`beacon funding_certificates` command.

Who gets a certificate. Every donor whose deductible gifts of the year (`cleaning.
deductible_gifts_q`: received on a day of the year in the organisation's time zone, of a nature
the rules count, legacies only if the rules say so, not refunded) total at least
settings.TAX_CERTIFICATE_MINIMUM_EUR. The totals come from ONE aggregate query grouped by donor;
certificates are written with bulk_create in batches, numbered in Python from the year's highest
number: 40,000 donors and 400,000 gifts are a matter of seconds (benchmarks/certificates.py).

Erased donors. A certificate is a legal record: the tax administration has it (or will have it)
and the donor deducts the amount. So erasing a donor (beacon.funding.donors.donor_erase) keeps the
certificates as issued, and the donor's gifts still count: a refund after erasure still cancels
or corrects the certificate (or the declaration would keep an amount no longer true). A corrective
or cancellation of an erased donor takes its snapshot (name, address, national register number)
from the certificate it corrects, since the donor's record no longer carries it. An erased donor
with no certificate for the year gets none: the erasure cleared the name, address and national
register number a certificate and its declaration need, so there is no one to certify to.

Final runs are idempotent. Per donor and year the certificates form one chain: an original, then
correctives or a cancellation each pointing (`corrects`) at the one it replaces. The current
certificate is the chain's last (not corrected by another). A re-run compares each donor's total
with the current certificate:
- same amount: nothing new (`unchanged`);
- no current certificate: an ORIGINAL with the next number (`issued`);
- another amount, at least the minimum: a CORRECTIVE with the new amount (`corrected`), also after
  a cancellation (the chain goes on: the cancellation is replaced);
- under the minimum now (a refund): a CANCELLATION, amount 0 (`corrected`); a cancellation stays
  as it is while the total stays under the minimum (not counted as unchanged: nothing is in force).
An issued certificate is never changed (amount, snapshot, number); numbers are never reused (a
final certificate is never deleted and the next number is always the year's highest + 1).

Drafts. A run for a year not over yet (in the organisation's time zone) can only be a draft; a
draft run deletes the year's previous drafts and issues every eligible donor a draft (no number,
never declared, never sent; the PDF says DRAFT). A draft of a closed year may be asked explicitly.

Concurrency. The run's row (status running) is created first in its own committed transaction;
the partial unique index `one_running_run_per_year` refuses a second running run of the year, so
a second caller is told who is issuing since when (ConcurrentEditError, a 409 in the API). The
work then happens in one transaction: on any error the run is marked failed with the error,
nothing of the work remains and the lock is released. A run left running for more than an hour
(a killed process) is taken over: marked failed, and the new run starts. Callers must not hold a
transaction open (the pages, API endpoint and command run outside ATOMIC_REQUESTS): inside one,
the lock row is only visible to others at its commit and a failure rolls everything back.

Sending. `certificates_send` picks the final current certificates of the year not yet sent
whose donor (not erased) has an e-mail address, and enqueues `send_certificates` tasks of
SEND_CHUNK certificates each. A task renders each PDF (beacon.funding.certificate_pdf), stores it
in the private default storage, then in one transaction locks the certificates still unsent,
enqueues their e-mails (outbox_enqueue_many, in the donor's language, PDF attached by the outbox
attachments convention) and sets `sent_at`. Rendering 40,000 PDFs is thus no part of issuing nor
of the request; a task run twice sends nothing twice (the second finds them sent); a task that
fails leaves its certificates unsent, and pressing "send" again picks them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from beacon.core.audit import audit, audit_view
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.funding import cleaning
from beacon.funding.models import (
    CertificateKind,
    CertificateRun,
    Donor,
    Gift,
    RunStatus,
    TaxCertificate,
)

ISSUE = "funding.issue_certificates"
VIEW = "funding.view_taxcertificate"
FIRST_YEAR = 2000
STALE_AFTER = timedelta(hours=1)
BATCH = 1000  # donors read and certificates written per batch
SEND_CHUNK = 50  # certificates rendered and enqueued per task
ERROR_MAX = 2000
SNAPSHOT_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "street",
    "postcode",
    "city",
    "country",
    "language",
    "national_number_encrypted",
    "company_number",
)


# --- issuing ------------------------------------------------------------------------------------


def year_is_over(year: int) -> bool:
    return timezone.localdate().year > year


def draft_reason(year: int) -> str:
    """Why a run of `year` is a draft or final (shown next to the issue button)."""
    if year_is_over(year):
        return _("%(year)s is over: the certificates are final, numbered and declared.") % {
            "year": year
        }
    return _(
        "%(year)s is not over: only a draft can be issued (no numbers, never declared nor sent)."
    ) % {"year": year}


def _validate_year(year: int, draft: bool | None) -> bool:
    errors = FieldErrors()
    today = timezone.localdate()
    if not isinstance(year, int) or isinstance(year, bool) or year < FIRST_YEAR:
        errors.add("year", _("Give a year from %(first)s on.") % {"first": FIRST_YEAR})
        errors.raise_if_any()
    if year > today.year:
        errors.add("year", _("%(year)s has not begun.") % {"year": year})
    if draft is None:
        draft = not year_is_over(year)
    elif not draft and not year_is_over(year):
        errors.add("year", _("%(year)s is not over: only a draft can be issued") % {"year": year})
    errors.raise_if_any()
    return draft


def _running_message(run: CertificateRun | None, year: int) -> str:
    if run is None:
        return _("Certificates for %(year)s are being issued by someone else.") % {"year": year}
    who = run.started_by.get_username() if run.started_by else _("the system")
    since = formats.date_format(timezone.localtime(run.started_at), "DATETIME_FORMAT")
    return _("Certificates for %(year)s are being issued by %(user)s since %(time)s.") % {
        "year": year,
        "user": who,
        "time": since,
    }


def _start_run(*, actor, year: int, draft: bool) -> CertificateRun:
    """The run's row, committed on its own: the lock of the year (one running run per year)."""
    now = timezone.now()
    with transaction.atomic():
        # A process killed mid-run leaves its row running: an hour later it is taken over.
        CertificateRun.objects.filter(
            year=year, status=RunStatus.RUNNING, started_at__lt=now - STALE_AFTER
        ).update(
            status=RunStatus.FAILED,
            finished_at=now,
            error="abandoned: still running after an hour, taken over by a new run",
        )
        try:
            with transaction.atomic():
                run = CertificateRun.objects.create(
                    year=year, draft=draft, started_by=actor, started_at=now
                )
        except IntegrityError:
            other = (
                CertificateRun.objects.filter(year=year, status=RunStatus.RUNNING)
                .select_related("started_by")
                .first()
            )
            raise ConcurrentEditError(_running_message(other, year)) from None
    return run


def issue_certificates(*, actor, year: int, draft: bool | None = None) -> CertificateRun:
    """Issue the certificates of `year` (a draft run when the year is not over, or when asked).
    Returns the finished run with its counts; raises ConcurrentEditError while another run of
    the year is going, ValidationError on a year that cannot be issued. `actor` None is system
    work (the demo loader, a scheduled job), as elsewhere."""
    if actor is not None:
        require(actor, ISSUE)
    draft = _validate_year(year, draft)
    run = _start_run(actor=actor, year=year, draft=draft)
    try:
        with transaction.atomic():
            counts = _issue_draft(run) if draft else _issue_final(run)
            CertificateRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, finished_at=timezone.now(), **counts
            )
            audit(
                actor=actor,
                action=AuditAction.CREATE,
                obj=run,
                fields=["issued", "corrected", "unchanged"],
            )
    except BaseException as exc:
        CertificateRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX],
        )
        raise
    run.refresh_from_db()
    return run


CENTS = Decimal("0.01")


def donor_totals(year: int) -> dict[int, tuple[Decimal, int]]:
    """Each donor's deductible total and number of gifts in `year`: one aggregate query."""
    rows = (
        Gift.objects.filter(cleaning.deductible_gifts_q(year))
        .values("donor")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
        .values_list("donor", "total", "n")
    )
    # SQLite sums decimals as floats (15 significant digits come back): back to cents.
    return {donor: (Decimal(total).quantize(CENTS), n) for donor, total, n in rows}


@dataclass
class _Planned:
    donor_id: int
    kind: str
    amount: Decimal
    gift_count: int
    corrects_id: int | None = None


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(run: CertificateRun, planned: list[_Planned], *, first_number: int | None) -> None:
    """Snapshot the donors of `planned` and write the certificates in batches, numbered from
    `first_number` on in the order of `planned` (drafts: no number)."""
    now = timezone.now()
    number = first_number
    for batch in _chunks(planned, BATCH):
        donors = {
            row["id"]: row
            for row in Donor.objects.filter(pk__in=[p.donor_id for p in batch]).values(
                "id", "erased_at", *SNAPSHOT_FIELDS
            )
        }
        wanted = [p.corrects_id for p in batch if p.corrects_id is not None]
        previous = (
            {
                row["id"]: row
                for row in TaxCertificate.objects.filter(pk__in=wanted).values(
                    "id", "donor_kind", *SNAPSHOT_FIELDS[1:]
                )
            }
            if wanted
            else {}
        )
        rows = []
        for plan in batch:
            donor = donors[plan.donor_id]
            if donor["erased_at"] is not None and plan.corrects_id is not None:
                # The erased donor's record is minimised: the last snapshot is the truth.
                source = dict(previous[plan.corrects_id])
                source["kind"] = source.pop("donor_kind")
            else:
                source = donor
            encrypted = source["national_number_encrypted"]
            rows.append(
                TaxCertificate(
                    year=run.year,
                    number=number,
                    draft=run.draft,
                    kind=plan.kind,
                    corrects_id=plan.corrects_id,
                    run=run,
                    donor_id=plan.donor_id,
                    donor_kind=source["kind"],
                    first_name=source["first_name"],
                    last_name=source["last_name"],
                    street=source["street"],
                    postcode=source["postcode"],
                    city=source["city"],
                    country=source["country"],
                    language=source["language"],
                    national_number_encrypted=(bytes(encrypted) if encrypted is not None else None),
                    company_number=source["company_number"],
                    amount=plan.amount,
                    gift_count=plan.gift_count,
                    issued_at=now,
                )
            )
            if number is not None:
                number += 1
        TaxCertificate.objects.bulk_create(rows, batch_size=BATCH)


def _erased_donors() -> set[int]:
    return set(Donor.objects.filter(erased_at__isnull=False).values_list("id", flat=True))


def _issue_draft(run: CertificateRun) -> dict[str, int]:
    minimum = settings.TAX_CERTIFICATE_MINIMUM_EUR
    TaxCertificate.objects.filter(year=run.year, draft=True).delete()
    erased = _erased_donors()
    planned = [
        _Planned(donor_id=donor, kind=CertificateKind.ORIGINAL, amount=total, gift_count=n)
        for donor, (total, n) in sorted(donor_totals(run.year).items())
        if total >= minimum and donor not in erased
    ]
    _write(run, planned, first_number=None)
    return {"issued": len(planned), "corrected": 0, "unchanged": 0}


def current_certificates(year: int) -> QuerySet[TaxCertificate]:
    """The year's final certificates in force: the last of each donor's chain."""
    return TaxCertificate.objects.filter(year=year, draft=False, corrected_by__isnull=True)


def _issue_final(run: CertificateRun) -> dict[str, int]:
    minimum = settings.TAX_CERTIFICATE_MINIMUM_EUR
    totals = donor_totals(run.year)
    current = {
        donor: (pk, amount, kind)
        for pk, donor, amount, kind in current_certificates(run.year).values_list(
            "id", "donor_id", "amount", "kind"
        )
    }
    erased = _erased_donors()
    planned: list[_Planned] = []
    unchanged = issued = corrected = 0
    for donor in sorted(set(totals) | set(current)):
        total, n = totals.get(donor, (Decimal("0.00"), 0))
        eligible = total >= minimum
        in_force = current.get(donor)
        if in_force is None:
            if eligible and donor not in erased:
                planned.append(_Planned(donor, CertificateKind.ORIGINAL, total, n))
                issued += 1
            continue
        pk, amount, kind = in_force
        cancelled = kind == CertificateKind.CANCELLATION
        if eligible and not cancelled and amount == total:
            unchanged += 1
        elif eligible:
            planned.append(_Planned(donor, CertificateKind.CORRECTIVE, total, n, corrects_id=pk))
            corrected += 1
        elif not cancelled:
            planned.append(
                _Planned(donor, CertificateKind.CANCELLATION, Decimal("0.00"), 0, corrects_id=pk)
            )
            corrected += 1
    highest = (
        TaxCertificate.objects.filter(year=run.year, number__isnull=False).aggregate(
            highest=Max("number")
        )["highest"]
        or 0
    )
    _write(run, planned, first_number=highest + 1)
    return {"issued": issued, "corrected": corrected, "unchanged": unchanged}


# --- sending ------------------------------------------------------------------------------------


def _sendable(year: int) -> QuerySet[TaxCertificate]:
    return (
        current_certificates(year)
        .filter(sent_at__isnull=True, donor__erased_at__isnull=True)
        .exclude(donor__email="")
    )


def certificates_send(*, actor, year: int) -> int:
    """Send the year's final certificates not yet sent to their donors by e-mail (in tasks:
    see the module's docstring). Returns how many are on their way."""
    require(actor, ISSUE)
    errors = FieldErrors()
    if not current_certificates(year).exists():
        errors.add("year", _("No final certificates for %(year)s.") % {"year": year})
    errors.raise_if_any()
    from beacon.core.tasks import enqueue_with_transaction

    with transaction.atomic():
        ids = list(_sendable(year).order_by("number").values_list("id", flat=True))
        for chunk in _chunks(ids, SEND_CHUNK):
            enqueue_with_transaction(send_certificates, chunk)
        audit(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="funding.taxcertificate",
            object_id=f"{year}: {len(ids)} sent",
        )
    return len(ids)


def _message(certificate: TaxCertificate) -> tuple[str, str]:
    from beacon.funding.certificate_pdf import certificate_language

    with translation.override(certificate_language(certificate)):
        subject = _("Your tax certificate %(reference)s for your gifts of %(year)s") % {
            "reference": certificate.reference,
            "year": certificate.year,
        }
        if certificate.kind == CertificateKind.CANCELLATION:
            text = _(
                "The attached document cancels your tax certificate %(replaced)s for %(year)s: "
                "your deductible gifts of that year no longer reach the legal minimum."
            )
        elif certificate.kind == CertificateKind.CORRECTIVE:
            text = _(
                "The attached certificate replaces certificate %(replaced)s for %(year)s. "
                "Please use this one for your tax return."
            )
        else:
            text = _(
                "Thank you for your support. Attached is your tax certificate (form 281.71) "
                "for the gifts you made in %(year)s. Keep it for your tax return."
            )
        replaced = certificate.corrects.reference if certificate.corrects is not None else ""
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % {"name": certificate.display_name},
                text % {"year": certificate.year, "replaced": replaced},
                settings.TAX_CERTIFICATE_ISSUER.get("name", ""),
            ]
        )
    return subject, body


def _store_pdf(certificate: TaxCertificate) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from beacon.funding.certificate_pdf import certificate_filename, render_certificate_pdf

    name = f"certificates/{certificate.year}/{certificate_filename(certificate)}"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(render_certificate_pdf(certificate)))


def certificates_deliver(*, certificate_ids: list[int]) -> int:
    """Render, store and enqueue the e-mails of these certificates (the task's work). Safe to
    run twice: a certificate already sent is skipped. Returns how many were enqueued."""
    from beacon.core.outbox import outbox_enqueue_many
    from beacon.funding.certificate_pdf import certificate_filename

    candidates = list(
        TaxCertificate.objects.filter(
            pk__in=certificate_ids, sent_at__isnull=True, draft=False
        ).select_related("corrects", "donor")
    )
    stored = {c.pk: _store_pdf(c) for c in candidates}
    with transaction.atomic():
        still_unsent = set(
            TaxCertificate.objects.select_for_update()
            .filter(pk__in=list(stored), sent_at__isnull=True)
            .values_list("id", flat=True)
        )
        messages: list[dict[str, Any]] = []
        sending: list[int] = []
        for certificate in candidates:
            if certificate.pk not in still_unsent or not certificate.donor.email:
                continue
            sending.append(certificate.pk)
            subject, body = _message(certificate)
            messages.append(
                {
                    "channel": "email",
                    "destination": certificate.donor.email,
                    "subject": subject,
                    "body": body,
                    "reference": f"certificate-{certificate.pk}",
                    "obj": certificate,
                    "payload": {
                        "attachments": [
                            {
                                "name": stored[certificate.pk],
                                "filename": certificate_filename(certificate),
                                "content_type": "application/pdf",
                            }
                        ]
                    },
                }
            )
        outbox_enqueue_many(messages)
        TaxCertificate.objects.filter(pk__in=sending).update(sent_at=timezone.now())
    return len(messages)


@task()
def send_certificates(certificate_ids: list[int]) -> str:
    """Render and e-mail a chunk of certificates (see certificates_send)."""
    return f"{certificates_deliver(certificate_ids=certificate_ids)} certificates sent"


# --- reading ------------------------------------------------------------------------------------


def certificate_runs(*, user, year: int | None = None) -> QuerySet[CertificateRun]:
    require(user, VIEW)
    runs = CertificateRun.objects.select_related("started_by")
    if year is not None:
        runs = runs.filter(year=year)
    return runs.order_by("-started_at", "-id")


def certificates_list(*, user, year: int, query: str = "") -> QuerySet[TaxCertificate]:
    """The year's certificates (finals by number, then drafts), searched by name, city or
    reference ("2025/000123" or 123)."""
    require(user, VIEW)
    certificates = TaxCertificate.objects.filter(year=year).select_related("corrects")
    query = (query or "").strip()
    if query:
        condition = (
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(city__icontains=query)
            | Q(postcode=query)
        )
        number = query.split("/")[-1].lstrip("0")
        if number.isdigit():
            condition |= Q(number=int(number))
        certificates = certificates.filter(condition)
    return certificates.order_by("draft", "number", "id")


def certificate_get(*, user, pk: int) -> TaxCertificate:
    """One certificate (audited: it carries a national register number)."""
    require(user, VIEW)
    certificate = TaxCertificate.objects.select_related("corrects", "run", "donor").get(pk=pk)
    audit_view(actor=user, obj=certificate)
    return certificate


def certificate_chain(*, user, certificate: TaxCertificate) -> list[TaxCertificate]:
    """The certificate's chain (its donor's finals of the year, original first); a draft's
    chain is itself."""
    require(user, VIEW)
    if certificate.draft:
        return [certificate]
    return list(
        TaxCertificate.objects.filter(
            donor_id=certificate.donor_id, year=certificate.year, draft=False
        ).order_by("number", "id")
    )


def certificate_masked_number(certificate: TaxCertificate) -> str:
    """The snapshot's national register number masked (the last two digits), for the pages."""
    if not certificate.national_number_encrypted:
        return ""
    digits = cleaning.decrypt_national_number(certificate.national_number_encrypted)
    return f"••.••.••-•••.{digits[-2:]}"


def certificate_pdf(*, user, pk: int) -> tuple[str, bytes]:
    """(filename, PDF) of one certificate, rendered now (audited as an export)."""
    from beacon.funding.certificate_pdf import certificate_filename, render_certificate_pdf

    require(user, VIEW)
    certificate = TaxCertificate.objects.select_related("corrects").get(pk=pk)
    audit(actor=user, action=AuditAction.EXPORT, obj=certificate)
    return certificate_filename(certificate), render_certificate_pdf(certificate)


def declaration(*, user, year: int) -> tuple[str, str, bytes]:
    """(filename, content type, content) of the year's declaration to the tax administration:
    every final certificate of the year (audited as an export)."""
    from beacon.funding.declaration import declaration_file

    require(user, ISSUE)
    errors = FieldErrors()
    if not year_is_over(year):
        errors.add("year", _("%(year)s is not over: it cannot be declared yet.") % {"year": year})
    certificates: Iterable[TaxCertificate] = list(
        TaxCertificate.objects.filter(year=year, draft=False).select_related("corrects")
    )
    if not certificates:
        errors.add("year", _("No final certificates for %(year)s.") % {"year": year})
    errors.raise_if_any()
    audit(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="funding.taxcertificate",
        object_id=f"declaration {year}",
    )
    return declaration_file(year=year, certificates=certificates)
