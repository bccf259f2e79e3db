"""Scanning: images (or PDQ hashes computed elsewhere) found on the web are hashed, looked up in
every active bank, and the result stored per item, with what follows:

- an exact match (PDQ distance 0, or the same SHA-256 / SHA-1 / MD5) in a bank that allows it,
  of an image whose PDQ quality reaches settings.MATCHING_QUALITY_FLOOR, is acted on without an
  analyst: the takedown notice is prepared by a task (acting.py), which asks DNS first;
- any other match within a bank's threshold goes to the analysts' queue (if the bank sends its
  near matches to analysts), with a reduced copy of the image encrypted at rest when there is one;
- a pair an analyst rejected before (this PDQ and that bank entry) is not offered again.

The same image found at the same URL is one item however often it is submitted: submitting it
again returns the first result and sends nothing more.

A batch is all or nothing for what is stored: the hashing and the look-up happen first, outside
any transaction; then one transaction writes the batch, its items and matches, and enqueues the
actions. An item Beacon refuses (not an image, a bad hash, a bad URL) is reported with its reason
and stores nothing; the others go ahead.
"""

import dataclasses
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.core.audit import audit
from beacon.core.crypto import encrypt
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.tasks import enqueue_with_transaction
from beacon.matching.choices import (
    CRYPTOGRAPHIC,
    HashKind,
    ItemStatus,
    MatchResult,
    QueueReason,
    ScanSource,
)
from beacon.matching.hashing import VARIANTS, ImageHashes, ImageRefused, hash_image, prepared
from beacon.matching.index import bank_state, match_index
from beacon.matching.models import (
    BankHash,
    RejectedPair,
    ScanBatch,
    ScanItem,
    ScanMatch,
    item_key,
)
from beacon.reports.normalise import normalise_url

SCAN = "matching.scan_images"
MATCHES_KEPT = 5
PREVIEW_SIDE = 256
HEX = re.compile(r"^[0-9a-f]+$")


