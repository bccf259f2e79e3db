"""The feeds' version: one row, bumped in the transaction of every change the feeds show."""

from datetime import UTC, datetime

from django.db import connections
from django.db.models import F
from django.utils import timezone

from beacon.alerts.models import FeedState

# Last-Modified of a feed that has never changed (no row yet).
NEVER_CHANGED = datetime(2000, 1, 1, tzinfo=UTC)


def feed_changed() -> None:
    """Bump the feeds' version (call inside the transaction that changes what they show)."""
    now = timezone.now()
    if not FeedState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        FeedState.objects.create(pk=1, version=1, changed_at=now)


def feed_state_read() -> tuple[int, datetime]:
    """(version, changed_at) of the feeds; (0, NEVER_CHANGED) before the first change."""
    row = FeedState.objects.filter(pk=1).values_list("version", "changed_at").first()
    return (row[0], row[1]) if row else (0, NEVER_CHANGED)


def feed_version_read(using: str = "default") -> int:
    """The feeds' version alone, by one primary-key read without the ORM's query building:
    every poll asks it (tens of microseconds on SQLite; measured by benchmarks/notice_feed.py)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT version FROM {FeedState._meta.db_table} WHERE id = 1")  # noqa: S608 - our own table name
        row = cursor.fetchone()
    return int(row[0]) if row else 0
