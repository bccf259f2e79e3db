"""Small builders of hotline records for the hosting, liveness and retention tests (reserved
names only)."""

from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone

from beacon.reports.choices import ReportStatus, WhereSeen
from beacon.reports.models import Report, ReportUrl, UrlItem, url_digest


def make_item(url: str, **values) -> UrlItem:
    now = values.pop("at", None) or timezone.now()
    values.setdefault("host", urlsplit(url).hostname or "")
    return UrlItem.objects.create(
        url=url, url_hash=url_digest(url), first_reported_at=now, last_reported_at=now, **values
    )


def make_report(*items: UrlItem, closed_at: datetime | None = None, **values) -> Report:
    values.setdefault("where_seen", WhereSeen.WEB_PAGE)
    if closed_at is not None:
        values.update(status=ReportStatus.CLOSED, closed_at=closed_at)
    report = Report.objects.create(number=Report.new_number(), **values)
    for position, item in enumerate(items):
        ReportUrl.objects.create(report=report, item=item, position=position)
    return report
