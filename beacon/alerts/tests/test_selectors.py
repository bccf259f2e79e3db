"""Reads of search notices: visibility follows the case's, the approval queue never offers one's
own notice, and the withdrawal report counts outbox messages and files in every state with a
number of queries that does not grow with them."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beacon.alerts import selectors
from beacon.alerts.adapters.mobilisation import publication_reference, withdrawal_reference
from beacon.alerts.choices import Channel, ChannelStatus, NoticeStatus, RenditionKind
from beacon.alerts.models import NoticeChannel, Recipient, RecipientKind, Rendition, SearchNotice
from beacon.alerts.tests.factories import notice_make
from beacon.cases.tests.test_exploitation import exploitation
from beacon.core.models import AuditRecord, OutboxMessage, OutboxStatus
from conftest import make_user


def message(reference: str, status: str, *, attempts: int = 0, error: str = "", delivered=None):
    return OutboxMessage.objects.create(
        channel="email",
        destination=f"{uuid.uuid4().hex[:8]}@example.org",
        subject="s",
        idempotency_key=uuid.uuid4().hex,
        reference=reference,
        status=status,
        attempts=attempts,
        last_error=error,
        delivered_at=delivered,
    )


def only_notice_reader():
    user = make_user("nina", None)
    user.user_permissions.add(
        Permission.objects.get(codename="view_searchnotice", content_type__app_label="alerts")
    )
    return user


# --- visibility --------------------------------------------------------------------------------


def test_visibility_follows_the_case(cast, open_case):
    notice = notice_make(open_case)
    for role in ("case_manager", "team_lead", "other_case_manager", "administrator"):
        assert selectors.notice_get(user=cast[role], pk=notice.pk).pk == notice.pk
    for user in (
        cast["analyst"],
        cast["volunteer_coordinator"],
        cast["nobody"],
        cast["first_responder"],  # reads cases, not notices
        only_notice_reader(),  # reads notices, not cases
    ):
        with pytest.raises(SearchNotice.DoesNotExist):
            selectors.notice_get(user=user, pk=notice.pk)
        assert selectors.notice_list(user=user).items == []
        assert selectors.notices_of_case(user=user, case=open_case) == []


def test_a_notice_of_a_case_the_user_may_not_open_stays_hidden(cast, team):
    """Notices are of missing-children cases; should one hang on a restricted case, it follows
    that case's rules (written straight to the database: the service refuses such a case)."""
    restricted = exploitation(cast["case_manager"], facts={"victim_age": 15})
    restricted.assigned_to = cast["case_manager"]
    restricted.save(update_fields=["assigned_to"])
    notice = notice_make(restricted)
    assert selectors.notice_get(user=cast["case_manager"], pk=notice.pk)
    assert selectors.notice_get(user=cast["team_lead"], pk=notice.pk)  # leads carla's team
    with pytest.raises(SearchNotice.DoesNotExist):
        selectors.notice_get(user=cast["other_case_manager"], pk=notice.pk)


def test_reading_one_notice_is_audited(cast, open_case):
    notice = notice_make(open_case)
    selectors.notice_get(user=cast["team_lead"], pk=notice.pk)
    selectors.notice_get(user=cast["team_lead"], pk=notice.pk, audited=False)
    assert (
        AuditRecord.objects.filter(
            action="view", object_type="alerts.searchnotice", object_id=str(notice.pk)
        ).count()
        == 1
    )


def test_the_list_filters_and_pages_newest_first(cast, open_case):
    base = timezone.now() - timedelta(days=2)
    made = [
        notice_make(
            open_case,
            status=NoticeStatus.DRAFT if i % 2 else NoticeStatus.PUBLISHED,
            created_at=base + timedelta(minutes=i),
        )
        for i in range(5)
    ]
    user = cast["case_manager"]
    first = selectors.notice_list(user=user, page_size=2)
    assert [n.pk for n in first.items] == [made[4].pk, made[3].pk]
    second = selectors.notice_list(user=user, page_size=2, cursor=first.next_cursor)
    assert [n.pk for n in second.items] == [made[2].pk, made[1].pk]
    drafts = selectors.notice_list(user=user, status=NoticeStatus.DRAFT)
    assert [n.pk for n in drafts.items] == [made[3].pk, made[1].pk]
    assert selectors.notice_list(user=user, kind="discrete").items == []
    # A forged cursor shows the first page.
    assert selectors.notice_list(user=user, cursor="garbage").items[0].pk == made[4].pk


