"""Image matching's figures (the reports' "Arachnid" numbers), computed from the scans.

Images analysed are the sum of `ScanBatch.images`: a batch of scanned items counts its items, a
counted batch (totals a tool reported, e.g. the years before Beacon kept items) its total; the
scans page lists every batch of a period, so each figure can be traced to its batches.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from beacon.figures.rounding import median_hours
from beacon.matching.choices import ItemStatus, MatchResult, ScanSource
from beacon.matching.models import ScanBatch, ScanItem
from beacon.reports.models import Notice, UrlItem

JUDGED_ABUSE = (ItemStatus.ACTIONED, ItemStatus.CONFIRMED)


def images_analysed_per_year(
    first: int, last: int, start: datetime, end: datetime, zone: ZoneInfo
) -> dict[str, int]:
    """Images analysed per calendar year (local time), from `first` to `last`."""
    rows = (
        ScanBatch.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(year=ExtractYear("received_at", tzinfo=zone))
        .values("year")
        .annotate(images=Sum("images"))
        .order_by()
    )
    found = {row["year"]: row["images"] or 0 for row in rows}
    return {str(year): found.get(year, 0) for year in range(first, last + 1)}


def judged_abuse_per_year(
    first: int, last: int, start: datetime, end: datetime, zone: ZoneInfo
) -> dict[str, int]:
    """Images judged to be abuse material per year: matches acted on automatically or confirmed
    by an analyst (by the scan's year), plus the totals of counted batches."""
    items = (
        ScanItem.objects.filter(
            submitted_at__gte=start, submitted_at__lt=end, status__in=JUDGED_ABUSE
        )
        .annotate(year=ExtractYear("submitted_at", tzinfo=zone))
        .values("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = (
        ScanBatch.objects.filter(
            received_at__gte=start, received_at__lt=end, source=ScanSource.COUNTED
        )
        .annotate(year=ExtractYear("received_at", tzinfo=zone))
        .values("year")
        .annotate(n=Sum("judged_abuse"))
        .order_by()
    )
    totals: dict[int, int] = {}
    for row in [*items, *counted]:
        totals[row["year"]] = totals.get(row["year"], 0) + (row["n"] or 0)
    return {str(year): totals[year] for year in range(first, last + 1) if totals.get(year)}


def period_figures(start: datetime, end: datetime) -> dict:
    """Image matching in [start, end):

    - `images_analysed`: images of the scans received (counted batches included);
    - `exact_matches`, `near_matches`: scanned items by result (scanned in the period);
    - `acted_automatically`, `confirmed`, `rejected`, `waiting`: what followed (items scanned in
      the period, as they stand now);
    - `notices`: the notices those items' matches sent (decided in the period; a URL the hotline
      had notified before sends none), `removed`: of their URLs, the ones found removed, and
      `median_hours_to_removal` from each URL's first notice.
    """
    images = ScanBatch.objects.filter(received_at__gte=start, received_at__lt=end).aggregate(
        n=Sum("images")
    )["n"]
    items = ScanItem.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    counts = items.aggregate(
        exact_matches=Count("id", filter=Q(result=MatchResult.EXACT)),
        near_matches=Count("id", filter=Q(result=MatchResult.NEAR)),
        acted_automatically=Count("id", filter=Q(status=ItemStatus.ACTIONED)),
        confirmed=Count("id", filter=Q(status=ItemStatus.CONFIRMED)),
        rejected=Count("id", filter=Q(status=ItemStatus.REJECTED)),
        waiting=Count("id", filter=Q(status=ItemStatus.QUEUED)),
    )
    notices = Notice.objects.filter(
        pk__in=ScanItem.notices.through.objects.filter(scanitem__in=items).values("notice"),
        created_at__gte=start,
        created_at__lt=end,
    ).count()
    # Per URL (two images found at one URL are one takedown), from its first notice.
    removals = [
        removed - noticed
        for noticed, removed in UrlItem.objects.filter(
            pk__in=items.filter(notices__isnull=False).values("url_item"),
            first_notice_at__isnull=False,
            removed_at__isnull=False,
        ).values_list("first_notice_at", "removed_at")
        if removed >= noticed
    ]
    return {
        "images_analysed": images or 0,
        **counts,
        "notices": notices,
        "removed": len(removals),
        "median_hours_to_removal": median_hours(removals),
    }


def catalogue_figures() -> list:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs."""
    return []