class BatchTooLarge(Exception):
    """More items than settings.MATCHING_BATCH_MAX in one batch (413 in the API)."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            gettext_lazy("A batch holds at most %(limit)d items; this one has %(count)d.")
            % {"limit": limit, "count": count}
        )


@dataclass
class ScanInput:
    """One image, or one PDQ hash with its quality, and where it was found."""

    url: str = ""
    found_at: datetime | None = None
    image: bytes | None = None
    content_type: str = ""
    pdq: str = ""
    quality: int | None = None
    name: str = ""  # a file name, for messages only
    invalid: str = ""  # "bad_time": the caller could not read the time found


@dataclass
class ItemOutcome:
    position: int
    item: ScanItem | None = None
    duplicate: bool = False
    refused: str = ""  # a code
    message: str = ""


@dataclass
class _Prepared:
    position: int
    url: str
    found_at: datetime | None
    pdq: str
    quality: int
    queries: tuple[str, ...]  # the PDQs to look up (the dihedral variants of an image)
    hashes: ImageHashes | None = None
    image: bytes | None = None
    matches: list[tuple[BankHash, int, str, str]] = field(default_factory=list)
    decision: tuple[str, str, str] = ("", "", "")  # result, status, queue reason
    preview: bytes | None = None  # encrypted, for an item that waits for an analyst


def _refusal(position: int, code: str, message: str) -> ItemOutcome:
    return ItemOutcome(position=position, refused=code, message=str(message))


def _prepare(position: int, given: ScanInput, now: datetime) -> _Prepared | ItemOutcome:
    if given.invalid == "bad_time":
        return _refusal(
            position, "bad_time", _("Give the time found as ISO 8601 with a time zone.")
        )
    url = ""
    if given.url:
        try:
            url = normalise_url(given.url).url
        except ValidationError as exc:
            return _refusal(position, "bad_url", exc.messages[0])
    found_at = given.found_at
    if found_at is not None:
        if timezone.is_naive(found_at):
            return _refusal(position, "bad_time", _("Give the time with its time zone."))
        if found_at > now + timedelta(minutes=5):
            return _refusal(position, "bad_time", _("The time found cannot be in the future."))
    if given.image is not None and given.pdq:
        return _refusal(position, "both", _("Send an image or a hash, not both."))
    if given.image is not None:
        try:
            hashes = hash_image(given.image, given.content_type)
        except ImageRefused as exc:
            return _refusal(position, exc.code, exc.message)
        return _Prepared(
            position=position,
            url=url,
            found_at=found_at,
            pdq=hashes.pdq,
            quality=hashes.quality,
            queries=hashes.dihedral,
            hashes=hashes,
            image=given.image,
        )
    pdq = (given.pdq or "").strip().lower()
    if not pdq:
        return _refusal(position, "empty", _("Send an image or a PDQ hash."))
    if len(pdq) != 64 or not HEX.match(pdq):
        return _refusal(position, "bad_hash", _("A PDQ hash is 64 hexadecimal characters."))
    quality = given.quality
    if quality is None or isinstance(quality, bool) or not 0 <= int(quality) <= 100:
        return _refusal(position, "bad_quality", _("Give the PDQ quality, 0 to 100."))
    return _Prepared(
        position=position,
        url=url,
        found_at=found_at,
        pdq=pdq,
        quality=int(quality),
        queries=(pdq,),
    )


def look_up(prepared_items: list[_Prepared]) -> None:
    """Find each item's matches in the live hashes of the active banks (sets `.matches`)."""
    if not prepared_items:
        return
    _, radius = bank_state()
    queries = [q for p in prepared_items for q in p.queries]
    found = match_index.search(queries, radius)
    per_item: list[dict[int, tuple[int, str]]] = []
    cursor = 0
    candidate_ids: set[int] = set()
    for item in prepared_items:
        best: dict[int, tuple[int, str]] = {}
        for variant, hits in zip(
            VARIANTS, found[cursor : cursor + len(item.queries)], strict=False
        ):
            for pk, distance in hits:
                if pk not in best or distance < best[pk][0]:
                    best[pk] = (distance, variant)
        cursor += len(item.queries)
        per_item.append(best)
        candidate_ids.update(best)
    crypto: dict[tuple[str, str], list[BankHash]] = {}
    by_kind: dict[str, set[str]] = {kind: set() for kind in CRYPTOGRAPHIC}
    for item in prepared_items:
        if item.hashes is not None:
            by_kind[HashKind.SHA256].add(item.hashes.sha256)
            by_kind[HashKind.SHA1].add(item.hashes.sha1)
            by_kind[HashKind.MD5].add(item.hashes.md5)
    for kind, values in by_kind.items():
        if values:
            for entry in (
                BankHash.objects.live().select_related("bank").filter(kind=kind, value__in=values)
            ):
                crypto.setdefault((kind, entry.value), []).append(entry)
    entries = {
        entry.pk: entry
        for entry in BankHash.objects.live().select_related("bank").filter(pk__in=candidate_ids)
    }
    rejected = set(
        RejectedPair.objects.filter(
            pdq__in={p.pdq for p in prepared_items}, bank_hash_id__in=candidate_ids
        ).values_list("pdq", "bank_hash_id")
    )
    for item, best in zip(prepared_items, per_item, strict=True):
        matches: list[tuple[BankHash, int, str, str]] = []
        for pk, (distance, variant) in best.items():
            entry = entries.get(pk)
            if entry is None or distance > entry.bank.near_threshold:
                continue
            if (item.pdq, pk) in rejected:
                continue
            matches.append((entry, distance, HashKind.PDQ, variant))
        if item.hashes is not None:
            for kind, value in (
                (HashKind.SHA256, item.hashes.sha256),
                (HashKind.SHA1, item.hashes.sha1),
                (HashKind.MD5, item.hashes.md5),
            ):
                for entry in crypto.get((kind, value), []):
                    matches.append((entry, 0, kind, ""))
        matches.sort(key=lambda m: (m[1], m[0].bank.name, m[0].pk))
        item.matches = matches


def decide(item: _Prepared) -> tuple[str, str, str]:
    """(result, status, queue reason) of an item from its matches."""
    if not item.matches:
        return MatchResult.NONE, ItemStatus.NO_MATCH, ""
    exact = [m for m in item.matches if m[1] == 0]
    result = MatchResult.EXACT if exact else MatchResult.NEAR
    # A cryptographic match is the same file: its PDQ quality does not matter.
    certain = [m for m in exact if m[2] in CRYPTOGRAPHIC]
    good = item.quality >= settings.MATCHING_QUALITY_FLOOR
    automatic = [m for m in (exact if good else certain) if m[0].bank.auto_act_exact]
    if automatic and item.url:
        return result, ItemStatus.ACTING, ""
    to_analysts = [m for m in item.matches if m[0].bank.near_to_analysts or m[1] == 0]
    if not to_analysts:
        return result, ItemStatus.NOT_ACTED, ""
    if exact and any(m[0].bank.auto_act_exact for m in exact):
        reason = QueueReason.LOW_QUALITY if item.url else QueueReason.NO_RECIPIENT
    elif exact:
        reason = QueueReason.NO_AUTO
    else:
        reason = QueueReason.NEAR
    return result, ItemStatus.QUEUED, reason


def preview_of(image: bytes) -> bytes:
    """A reduced JPEG of an image, encrypted: what an analyst may look at to decide."""
    ready = prepared(image, side=PREVIEW_SIDE)
    buffer = io.BytesIO()
    ready.image.save(buffer, format="JPEG", quality=80)
    return encrypt(buffer.getvalue())