def test_the_approval_queue_excludes_ones_own_notices(cast, open_case):
    carla, tess, colin = cast["case_manager"], cast["team_lead"], cast["other_case_manager"]
    by_carla = notice_make(
        open_case, status=NoticeStatus.SUBMITTED, created_by=carla, submitted_by=carla
    )
    submitted_by_tess = notice_make(
        open_case, status=NoticeStatus.SUBMITTED, created_by=carla, submitted_by=tess
    )
    notice_make(open_case, status=NoticeStatus.DRAFT, created_by=colin)  # not submitted
    assert [n.pk for n in selectors.approval_queue(user=carla)] == []
    assert [n.pk for n in selectors.approval_queue(user=tess)] == [by_carla.pk]
    assert {n.pk for n in selectors.approval_queue(user=colin)} == {
        by_carla.pk,
        submitted_by_tess.pk,
    }
    assert selectors.approval_queue(user=cast["analyst"]) == []


# --- the withdrawal report ---------------------------------------------------------------------


@pytest.fixture
def withdrawn(cast, open_case):
    """A notice withdrawn from the page, the feed and the volunteers and partners: the
    volunteers' withdrawal messages in every state, partners all delivered."""
    now = timezone.now()
    notice = notice_make(
        open_case,
        status=NoticeStatus.WITHDRAWN,
        channels=[Channel.PAGE, Channel.FEED, Channel.VOLUNTEERS, Channel.PARTNERS],
    )
    started = now - timedelta(seconds=50)
    NoticeChannel.objects.filter(notice=notice).update(withdrawal_started_at=started)
    NoticeChannel.objects.filter(notice=notice, channel__in=["page", "feed"]).update(
        status=ChannelStatus.WITHDRAWN, withdrawn_at=started
    )
    NoticeChannel.objects.filter(notice=notice, channel="partners").update(
        status=ChannelStatus.WITHDRAWN, withdrawn_at=started + timedelta(seconds=12)
    )
    NoticeChannel.objects.filter(notice=notice, channel="volunteers").update(
        status=ChannelStatus.WITHDRAWING
    )
    published, withdrawing = (
        publication_reference(notice, Channel.VOLUNTEERS),
        withdrawal_reference(notice, Channel.VOLUNTEERS),
    )
    for _ in range(3):
        message(published, OutboxStatus.DELIVERED, attempts=1, delivered=now)
    for _ in range(2):
        message(published, OutboxStatus.CANCELLED)
    for _ in range(2):
        message(withdrawing, OutboxStatus.DELIVERED, attempts=1, delivered=now)
    message(withdrawing, OutboxStatus.PENDING)  # not tried yet
    message(withdrawing, OutboxStatus.PENDING, attempts=2, error="SMTP 451: try again later")
    message(withdrawing, OutboxStatus.FAILED, attempts=5, error="SMTP 550: no such mailbox")
    partners = withdrawal_reference(notice, Channel.PARTNERS)
    message(partners, OutboxStatus.DELIVERED, attempts=1, delivered=now)
    # Another notice's messages are not counted.
    other = notice_make(open_case, status=NoticeStatus.WITHDRAWN, channels=[Channel.VOLUNTEERS])
    message(withdrawal_reference(other, Channel.VOLUNTEERS), OutboxStatus.FAILED, attempts=5)
    Rendition.objects.create(
        notice=notice, kind=RenditionKind.PAGE, file="published/a.jpg", deleted_at=now
    )
    Rendition.objects.create(
        notice=notice, kind=RenditionKind.FEED, file="published/b.jpg", deleted_at=now
    )
    Rendition.objects.create(notice=notice, kind=RenditionKind.FEED, file="published/c.jpg")
    return notice


