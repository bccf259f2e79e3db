"""Image matching endpoints: submit a batch of images or of PDQ hashes, read a scanned item, the
analysts' queue and their decisions, and the state of the match index.

Permissions are the services' and selectors' own: matching.scan_images to submit,
matching.view_scanitem to read, matching.review_match to decide. A URL is returned as text;
banked images are never returned (Beacon has only their hashes)."""

import json
from datetime import datetime

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from beacon.core.api import error_responses, query_error
from beacon.core.permissions import require
from beacon.matching import acting, selectors
from beacon.matching.choices import ScanSource
from beacon.matching.index import match_index
from beacon.matching.models import ScanItem
from beacon.matching.scans import BatchTooLarge, ItemOutcome, ScanInput, scan_submit
from beacon.matching.schemas import (
    BatchOut,
    ConfirmIn,
    DecisionIn,
    HashBatchIn,
    IndexOut,
    ItemOut,
    QueuePageOut,
)
from beacon.reports.models import Notice

router = Router(tags=["image matching"])


class TooLargeOut(Schema):
    detail: str
    limit: int


def too_large(count: int | None = None) -> Status:
    limit = settings.MATCHING_BATCH_MAX
    detail = _("A batch holds at most %(limit)d items.") % {"limit": limit}
    if count is not None:
        detail += " " + _("This one has %(count)d.") % {"count": count}
    return Status(413, {"detail": detail, "limit": limit})


def install(api) -> None:
    """More files than Django accepts in one request is a batch over the limit too."""

    @api.exception_handler(TooManyFilesSent)
    def _too_many_files(request, exc):
        status = too_large()
        return api.create_response(request, status.value, status=413)


def _outcome_out(outcome: ItemOutcome) -> dict:
    item = outcome.item
    return {
        "position": outcome.position,
        "id": item.pk if item else None,
        "duplicate": outcome.duplicate,
        "result": item.result if item else None,
        "status": item.status if item else None,
        "best_distance": item.best_distance if item else None,
        "refused": {"code": outcome.refused, "message": outcome.message}
        if outcome.refused
        else None,
    }


def _batch_out(batch, outcomes) -> dict:
    return {
        "batch_id": batch.pk if batch else None,
        "images": batch.images if batch else 0,
        "items": [_outcome_out(o) for o in outcomes],
    }


def item_out(item: ScanItem, notices: list[str] | None = None) -> dict:
    if notices is None:
        notices = (
            list(
                Notice.objects.filter(item_id=item.url_item_id).values_list("reference", flat=True)
            )
            if item.url_item_id
            else []
        )
    return {
        "id": item.pk,
        "url": item.url,
        "found_at": item.found_at,
        "submitted_at": item.submitted_at,
        "pdq": item.pdq,
        "quality": item.quality,
        "sha256": item.sha256,
        "result": item.result,
        "status": item.status,
        "queue_reason": item.queue_reason,
        "best_distance": item.best_distance,
        "best_bank": item.best_bank.name if item.best_bank else None,
        "matches": [
            {
                "bank": m.bank.name,
                "bank_id": m.bank_id,
                "bank_hash_id": m.bank_hash_id,
                "kind": m.kind,
                "distance": m.distance,
                "variant": m.variant,
            }
            for m in item.matches.all()
        ],
        "url_item_id": item.url_item_id,
        "notices": notices,
        "preview_kept": item.preview is not None,
        "decided_at": item.decided_at,
        "decided_by": item.decided_by.get_username() if item.decided_by else None,
        "decision_note": item.decision_note,
        "version": item.version,
    }


