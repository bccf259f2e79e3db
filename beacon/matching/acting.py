"""What follows a match: the takedown notice for an exact match in a bank that allows it (a task,
no analyst), and the analysts' decisions on the queue: confirm (the same notice goes out, and the
hash may join the organisation's own bank) or reject (a false match, not offered again).

Notices go through the civil hotline's own rules and outbox (beacon.reports.known_material), so a
notice about a URL is the same whether a reporter, an analyst or a scan found it, and a URL the
hotline already notified is never notified twice. DNS (where is the URL hosted?) is asked before
the transaction that decides, never inside it.

The kept preview of an image is deleted once the decision is made.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageFilter

from beacon.core.audit import audit
from beacon.core.crypto import decrypt
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters, validate_country_code
from beacon.matching.choices import BankSource, HashKind, ItemStatus, QueueReason
from beacon.matching.models import BankHash, HashBank, PreviewReveal, RejectedPair, ScanItem
from beacon.reports.hosting import HostingResult, lookup_hosting
from beacon.reports.known_material import KnownMaterial, Outcome, known_material_act
from beacon.reports.normalise import normalise_url

logger = logging.getLogger(__name__)

REVIEW = "matching.review_match"
NOTE_MAX = 2000


class ItemChangedError(ConcurrentEditError):
    message = gettext_lazy(
        "Someone else decided on this match since you opened it. Reload it to see what they did."
    )


def _hosting_of(url: str) -> HostingResult:
    try:
        host = normalise_url(url).host
    except ValidationError:
        return HostingResult(error="invalid URL")
    return lookup_hosting(host)


def _material(item: ScanItem, note: str) -> KnownMaterial:
    best = item.matches.select_related("bank", "bank_hash").first()
    bank = best.bank if best else item.best_bank
    classification = bank.classification if bank else "baseline"
    basis = (
        f"Image matching: {best.kind.upper()} distance {best.distance} to entry {best.bank_hash_id}"
        f" of bank '{best.bank.name}'."
        if best
        else "Image matching."
    )
    return KnownMaterial(
        url=item.url,
        found_at=item.found_at or item.submitted_at,
        classification=classification,
        note=(basis + (" " + note if note else ""))[:NOTE_MAX],
    )


def _apply(item: ScanItem, outcome: Outcome, *, status_if_sent: str, actor, now) -> str:
    if outcome.notices or (
        outcome.already_decided and outcome.item and outcome.item.first_notice_at
    ):
        status = status_if_sent
    elif outcome.already_decided:
        status = ItemStatus.NOT_ACTED
    else:
        return ""
    ScanItem.objects.filter(pk=item.pk).update(
        status=status,
        url_item=outcome.item,
        decided_at=now,
        decided_by=actor if actor is not None and actor.is_authenticated else None,
        queue_reason="",
        preview=None,
        version=F("version") + 1,
    )
    item.notices.add(*outcome.notices)
    return status


def item_act(*, item_id: int, hosting: HostingResult | None = None) -> str:
    """The automatic action on an exact match (the task; safe to run twice). Returns the status.
    `hosting` is looked up by DNS unless given (the demo gives it: it has no network)."""
    item = ScanItem.objects.filter(pk=item_id, status=ItemStatus.ACTING).first()
    if item is None:
        return ""
    hosting = hosting or _hosting_of(item.url)
    if hosting.error:
        logger.info("hosting look-up for scan item %s found no address: %s", item_id, hosting.error)
    with transaction.atomic():
        item = (
            ScanItem.objects.select_for_update()
            .filter(pk=item_id, status=ItemStatus.ACTING)
            .first()
        )
        if item is None:
            return ""
        now = timezone.now()
        try:
            outcome = known_material_act(actor=None, material=_material(item, ""), hosting=hosting)
        except ValidationError:
            outcome = Outcome(item=None, notices=[])
        status = _apply(item, outcome, status_if_sent=ItemStatus.ACTIONED, actor=None, now=now)
        if not status:
            # Nobody to notify (hosting unknown, no platform channel): an analyst decides.
            status = ItemStatus.QUEUED
            ScanItem.objects.filter(pk=item.pk).update(
                status=status, queue_reason=QueueReason.NO_RECIPIENT, version=F("version") + 1
            )
        audit(actor=None, action=AuditAction.UPDATE, obj=item, fields=["status"])
        return status


def _lock(item_id: int, expected_version: int) -> ScanItem:
    item = ScanItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    if item.version != expected_version:
        raise ItemChangedError()
    if item.status != ItemStatus.QUEUED:
        raise ValidationError(_("Only a match waiting for an analyst can be decided."))
    return item


def own_bank() -> HashBank | None:
    """The organisation's own bank of confirmed items: the first active bank of source 'own'."""
    return HashBank.objects.filter(source=BankSource.OWN, active=True).order_by("id").first()


