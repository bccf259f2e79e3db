"""The feeds' version: one row, bumped in the transaction of every change the feeds show."""

from django.db.models import F
from django.utils import timezone

from beacon.alerts.models import FeedState


def feed_changed() -> None:
    """Bump the feeds' version (call inside the transaction that changes what they show)."""
    now = timezone.now()
    if not FeedState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        FeedState.objects.create(pk=1, version=1, changed_at=now)
