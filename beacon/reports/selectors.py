"""Every read of the civil hotline's records that has rules: the analysts' queue, one URL with its
history (audited), the victim referrals for case managers, the analysts' workload for team leads.

Reported URLs are not children's case files, but they point at abuse material: only holders of
`reports.view_urlitem` see them, and each opened item is audited. URLs are returned as text; no
page of Beacon ever makes them a link or loads them.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate

from beacon.core.audit import audit_view
from beacon.core.localtime import local_days_bounds
from beacon.core.permissions import require
from beacon.reports.choices import ItemStatus
from beacon.reports.models import Assessment, Notice, ReportUrl, UrlCheck, UrlItem, VictimReferral

QUEUE_PAGE = 50


def item_queue(*, user, status: str = "", after_id: int | None = None) -> QuerySet[UrlItem]:
    """Items in the analysts' queue (oldest first, repeats shown by `report_count`), or every
    item of one status; one query, keyset-paginated by id."""
    require(user, "reports.view_urlitem")
    items = UrlItem.objects.select_related("platform", "current_assessment")
    items = items.filter(status=status) if status in ItemStatus.values else items.queue()
    if after_id:
        items = items.filter(id__gt=after_id)
    return items.order_by("id")[:QUEUE_PAGE]


def item_get(*, user, pk: int) -> UrlItem:
    """One URL with its reports, assessments, notices and checks; the read is audited."""
    require(user, "reports.view_urlitem")
    item = (
        UrlItem.objects.select_related(
            "platform",
            "current_assessment",
            "decided_by",
            "second_opinion_requested_by",
            "referral__case",
            "referral__referred_by",
        )
        .prefetch_related(
            Prefetch(
                "report_urls",
                queryset=ReportUrl.objects.select_related("report__platform").order_by(
                    "report__received_at"
                ),
            ),
            Prefetch(
                "assessments", queryset=Assessment.objects.select_related("analyst").order_by("id")
            ),
            Prefetch("notices", queryset=Notice.objects.select_related("outbox_message")),
            Prefetch("checks", queryset=UrlCheck.objects.order_by("-checked_at")),
        )
        .get(pk=pk)
    )
    audit_view(actor=user, obj=item)
    return item


def notice_get(*, user, pk: int) -> Notice:
    require(user, "reports.view_notice")
    return Notice.objects.select_related("item", "outbox_message").get(pk=pk)


def referrals(*, user, open_only: bool = True) -> QuerySet[VictimReferral]:
    """Victims referred by the analysts, for case managers to take up."""
    require(user, "reports.view_victimreferral")
    rows = VictimReferral.objects.select_related("item", "case", "referred_by")
    if open_only:
        rows = rows.filter(case__isnull=True)
    return rows.order_by("referred_at")


def analyst_workload(*, user, first: date, last: date) -> list[dict]:
    """Assessments per analyst per local day from `first` to `last` (inclusive): how much abuse
    material each analyst looked at, so a team lead can limit anyone's exposure. One query."""
    require(user, "reports.view_analyst_workload")
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = local_days_bounds(first, last)
    rows = (
        Assessment.objects.filter(
            assessed_at__gte=start, assessed_at__lt=end, analyst__isnull=False
        )
        .annotate(day=TruncDate("assessed_at", tzinfo=zone))
        .values("analyst", "day")
        .annotate(
            assessments=Count("id"),
            illegal=Count("id", filter=Q(classification__in=("baseline", "national"))),
        )
        .order_by("day", "analyst")
    )
    names = dict(
        get_user_model()
        .objects.filter(pk__in={r["analyst"] for r in rows})
        .values_list("pk", "username")
    )
    return [{**row, "analyst_name": names.get(row["analyst"], "?")} for row in rows]