@router.post(
    "/scans/images",
    response={200: BatchOut, 413: TooLargeOut, **error_responses(403, 422)},
    summary="Scan a batch of images",
)
def scan_images(
    request: HttpRequest,
    items: Form[str],
    files: File[list[UploadedFile]],
    label: Form[str] = "",
):
    """Multipart: `files`, the images (JPEG, PNG, GIF, WebP, BMP), and `items`, a JSON list with
    one object per file, in the same order: `{"url": "...", "found_at": "2025-03-01T10:00:00Z"}`
    (both optional). At most settings.MATCHING_BATCH_MAX files (413 past it, naming the limit).
    Each item's outcome comes back in order: its result, or why it was refused."""
    require(request.user, "matching.scan_images")
    if len(files) > settings.MATCHING_BATCH_MAX:
        return too_large(len(files))
    try:
        meta = json.loads(items or "[]")
    except json.JSONDecodeError:
        raise query_error("items", _("`items` must be a JSON list.")) from None
    if (
        not isinstance(meta, list)
        or len(meta) != len(files)
        or not all(isinstance(m, dict) for m in meta)
    ):
        raise query_error("items", _("`items` must be a JSON list with one object per file."))
    inputs = []
    for given, upload in zip(meta, files, strict=True):
        found_at, when, invalid = given.get("found_at"), None, ""
        try:
            when = datetime.fromisoformat(found_at) if found_at else None
        except (TypeError, ValueError):
            invalid = "bad_time"
        inputs.append(
            ScanInput(
                url=str(given.get("url") or ""),
                found_at=when,
                invalid=invalid,
                image=upload.read(settings.MATCHING_MAX_IMAGE_BYTES + 1),
                content_type=upload.content_type or "",
                name=upload.name or "",
            )
        )
    try:
        batch, outcomes = scan_submit(
            actor=request.user, source=ScanSource.API, items=inputs, label=label
        )
    except BatchTooLarge as exc:
        return too_large(exc.count)
    return _batch_out(batch, outcomes)


@router.post(
    "/scans/hashes",
    response={200: BatchOut, 413: TooLargeOut, **error_responses(403, 422)},
    summary="Scan a batch of PDQ hashes",
)
def scan_hashes(request: HttpRequest, payload: HashBatchIn):
    """PDQ hashes computed by the tool that found the images, with their quality, URL and time.
    At most settings.MATCHING_BATCH_MAX items (413 past it, naming the limit)."""
    require(request.user, "matching.scan_images")
    if len(payload.items) > settings.MATCHING_BATCH_MAX:
        return too_large(len(payload.items))
    inputs = [
        ScanInput(url=i.url, found_at=i.found_at, pdq=i.pdq, quality=i.quality)
        for i in payload.items
    ]
    batch, outcomes = scan_submit(
        actor=request.user, source=ScanSource.API, items=inputs, label=payload.label
    )
    return _batch_out(batch, outcomes)


@router.get("/items/{item_id}", response={200: ItemOut, **error_responses(403, 404)})
def item_detail(request: HttpRequest, item_id: int):
    """One scanned image: its hashes, matches (bank entries and distances) and what followed."""
    return item_out(selectors.item_get(user=request.user, pk=item_id))


class QueueQuery(Schema):
    after: str = ""


@router.get("/queue", response={200: QueuePageOut, **error_responses(403, 422)})
def queue(request: HttpRequest, query: Query[QueueQuery]):
    """Matches waiting for an analyst: nearest first, then by bank; pages of 50."""
    try:
        after = selectors.parse_cursor(query.after)
    except ValueError:
        raise query_error("after", _("Use the `next_after` of the previous page.")) from None
    items = selectors.queue(user=request.user, after=after)
    return {
        "waiting": selectors.queue_count(user=request.user),
        "items": [item_out(i, notices=[]) for i in items],
        "next_after": selectors.next_cursor(items),
    }


@router.post(
    "/items/{item_id}/confirm", response={200: ItemOut, **error_responses(403, 404, 409, 422)}
)
def confirm(request: HttpRequest, item_id: int, payload: ConfirmIn):
    """The image is the banked material: the notice goes out (as for an exact match), the PDQ may
    join the own bank, the kept preview is deleted."""
    acting.match_confirm(
        actor=request.user,
        item_id=item_id,
        expected_version=payload.version,
        add_to_own_bank=payload.add_to_own_bank,
        hosting_country=payload.hosting_country,
        note=payload.note,
    )
    return item_out(selectors.item_get(user=request.user, pk=item_id))


@router.post(
    "/items/{item_id}/reject", response={200: ItemOut, **error_responses(403, 404, 409, 422)}
)
def reject(request: HttpRequest, item_id: int, payload: DecisionIn):
    """A false match: recorded so that the same pair is not queued again; the preview is deleted."""
    acting.match_reject(
        actor=request.user, item_id=item_id, expected_version=payload.version, note=payload.note
    )
    return item_out(selectors.item_get(user=request.user, pk=item_id))


@router.get("/index", response={200: IndexOut, **error_responses(403)})
def index_state(request: HttpRequest):
    """The match index of the process that answers: how many hashes, built in how long."""
    require(request.user, "matching.view_hashbank")
    return match_index.status()