def match_confirm(
    *,
    actor,
    item_id: int,
    expected_version: int,
    add_to_own_bank: bool = False,
    hosting_country: str = "",
    note: str = "",
    hosting: HostingResult | None = None,
) -> ScanItem:
    """An analyst confirms the match: the notice goes out as for an exact match (when the image
    has a URL), the image's PDQ may join the own bank, the preview is deleted. `hosting` is
    looked up by DNS unless given (the demo gives it: it has no network)."""
    require(actor, REVIEW)
    errors = FieldErrors()
    note = (note or "").strip()
    errors.run("note", reject_control_characters, note)
    if len(note) > NOTE_MAX:
        errors.add("note", _("At most %(count)d characters.") % {"count": NOTE_MAX})
    country = (hosting_country or "").strip().upper()
    errors.run("hosting_country", validate_country_code, country)
    bank = own_bank() if add_to_own_bank else None
    if add_to_own_bank and bank is None:
        errors.add("add_to_own_bank", _("There is no active bank of the organisation's own items."))
    errors.raise_if_any()
    url = ScanItem.objects.filter(pk=item_id).values_list("url", flat=True).first() or ""
    if hosting is None:
        hosting = _hosting_of(url) if url else HostingResult()
    if country:
        hosting = HostingResult(
            addresses=hosting.addresses, cname_chain=hosting.cname_chain, country=country,
            cdn=hosting.cdn,
        )  # fmt: skip
    with transaction.atomic():
        item = _lock(item_id, expected_version)
        now = timezone.now()
        if item.url:
            outcome = known_material_act(
                actor=actor, material=_material(item, note), hosting=hosting
            )
            if not _apply(item, outcome, status_if_sent=ItemStatus.CONFIRMED, actor=actor, now=now):
                raise ValidationError(
                    {"hosting_country": [_("Nobody can be notified: give the hosting country.")]}
                )
        else:
            ScanItem.objects.filter(pk=item.pk).update(
                status=ItemStatus.CONFIRMED, decided_at=now, decided_by=actor, queue_reason="",
                preview=None, version=F("version") + 1,
            )  # fmt: skip
        ScanItem.objects.filter(pk=item.pk).update(decision_note=note)
        if bank is not None:
            _add_to_bank(bank, item, actor)
        audit(actor=actor, action=AuditAction.UPDATE, obj=item, fields=["status", "decision_note"])
        item.refresh_from_db()
        return item


def _add_to_bank(bank: HashBank, item: ScanItem, actor) -> None:
    entry = BankHash.objects.filter(bank=bank, kind=HashKind.PDQ, value=item.pdq).first()
    if entry is not None:
        if entry.removed_at is not None:
            BankHash.objects.filter(pk=entry.pk).update(
                removed_at=None, removal_reason="", added_at=timezone.now()
            )
            audit(actor=actor, action=AuditAction.UPDATE, obj=entry, fields=["removed_at"])
        return
    try:
        with transaction.atomic():
            entry = BankHash.objects.create(
                bank=bank, kind=HashKind.PDQ, value=item.pdq, quality=item.quality,
                tags=f"confirmed-scan-{item.pk}",
            )  # fmt: skip
    except IntegrityError:
        return
    audit(actor=actor, action=AuditAction.CREATE, obj=entry, fields=["value"])


def match_reject(*, actor, item_id: int, expected_version: int, note: str = "") -> ScanItem:
    """An analyst finds the image is not the banked one: recorded, so the same pairs (this PDQ,
    these bank entries) are not queued again; the preview is deleted."""
    require(actor, REVIEW)
    note = (note or "").strip()
    errors = FieldErrors()
    errors.run("note", reject_control_characters, note)
    if len(note) > NOTE_MAX:
        errors.add("note", _("At most %(count)d characters.") % {"count": NOTE_MAX})
    errors.raise_if_any()
    with transaction.atomic():
        item = _lock(item_id, expected_version)
        now = timezone.now()
        RejectedPair.objects.bulk_create(
            [
                RejectedPair(
                    pdq=item.pdq, bank_hash_id=pk, item=item, rejected_at=now, rejected_by=actor
                )
                for pk in item.matches.filter(kind=HashKind.PDQ).values_list(
                    "bank_hash_id", flat=True
                )
            ],
            ignore_conflicts=True,
        )
        ScanItem.objects.filter(pk=item.pk).update(
            status=ItemStatus.REJECTED, decided_at=now, decided_by=actor, decision_note=note,
            queue_reason="", preview=None, version=F("version") + 1,
        )  # fmt: skip
        audit(actor=actor, action=AuditAction.UPDATE, obj=item, fields=["status", "decision_note"])
        item.refresh_from_db()
        return item


# --- The preview ---------------------------------------------------------------------------------


def preview_blurred(item: ScanItem) -> bytes:
    """The kept preview, blurred beyond recognition (what the queue shows by default)."""
    image = Image.open(io.BytesIO(decrypt(item.preview)))
    small = image.resize((max(1, image.width // 16), max(1, image.height // 16)))
    blurred = small.resize(image.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(8))
    buffer = io.BytesIO()
    blurred.save(buffer, format="JPEG", quality=60)
    return buffer.getvalue()


@transaction.atomic
def preview_reveal(*, actor, item: ScanItem) -> bytes:
    """The kept preview as it is, for an analyst who chose to see it: counted in their daily
    exposure and audited."""
    require(actor, REVIEW)
    PreviewReveal.objects.create(item=item, analyst=actor)
    audit(actor=actor, action=AuditAction.VIEW, obj=item, fields=["preview"])
    return decrypt(item.preview)