def test_the_withdrawal_report_counts_messages_in_every_state(cast, withdrawn):
    report = selectors.withdrawal_report(user=cast["case_manager"], notice=withdrawn)
    rows = {row.channel: row for row in report.channels}
    assert list(rows) == ["page", "feed", "volunteers", "partners"]
    volunteers = rows["volunteers"]
    assert volunteers.outbox and volunteers.in_progress
    w = volunteers.withdrawal
    assert (w.delivered, w.pending, w.retrying, w.failed, w.cancelled) == (2, 2, 1, 1, 0)
    # The error shown is of a message still pending or failed.
    assert w.last_error in ("SMTP 451: try again later", "SMTP 550: no such mailbox")
    p = volunteers.publication
    assert (p.delivered, p.cancelled, p.pending) == (3, 2, 0)
    assert volunteers.took is None  # still going on
    partners = rows["partners"]
    assert (partners.withdrawal.delivered, partners.withdrawal.failed) == (1, 0)
    assert partners.took_seconds == 12
    assert rows["page"].took_seconds == 0 and not rows["page"].outbox
    assert (rows["page"].files, rows["page"].files_deleted) == (1, 1)
    assert (rows["feed"].files, rows["feed"].files_deleted) == (2, 1)
    assert (report.files, report.files_deleted) == (3, 2)
    assert report.in_progress


def test_the_report_is_done_when_every_channel_and_file_is(cast, withdrawn):
    NoticeChannel.objects.filter(notice=withdrawn).update(
        status=ChannelStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert selectors.withdrawal_report(user=cast["case_manager"], notice=withdrawn).in_progress
    Rendition.objects.filter(notice=withdrawn).update(deleted_at=timezone.now())
    assert not selectors.withdrawal_report(user=cast["case_manager"], notice=withdrawn).in_progress


def test_the_reports_queries_do_not_grow_with_the_messages(cast, withdrawn):
    user = cast["case_manager"]
    selectors.withdrawal_report(user=user, notice=withdrawn)  # the user's permissions cached
    with CaptureQueriesContext(connection) as few:
        selectors.withdrawal_report(user=user, notice=withdrawn)
    reference = withdrawal_reference(withdrawn, Channel.VOLUNTEERS)
    for _ in range(200):
        message(reference, OutboxStatus.PENDING, attempts=1, error="timeout")
    with CaptureQueriesContext(connection) as many:
        report = selectors.withdrawal_report(user=user, notice=withdrawn)
    assert len(many) == len(few) <= 5
    volunteers = next(r for r in report.channels if r.channel == "volunteers")
    assert (volunteers.withdrawal.pending, volunteers.withdrawal.retrying) == (202, 201)


def test_the_report_is_refused_to_those_who_may_not_read_the_notice(cast, withdrawn):
    with pytest.raises(SearchNotice.DoesNotExist):
        selectors.withdrawal_report(user=cast["analyst"], notice=withdrawn)


def test_recipients_are_counted_per_channel_with_confirmations(cast, open_case):
    notice = notice_make(open_case, channels=[Channel.VOLUNTEERS, Channel.FOLLOWERS])
    for confirmed in (True, True, False):
        Recipient.objects.create(
            notice=notice,
            channel=Channel.VOLUNTEERS,
            kind=RecipientKind.VOLUNTEER,
            confirmed_at=timezone.now() if confirmed else None,
        )
    Recipient.objects.create(notice=notice, channel=Channel.FOLLOWERS, kind=RecipientKind.FOLLOWER)
    rows = {
        r.channel: (r.recipients, r.confirmed) for r in selectors.recipients_summary(notice=notice)
    }
    assert rows == {"volunteers": (3, 2), "followers": (1, 0)}