def scan_submit(
    *,
    actor,
    source: str,
    items: list[ScanInput],
    label: str = "",
    url_item=None,
) -> tuple[ScanBatch | None, list[ItemOutcome]]:
    """Hash, look up and record a batch; returns the batch (None when nothing was stored) and one
    outcome per input, in order. Raises BatchTooLarge past settings.MATCHING_BATCH_MAX."""
    require(actor, SCAN)
    if source not in ScanSource.values or source == ScanSource.COUNTED:
        raise ValueError(f"not a scan source: {source}")
    limit = settings.MATCHING_BATCH_MAX
    if len(items) > limit:
        raise BatchTooLarge(len(items), limit)
    now = timezone.now()
    outcomes: dict[int, ItemOutcome] = {}
    ready: list[_Prepared] = []
    for position, given in enumerate(items):
        if url_item is not None and not given.url:
            given = dataclasses.replace(given, url=url_item.url)
        done = _prepare(position, given, now)
        if isinstance(done, ItemOutcome):
            outcomes[position] = done
        else:
            ready.append(done)
    look_up(ready)
    # Decoding and encrypting previews is heavy: done before the transaction, like the hashing.
    for p in ready:
        p.decision = decide(p)
        if p.decision[1] == ItemStatus.QUEUED and p.image:
            p.preview = preview_of(p.image)
    batch = _record(actor=actor, source=source, label=label, ready=ready, outcomes=outcomes,
                    url_item=url_item, now=now)  # fmt: skip
    return batch, [outcomes[position] for position in range(len(items))]


@transaction.atomic
def _record(*, actor, source, label, ready, outcomes, url_item, now) -> ScanBatch | None:
    from beacon.matching.tasks import act_on_exact

    if not ready:
        return None
    keys = {p.position: item_key(url=p.url, pdq=p.pdq, sha256=p.hashes.sha256 if p.hashes else "")
            for p in ready}  # fmt: skip
    existing = {item.key: item for item in ScanItem.objects.filter(key__in=set(keys.values()))}
    batch = ScanBatch.objects.create(
        source=source,
        label=label[:200],
        received_at=now,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
    )
    created: list[ScanItem] = []
    for p in ready:
        key = keys[p.position]
        if key in existing:
            outcomes[p.position] = ItemOutcome(
                position=p.position, item=existing[key], duplicate=True
            )
            continue
        result, status, reason = p.decision
        hashes = p.hashes
        item = ScanItem(
            batch=batch,
            key=key,
            url=p.url,
            found_at=p.found_at,
            submitted_at=now,
            pdq=p.pdq,
            quality=p.quality,
            sha256=hashes.sha256 if hashes else "",
            sha1=hashes.sha1 if hashes else "",
            md5=hashes.md5 if hashes else "",
            format=hashes.format if hashes else "",
            result=result,
            best_distance=p.matches[0][1] if p.matches else None,
            best_bank=p.matches[0][0].bank if p.matches else None,
            status=status,
            queue_reason=reason,
            url_item=url_item,
            preview=p.preview,
        )
        item._matches = p.matches[:MATCHES_KEPT]  # type: ignore[attr-defined]
        existing[key] = item
        created.append(item)
        outcomes[p.position] = ItemOutcome(position=p.position, item=item)
    try:
        with transaction.atomic():
            ScanItem.objects.bulk_create(created)
    except IntegrityError:
        # Another batch recorded one of these items between our check and our insert.
        created = _insert_one_by_one(created, outcomes)
    ScanMatch.objects.bulk_create(
        ScanMatch(
            item=item,
            bank_hash=entry,
            bank=entry.bank,
            kind=kind,
            distance=distance,
            variant=variant,
        )  # fmt: skip
        for item in created
        for entry, distance, kind, variant in item._matches  # type: ignore[attr-defined]
    )
    ScanBatch.objects.filter(pk=batch.pk).update(images=len(created))
    batch.images = len(created)
    audit(actor=actor, action=AuditAction.CREATE, obj=batch, fields=["images"])
    for item in created:
        if item.status == ItemStatus.ACTING:
            enqueue_with_transaction(act_on_exact, item.pk)
    return batch


def _insert_one_by_one(created: list[ScanItem], outcomes: dict[int, ItemOutcome]) -> list[ScanItem]:
    kept = []
    for item in created:
        try:
            with transaction.atomic():
                item.save(force_insert=True)
            kept.append(item)
        except IntegrityError:
            first = ScanItem.objects.get(key=item.key)
            for outcome in outcomes.values():
                if outcome.item is item:
                    outcome.item, outcome.duplicate = first, True
    return kept
