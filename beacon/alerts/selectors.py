"""Reads of search notices that have rules: a notice is seen by holders of
alerts.view_searchnotice, and only when they may open its case (a notice names the child of a
case file, so its case's access rules are its own). Reads of one notice are audited.

The withdrawal report reads each table once for the whole notice (channels, outbox messages,
renditions, recipients): its cost does not grow with the 13,000 messages of a fan-out.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from beacon.alerts.adapters.mobilisation import publication_reference, withdrawal_reference
from beacon.alerts.choices import Channel, ChannelStatus, NoticeStatus, RenditionKind
from beacon.alerts.models import NoticeChannel, Recipient, Rendition, SearchNotice
from beacon.cases.models import Case
from beacon.core.audit import audit_view
from beacon.core.models import OutboxMessage, OutboxStatus

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
VIEW_PERMISSION = "alerts.view_searchnotice"

# Channels whose withdrawal is messages through the outbox (the others are withdrawn in the
# withdrawal's own transaction: a page, a feed, files).
OUTBOX_CHANNELS = (Channel.VOLUNTEERS, Channel.PARTNERS, Channel.FOLLOWERS)

# Which published files belong to which channel, for "files deleted" per channel.
RENDITION_CHANNEL = {
    RenditionKind.PAGE: Channel.PAGE,
    RenditionKind.FEED: Channel.FEED,
    RenditionKind.POSTER: Channel.POSTER,
    RenditionKind.VIGNETTE: Channel.VIGNETTE,
    RenditionKind.SOCIAL_SQUARE: Channel.SOCIAL,
    RenditionKind.SOCIAL_PORTRAIT: Channel.SOCIAL,
    RenditionKind.SOCIAL_LANDSCAPE: Channel.SOCIAL,
    RenditionKind.SOCIAL_STORY: Channel.SOCIAL,
}

_RELATED = (
    "case",
    "case__person",
    "region",
    "created_by",
    "submitted_by",
    "approved_by",
    "published_by",
    "withdrawn_by",
    "authority_recorded_by",
    "parents_informed_recorded_by",
)


def can_read_notices(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.has_perm(VIEW_PERMISSION)
    )


def notices_visible_to(user) -> QuerySet[SearchNotice]:
    """The notices the user may read: the permission, and a case the user may open."""
    if not can_read_notices(user):
        return SearchNotice.objects.none()
    return SearchNotice.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))


def notice_get(*, user, pk: int, audited: bool = True) -> SearchNotice:
    """One notice the user may read (SearchNotice.DoesNotExist otherwise: existence does not
    leak). Audited; `audited=False` only where a service call that audits itself follows."""
    notice = notices_visible_to(user).select_related(*_RELATED).get(pk=pk)
    if audited:
        audit_view(actor=user, obj=notice)
    return notice


def notices_of_case(*, user, case: Case) -> list[SearchNotice]:
    """The notices of a case the caller has read (an empty list for those who may not)."""
    return list(
        notices_visible_to(user)
        .filter(case=case)
        .select_related("created_by", "approved_by")
        .order_by("-created_at", "-id")
    )


@dataclass
class NoticePage:
    items: list[SearchNotice]
    next_cursor: str | None


def encode_cursor(notice: SearchNotice) -> str:
    raw = f"{notice.created_at.isoformat()}|{notice.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """A cursor of this list; None when it is not one (then the first page is shown)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        when = parse_datetime(created)
        if when is None or timezone.is_naive(when):
            return None
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def notice_list(
    *,
    user,
    status: str = "",
    kind: str = "",
    case: Case | None = None,
    cursor: str = "",
    page_size: int = PAGE_SIZE,
) -> NoticePage:
    """One page of notices, newest first (keyset pagination on created_at, id)."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    notices = notices_visible_to(user)
    if status:
        notices = notices.filter(status=status)
    if kind:
        notices = notices.filter(kind=kind)
    if case is not None:
        notices = notices.filter(case=case)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        created, pk = position
        notices = notices.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    items = list(
        notices.select_related("case", "region", "created_by", "approved_by").order_by(
            "-created_at", "-id"
        )[: page_size + 1]
    )
    next_cursor = encode_cursor(items[page_size - 1]) if len(items) > page_size else None
    return NoticePage(items=items[:page_size], next_cursor=next_cursor)


def approval_queue(*, user) -> list[SearchNotice]:
    """Submitted notices waiting for a second person: never those the user prepared or
    submitted (four-eyes), and nothing for those who may not approve."""
    if not user.has_perm("alerts.approve_searchnotice"):
        return []
    return list(
        notices_visible_to(user)
        .filter(status=NoticeStatus.SUBMITTED)
        .exclude(created_by=user)
        .exclude(submitted_by=user)
        .select_related("case", "created_by", "submitted_by")
        .order_by("submitted_at", "id")
    )


# --- the withdrawal report ---------------------------------------------------------------------


@dataclass
class MessageCounts:
    """Outbox messages of one channel and purpose (publication or withdrawal), by status."""

    delivered: int = 0
    pending: int = 0
    retrying: int = 0  # pending, with at least one failed attempt
    failed: int = 0
    cancelled: int = 0
    last_error: str = ""

    @property
    def total(self) -> int:
        return self.delivered + self.pending + self.failed + self.cancelled


@dataclass
class ChannelReport:
    channel: str
    label: str
    status: str
    status_label: str
    published_at: datetime | None
    withdrawal_started_at: datetime | None
    withdrawn_at: datetime | None
    detail: str
    outbox: bool
    withdrawal: MessageCounts = field(default_factory=MessageCounts)
    publication: MessageCounts = field(default_factory=MessageCounts)
    files: int = 0
    files_deleted: int = 0

    @property
    def took(self) -> timedelta | None:
        """How long the withdrawal took (None while it is still going on)."""
        if self.withdrawal_started_at is None or self.withdrawn_at is None:
            return None
        return max(self.withdrawn_at - self.withdrawal_started_at, timedelta())

    @property
    def took_seconds(self) -> float | None:
        took = self.took
        return None if took is None else took.total_seconds()

    @property
    def in_progress(self) -> bool:
        return self.status in (ChannelStatus.PENDING, ChannelStatus.WITHDRAWING)


@dataclass
class WithdrawalReport:
    notice: SearchNotice
    channels: list[ChannelReport]
    files: int
    files_deleted: int
    # Files not tied to a channel (none today; kept so a new kind is never lost from the count).
    other_files: int = 0

    @property
    def in_progress(self) -> bool:
        """Something is still going out or being withdrawn: the page refreshes itself."""
        return any(c.in_progress for c in self.channels) or (
            self.notice.status == NoticeStatus.WITHDRAWN and self.files_deleted < self.files
        )


def withdrawal_report(*, user, notice: SearchNotice) -> WithdrawalReport:
    """Each channel of the notice: its state and times, for channels that mobilise people the
    outbox messages of the publication and of the withdrawal by status (what is being retried,
    with the last error), and the published files deleted. One query per table."""
    if not notices_visible_to(user).filter(pk=notice.pk).exists():
        raise SearchNotice.DoesNotExist
    states = list(NoticeChannel.objects.filter(notice=notice).order_by("id"))
    references: dict[str, tuple[str, str]] = {}
    for state in states:
        if state.channel in OUTBOX_CHANNELS:
            references[publication_reference(notice, state.channel)] = (state.channel, "pub")
            references[withdrawal_reference(notice, state.channel)] = (state.channel, "wd")
    counts: dict[tuple[str, str], MessageCounts] = {}
    if references:
        rows = (
            OutboxMessage.objects.filter(reference__in=list(references))
            .values("reference", "status")
            .annotate(
                n=Count("id"),
                retrying=Count("id", filter=Q(attempts__gt=0)),
                last_error=Max("last_error", filter=~Q(last_error="")),
            )
            .order_by()
        )
        for row in rows:
            key = references[row["reference"]]
            found = counts.setdefault(key, MessageCounts())
            if row["status"] == OutboxStatus.DELIVERED:
                found.delivered += row["n"]
            elif row["status"] == OutboxStatus.PENDING:
                found.pending += row["n"]
                found.retrying += row["retrying"]
            elif row["status"] == OutboxStatus.FAILED:
                found.failed += row["n"]
            elif row["status"] == OutboxStatus.CANCELLED:
                found.cancelled += row["n"]
            if row["last_error"] and row["status"] in (OutboxStatus.PENDING, OutboxStatus.FAILED):
                found.last_error = row["last_error"]
    files: dict[str, list[int]] = {}
    total_files = total_deleted = other = 0
    for row in (
        Rendition.objects.filter(notice=notice)
        .values("kind")
        .annotate(n=Count("id"), deleted=Count("id", filter=Q(deleted_at__isnull=False)))
        .order_by()
    ):
        total_files += row["n"]
        total_deleted += row["deleted"]
        channel = RENDITION_CHANNEL.get(row["kind"])
        if channel is None:
            other += row["n"]
            continue
        entry = files.setdefault(channel, [0, 0])
        entry[0] += row["n"]
        entry[1] += row["deleted"]
    labels, status_labels = dict(Channel.choices), dict(ChannelStatus.choices)
    channels = []
    for state in states:
        made, deleted = files.get(state.channel, [0, 0])
        channels.append(
            ChannelReport(
                channel=state.channel,
                label=str(labels.get(state.channel, state.channel)),
                status=state.status,
                status_label=str(status_labels.get(state.status, state.status)),
                published_at=state.published_at,
                withdrawal_started_at=state.withdrawal_started_at,
                withdrawn_at=state.withdrawn_at,
                detail=state.detail,
                outbox=state.channel in OUTBOX_CHANNELS,
                withdrawal=counts.get((state.channel, "wd"), MessageCounts()),
                publication=counts.get((state.channel, "pub"), MessageCounts()),
                files=made,
                files_deleted=deleted,
            )
        )
    return WithdrawalReport(
        notice=notice,
        channels=channels,
        files=total_files,
        files_deleted=total_deleted,
        other_files=other,
    )


@dataclass
class RecipientsRow:
    channel: str
    label: str
    recipients: int
    confirmed: int


def recipients_summary(*, notice: SearchNotice) -> list[RecipientsRow]:
    """How many were reached per channel and how many confirmed (the caller has read the
    notice). Counts only: who they are is the volunteer coordinators' to see."""
    labels = dict(Channel.choices)
    rows = (
        Recipient.objects.filter(notice=notice)
        .values("channel")
        .annotate(n=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
        .order_by("channel")
    )
    return [
        RecipientsRow(
            channel=row["channel"],
            label=str(labels.get(row["channel"], row["channel"])),
            recipients=row["n"],
            confirmed=row["confirmed"],
        )
        for row in rows
    ]


def notice_stats(*, notice: SearchNotice) -> list:
    """The figures networks gave back for the notice (the caller has read the notice)."""
    return list(notice.stats.select_related("recorded_by").order_by("network"))
