"""Every read of image matching's records that has rules. Only analysts and administrators
(matching.view_scanitem) see scans and matches; a URL is text, never a link; an opened item is
audited. The banked images are never shown: Beacon does not have them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate

from beacon.core.audit import audit_view
from beacon.core.localtime import local_days_bounds
from beacon.core.permissions import require
from beacon.matching.choices import ItemStatus
from beacon.matching.models import PreviewReveal, ScanBatch, ScanItem, ScanMatch
from beacon.reports.models import Assessment

VIEW = "matching.view_scanitem"
PAGE = 50


def queue(*, user, after: tuple[int, int] | None = None) -> list[ScanItem]:
    """The analysts' queue: nearest matches first, then by bank and age; a page of PAGE.
    `after` is the (distance, id) of the last item of the previous page."""
    require(user, VIEW)
    items = (
        ScanItem.objects.filter(status=ItemStatus.QUEUED)
        .select_related("best_bank", "decided_by")
        .prefetch_related(Prefetch("matches", queryset=ScanMatch.objects.select_related("bank")))
    )
    if after is not None:
        distance, pk = after
        items = items.filter(best_distance__gt=distance) | items.filter(
            best_distance=distance, id__gt=pk
        )
    return list(items.order_by("best_distance", "id")[:PAGE])


def parse_cursor(raw: str) -> tuple[int, int] | None:
    """A queue page's `after` ("<distance>-<id>"); ValueError when it is not one."""
    if not raw:
        return None
    distance, pk = (int(part) for part in raw.split("-", 1))
    return distance, pk


def next_cursor(items: list[ScanItem]) -> str | None:
    """The `after` of the page following `items` (None on the last page)."""
    last = items[-1] if len(items) == PAGE else None
    return f"{last.best_distance}-{last.pk}" if last else None


def queue_count(*, user) -> int:
    require(user, VIEW)
    return ScanItem.objects.filter(status=ItemStatus.QUEUED).count()


def item_get(*, user, pk: int) -> ScanItem:
    """One scanned image with its matches and the hotline's URL record; the read is audited."""
    require(user, VIEW)
    item = (
        ScanItem.objects.select_related("batch", "best_bank", "decided_by", "url_item")
        .prefetch_related(
            Prefetch(
                "matches",
                queryset=ScanMatch.objects.select_related("bank", "bank_hash").order_by(
                    "distance", "id"
                ),
            )
        )
        .get(pk=pk)
    )
    audit_view(actor=user, obj=item)
    return item


def item_for_preview(*, user, pk: int) -> ScanItem:
    """An item whose preview is kept (the preview view audits what it shows)."""
    require(user, "matching.review_match")
    return ScanItem.objects.only("id", "preview", "status").get(pk=pk, preview__isnull=False)


def batches(
    *, user, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[ScanBatch]:
    """Scan batches, newest first; those received in [start, end) when given."""
    require(user, VIEW)
    rows = ScanBatch.objects.select_related("submitted_by").order_by("-received_at", "-id")
    if start is not None and end is not None:
        rows = rows.filter(received_at__gte=start, received_at__lt=end)
    return rows


def batch_items(*, user, batch_id: int) -> QuerySet[ScanItem]:
    require(user, VIEW)
    return ScanItem.objects.filter(batch_id=batch_id).select_related("best_bank").order_by("id")


def exposure(*, user, first: date, last: date) -> list[dict]:
    """Per analyst and local day: URLs assessed on the civil hotline and kept images revealed
    here. Looking at abuse material takes its toll; a team lead keeps anyone's day limited."""
    require(user, "reports.view_analyst_workload")
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = local_days_bounds(first, last)
    rows: dict[tuple, dict] = {}
    assessed = (
        Assessment.objects.filter(
            assessed_at__gte=start, assessed_at__lt=end, analyst__isnull=False
        )
        .annotate(day=TruncDate("assessed_at", tzinfo=zone))
        .values("analyst", "day")
        .annotate(count=Count("id"))
    )
    revealed = (
        PreviewReveal.objects.filter(revealed_at__gte=start, revealed_at__lt=end)
        .annotate(day=TruncDate("revealed_at", tzinfo=zone))
        .values("analyst", "day")
        .annotate(count=Count("id"))
    )
    for source, key in ((assessed, "assessments"), (revealed, "previews")):
        for row in source:
            entry = rows.setdefault(
                (row["day"], row["analyst"]),
                {"day": row["day"], "analyst": row["analyst"], "assessments": 0, "previews": 0},
            )
            entry[key] = row["count"]
    names = dict(
        get_user_model()
        .objects.filter(pk__in={analyst for _, analyst in rows})
        .values_list("pk", "username")
    )
    return [
        {
            **row,
            "analyst_name": names.get(row["analyst"], "?"),
            "total": row["assessments"] + row["previews"],
        }
        for _, row in sorted(rows.items(), key=lambda kv: (kv[0][0], names.get(kv[0][1], "")))
    ]
