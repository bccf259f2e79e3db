"""Image matching's figures (the reports' "Arachnid" numbers), computed from the scans.

Images analysed are the sum of `ScanBatch.images`: a batch of scanned items counts its items, a
counted batch (totals a tool reported, e.g. the years before Beacon kept items) its total; the
scans page lists every batch of a period, so each figure can be traced to its batches.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from beacon.figures.engine import AnyFigure, Source, Total, evaluate_between, evaluate_per_year
from beacon.figures.rounding import median_hours
from beacon.matching.choices import ItemStatus, MatchResult, ScanSource
from beacon.matching.models import ScanBatch, ScanItem
from beacon.reports.models import Notice, UrlItem

JUDGED_ABUSE = (ItemStatus.ACTIONED, ItemStatus.CONFIRMED)


SCAN_BATCHES = Source(
    key="scan_batches",
    label=_("Image matching's scan batches, by the moment they were received"),
    queryset=ScanBatch.objects.all,
    date_field="received_at",
    detail_permission="matching.view_scanitem",
)
IMAGES_ANALYSED = Total(
    key="abuse_image_hotline.images_analysed_arachnid",
    label=_("Images analysed by image matching"),
    definition=_(
        "Images of the scan batches received in the period, whether scanned one by one or "
        "counted by a scanning tool."
    ),
    source=SCAN_BATCHES,
    field_name="images",
)


def images_analysed_per_year(
    first: int, last: int, start: datetime, end: datetime, zone: ZoneInfo
) -> dict[str, int]:
    """Images analysed per calendar year (local time), from `first` to `last` (the catalogue's
    IMAGES_ANALYSED; `start`, `end` and `zone` are those years' bounds and the local zone,
    which the engine knows). One grouped query."""
    return evaluate_per_year([IMAGES_ANALYSED], first, last)[IMAGES_ANALYSED.key]


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
    images = evaluate_between([IMAGES_ANALYSED], start, end)[IMAGES_ANALYSED.key]
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
        "images_analysed": images,
        **counts,
        "notices": notices,
        "removed": len(removals),
        "median_hours_to_removal": median_hours(removals),
    }


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs: the
    images analysed (a total over the scan batches received, listed by the drill-down)."""
    return [IMAGES_ANALYSED]
