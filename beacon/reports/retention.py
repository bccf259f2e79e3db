"""Minimising the civil hotline's records after the retention period.

A report closed more than settings.HOTLINE_RETENTION_DAYS ago loses what the reporter wrote (the
description) and the e-mail address they gave (also on the outcome mail in the outbox). A reported
URL whose reports are all minimised and which is closed or removed keeps only hashes (SHA-256, hex)
of what would find it again: the URL becomes "sha256:<url_hash>" (url_hash is the digest the
grouping already uses), the host, its addresses and CNAME chain, and the address and final host of
every check are replaced by their digests, and the URL is replaced by the same token in its notices
and their outbox messages. The analysts' free-text notes (assessments, victim referral) are
cleared. Everything the figures count is kept: statuses, dates, classification and the other
assessment fields, hosting country, CDN flag, platform, notices and their times, check outcomes.

The job is idempotent (minimised rows are marked and skipped) and each minimised row is audited
without an actor.
"""

import hashlib
import hmac
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from beacon.core.audit import audit, object_type_of
from beacon.core.models import AuditAction, OutboxMessage
from beacon.core.outbox import outbox_redact
from beacon.reports.choices import ItemStatus, ReportStatus
from beacon.reports.models import (
    Assessment,
    Notice,
    Report,
    ReportUrl,
    UrlCheck,
    UrlItem,
    VictimReferral,
)

# Reports minimised per transaction: short, so the embedded SQLite's other writers (the worker)
# never wait long for the lock.
BATCH = 50
PAUSE_SECONDS = 0.05
REPORT_FIELDS = ["description", "contact_email", "minimised_at"]
ITEM_FIELDS = ["url", "host", "resolved_ips", "cname_chain", "minimised_at"]


def digest(value: str) -> str:
    """A keyed digest (HMAC-SHA256) of a host name or an address: a plain hash of an IPv4 address
    is reversed by hashing all four billion of them, a keyed one is not without the key. The key
    derives from SECRET_KEY, so the same value still gives the same digest (counts by host stay
    possible)."""
    key = hashlib.sha256(b"beacon.reports.retention:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def retention_days() -> int:
    days = settings.HOTLINE_RETENTION_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ImproperlyConfigured(
            f"HOTLINE_RETENTION_DAYS={days!r} must be a whole number of days, at least 1"
        )
    return days


def retention_cutoff(now: datetime) -> datetime:
    """Records closed before this instant are past the retention period."""
    return now - timedelta(days=retention_days())


def reports_due(now: datetime) -> QuerySet[Report]:
    return Report.objects.filter(
        status=ReportStatus.CLOSED,
        closed_at__lt=retention_cutoff(now),
        minimised_at__isnull=True,
    )


def items_due() -> QuerySet[UrlItem]:
    """Closed or removed items, or items whose watching has ended (a notice went out, the content
    was never seen removed, and no check is planned any more: liveness stops after day 30), every
    report of which is minimised."""
    reports = ReportUrl.objects.filter(item=OuterRef("pk"))
    unminimised = reports.filter(report__minimised_at__isnull=True)
    return (
        UrlItem.objects.filter(minimised_at__isnull=True)
        .filter(
            Q(status__in=(ItemStatus.CLOSED, ItemStatus.REMOVED))
            | Q(closed_at__isnull=False)
            | Q(removed_at__isnull=False)
            | Q(
                status=ItemStatus.ACTIONED,
                first_notice_at__isnull=False,
                next_check_at__isnull=True,
            )
        )
        .filter(Exists(reports))
        .exclude(Exists(unminimised))
    )


@transaction.atomic
def reports_minimise(*, report_ids: list[int], at: datetime) -> int:
    """Minimise these reports (those still due): description and e-mail address go."""
    count = 0
    reports = reports_due(at).filter(pk__in=report_ids).select_for_update()
    for report in reports:
        if report.contact_email:
            outcome_mails = OutboxMessage.objects.filter(
                object_type=object_type_of(Report), object_id=str(report.pk)
            )
            outbox_redact(messages=outcome_mails, old=report.contact_email, new="", destination="")
        Report.objects.filter(pk=report.pk).update(
            description="", contact_email="", minimised_at=at
        )
        audit(actor=None, action=AuditAction.UPDATE, obj=report, fields=REPORT_FIELDS)
        count += 1
    return count


@transaction.atomic
def item_minimise(*, item_id: int, at: datetime) -> bool:
    """Replace what identifies one URL by its digests; False when it is not (or no longer) due."""
    item = items_due().filter(pk=item_id).select_for_update().first()
    if item is None:
        return False
    token = f"sha256:{item.url_hash}"
    UrlItem.objects.filter(pk=item.pk).update(
        url=token,
        host=digest(item.host) if item.host else "",
        resolved_ips=[digest(str(ip)) for ip in item.resolved_ips],
        cname_chain=[digest(str(name)) for name in item.cname_chain],
        minimised_at=at,
    )
    checks = list(item.checks.exclude(address="", final_host=""))
    for check in checks:
        # A bare hex digest: the address column holds 64 characters, exactly one SHA-256.
        check.address = digest(check.address) if check.address else ""
        check.final_host = digest(check.final_host) if check.final_host else ""
    UrlCheck.objects.bulk_update(checks, ["address", "final_host"], batch_size=BATCH)
    Assessment.objects.filter(item=item).exclude(note="").update(note="")
    VictimReferral.objects.filter(item=item).exclude(note="").update(note="")
    for notice in Notice.objects.filter(item=item).select_for_update():
        explanation = notice.explanation.replace(item.url, token)
        action_note = notice.action_note.replace(item.url, token)
        if (explanation, action_note) != (notice.explanation, notice.action_note):
            Notice.objects.filter(pk=notice.pk).update(
                explanation=explanation, action_note=action_note
            )
    notice_ids = [str(pk) for pk in Notice.objects.filter(item=item).values_list("pk", flat=True)]
    messages = OutboxMessage.objects.filter(
        Q(object_type=object_type_of(Notice), object_id__in=notice_ids)
        | Q(pk__in=Notice.objects.filter(item=item).values("outbox_message_id"))
    )
    outbox_redact(messages=messages, old=item.url, new=token)
    audit(actor=None, action=AuditAction.UPDATE, obj=item, fields=ITEM_FIELDS)
    return True


def _let_other_writers_in() -> None:
    """Between two write transactions on the embedded SQLite, a pause: its lock is not fair, and a
    job committing back to back would keep the worker waiting past its timeout (it then exits)."""
    if connection.vendor == "sqlite":
        time.sleep(PAUSE_SECONDS)


def minimise_due(now: datetime | None = None) -> str:
    """Minimise every report past the retention period, then every item left with only minimised
    reports (the periodic job; safe to run any number of times)."""
    now = now or timezone.now()
    report_ids = list(reports_due(now).order_by("pk").values_list("pk", flat=True))
    reports = 0
    for start in range(0, len(report_ids), BATCH):
        reports += reports_minimise(report_ids=report_ids[start : start + BATCH], at=now)
        _let_other_writers_in()
    item_ids = list(items_due().order_by("pk").values_list("pk", flat=True))
    items = 0
    for start in range(0, len(item_ids), BATCH):
        with transaction.atomic():
            items += sum(
                item_minimise(item_id=pk, at=now) for pk in item_ids[start : start + BATCH]
            )
        _let_other_writers_in()
    return f"reports {reports}, URLs {items}"
