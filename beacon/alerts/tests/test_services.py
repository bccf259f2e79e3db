"""Search notices from draft to withdrawal: four-eyes, the authority's agreement, publication to
every channel through the outbox (real SMTP and HTTP receivers on loopback), and the withdrawal
that wins over a publication still going out."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from beacon.alerts import services
from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus
from beacon.alerts.models import FeedState, NoticeChannel, Recipient, Rendition
from beacon.cases.services import case_close
from beacon.core.models import AuditRecord, OutboxMessage, OutboxStatus, Region
from beacon.core.outbox import deliver_due
from beacon.core.tests.outbox_receivers import HttpReceiver, SmtpReceiver
from beacon.network.models import Follower, Municipality, Partner, PartnerKind, Volunteer
from conftest import synthetic_photo

KEY = b"test-signing-key"


def run_tasks() -> None:
    from django_tasks_db.models import DBTaskResult

    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert not failed.exists(), [(t.task_path, t.traceback) for t in failed]


@pytest.fixture
def outbox(settings):
    settings.OUTBOX_SIGNING_KEY = KEY.decode()
    settings.OUTBOX_TIMEOUT_SECONDS = 1
    settings.OUTBOX_LEASE_SECONDS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.DEFAULT_FROM_EMAIL = "beacon@example.org"
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"
    return settings


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def draft(case_manager, case, **fields):
    values = {
        "kind": NoticeKind.PUBLIC,
        "channels": [Channel.PAGE, Channel.FEED, Channel.VOLUNTEERS, Channel.PARTNERS],
        "languages": ["nl", "fr"],
        "description": {"nl": "Lang bruin haar, blauwe jas.", "fr": "Cheveux bruns, veste bleue."},
    }
    values.update(fields)
    return services.notice_prepare(actor=case_manager, case=case, **values)


def ready(case_manager, case, **fields):
    """A complete draft: photo, agreement, parents informed."""
    notice = draft(case_manager, case, **fields)
    if notice.kind == NoticeKind.PUBLIC:
        services.notice_photo_add(
            actor=case_manager,
            notice=notice,
            expected_version=notice.version,
            upload=upload(synthetic_photo()),
        )
    now = timezone.now()
    services.notice_agreement_record(
        actor=case_manager,
        notice=notice,
        expected_version=notice.version,
        authority_name="Federal police, Missing Persons Unit",
        agreed_by="Magistrate on duty",
        agreed_at=now - timedelta(minutes=10),
        parents_informed_at=now - timedelta(minutes=5),
    )
    return notice


def approved(cast, case, **fields):
    notice = ready(cast["case_manager"], case, **fields)
    services.notice_submit(
        actor=cast["case_manager"], notice=notice, expected_version=notice.version
    )
    services.notice_approve(actor=cast["team_lead"], notice=notice, expected_version=notice.version)
    return notice


@pytest.fixture
def network(db):
    """Two volunteers and a poster partner in Antwerp, one elsewhere, followers, a webhook partner."""
    antwerp = Region.objects.get(code="BE-VAN")
    limburg = Region.objects.get(code="BE-VLI")
    town = Municipality.objects.create(code="11002", names={"nl": "Antwerpen"}, region=antwerp)
    consent = timezone.now() - timedelta(days=30)
    volunteers = [
        Volunteer.objects.create(
            first_name=f"Vera{i}",
            last_name="Synthetic",
            email=f"vera{i}@example.org",
            region=antwerp,
            municipality=town,
            roles=["posters"],
            languages=["fr"] if i == 0 else ["nl"],
            consent_given_at=consent,
        )
        for i in range(2)
    ]
    Volunteer.objects.create(  # no consent: never mobilised
        first_name="Nico",
        last_name="Synthetic",
        email="nico@example.org",
        region=antwerp,
        roles=["posters"],
    )
    Volunteer.objects.create(  # another province
        first_name="Lim",
        last_name="Synthetic",
        email="lim@example.org",
        region=limburg,
        roles=["posters"],
        consent_given_at=consent,
    )
    Partner.objects.create(
        name="Poster shop", kind=PartnerKind.POSTERS, region=antwerp, email="shop@example.org"
    )
    Follower.objects.create(group="running club", address="runner1@example.org")
    Follower.objects.create(group="running club", address="runner2@example.org", region=limburg)
    return {"region": antwerp, "town": town, "volunteers": volunteers}


# --- preparing, four-eyes, agreement --------------------------------------------------------


def test_a_draft_takes_the_case_facts_and_is_audited(cast, open_case):
    notice = draft(cast["case_manager"], open_case)
    assert notice.status == NoticeStatus.DRAFT
    assert notice.display_name == "Lotte"
    assert notice.age == open_case.age_at_disappearance
    assert notice.region.code == "BE-VAN"
    assert AuditRecord.objects.filter(object_id=str(notice.pk), action="create").exists()


def test_nobody_approves_their_own_notice(cast, open_case):
    notice = ready(cast["case_manager"], open_case)
    services.notice_submit(
        actor=cast["case_manager"], notice=notice, expected_version=notice.version
    )
    with pytest.raises(ValidationError) as refused:
        services.notice_approve(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
    assert "approved_by" in refused.value.message_dict
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SUBMITTED
    services.notice_approve(actor=cast["team_lead"], notice=notice, expected_version=notice.version)
    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == (NoticeStatus.APPROVED, cast["team_lead"])


def test_publishing_needs_approval(cast, open_case):
    notice = ready(cast["case_manager"], open_case)
    with pytest.raises(ValidationError) as refused:
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
    assert "second person" in str(refused.value.message_dict["status"][0])
    assert not NoticeChannel.objects.exists()


def test_no_submission_without_the_authoritys_agreement(cast, open_case):
    notice = draft(cast["case_manager"], open_case)
    services.notice_photo_add(
        actor=cast["case_manager"],
        notice=notice,
        expected_version=notice.version,
        upload=upload(synthetic_photo()),
    )
    with pytest.raises(ValidationError) as refused:
        services.notice_submit(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
    assert "authority_agreed_at" in refused.value.message_dict
    assert "parents_informed_at" in refused.value.message_dict  # Lotte is a minor


def test_a_change_after_approval_needs_a_new_approval(cast, open_case):
    notice = approved(cast, open_case)
    services.notice_update(
        actor=cast["case_manager"],
        notice=notice,
        expected_version=notice.version,
        description={"nl": "Andere tekst.", "fr": "Autre texte."},
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT
    assert notice.approved_by is None


def test_a_closed_case_gets_no_notice(cast, open_case):
    notice = approved(cast, open_case)
    case_close(
        actor=cast["case_manager"],
        case=open_case,
        expected_version=open_case.version,
        outcome="found_safe",
        found_at=timezone.now(),
    )
    notice.refresh_from_db()
    # The closing withdrew the approved notice; publishing it now is refused.
    assert notice.status == NoticeStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
    with pytest.raises(ValidationError) as refused:
        draft(cast["case_manager"], open_case)
    assert "case" in refused.value.message_dict


def test_channels_must_suit_the_kind(cast, open_case):
    with pytest.raises(ValidationError) as refused:
        draft(cast["case_manager"], open_case, kind=NoticeKind.DISCRETE, channels=[Channel.PAGE])
    assert "channels" in refused.value.message_dict


def test_people_without_the_permission_cannot_prepare(cast, open_case):
    from django.core.exceptions import PermissionDenied

    for role in ("analyst", "volunteer_coordinator", "first_responder"):
        with pytest.raises(PermissionDenied):
            draft(cast[role], open_case)


# --- photos ----------------------------------------------------------------------------------


def test_a_photo_loses_its_metadata(cast, open_case, private_storage):
    notice = draft(cast["case_manager"], open_case)
    original = synthetic_photo(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the upload has GPS
    photo = services.notice_photo_add(
        actor=cast["case_manager"],
        notice=notice,
        expected_version=notice.version,
        upload=upload(original),
    )
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "photo.jpg", "not an image"),
        (synthetic_photo(fmt="PNG", gps=False), "photo.jpg", "named as a JPEG"),
        (b"GIF89a" + b"\x00" * 100, "photo.gif", "not an image"),
    ],
)
def test_a_bad_photo_is_refused_and_changes_nothing(
    cast, open_case, private_storage, content, name, message
):
    notice = draft(cast["case_manager"], open_case)
    with pytest.raises(ValidationError) as refused:
        services.notice_photo_add(
            actor=cast["case_manager"],
            notice=notice,
            expected_version=notice.version,
            upload=upload(content, name),
        )
    assert message in str(refused.value.message_dict["photo"][0])
    assert not notice.photos.exists()


def test_a_photo_too_large_is_refused(cast, open_case, private_storage, settings):
    settings.PHOTO_MAX_BYTES = 1000
    notice = draft(cast["case_manager"], open_case)
    with pytest.raises(ValidationError) as refused:
        services.notice_photo_add(
            actor=cast["case_manager"],
            notice=notice,
            expected_version=notice.version,
            upload=upload(synthetic_photo()),
        )
    assert "too large" in str(refused.value.message_dict["photo"][0])


# --- publishing and withdrawing --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_publication_reaches_the_area_and_withdrawal_tells_them(
    cast, open_case, network, outbox, private_storage
):
    with SmtpReceiver([]) as smtp, HttpReceiver([], signing_key=KEY) as hook:
        outbox.EMAIL_PORT = smtp.port
        Partner.objects.create(
            name="Guards",
            kind=PartnerKind.COMMUNITY_GUARDS,
            municipality=network["town"],
            region=network["region"],
            channel="webhook",
            webhook_url=hook.url,
        )
        notice = approved(cast, open_case, municipalities=[network["town"]])
        feed_before = FeedState.objects.first().version if FeedState.objects.exists() else 0
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
        run_tasks()
        states = dict(NoticeChannel.objects.filter(notice=notice).values_list("channel", "status"))
        assert set(states.values()) == {ChannelStatus.PUBLISHED}
        assert FeedState.objects.get().version > feed_before
        # The two consenting volunteers of the municipality, the shop, the guards' webhook.
        emails = sorted(r["to"][0] for r in smtp.received)
        assert emails == ["shop@example.org", "vera0@example.org", "vera1@example.org"]
        french = next(r for r in smtp.received if r["to"] == ["vera0@example.org"])
        assert french["subject"].startswith("Disparu") or "Lotte" in french["subject"]
        assert "https://beacon.example.org/missing/fr/" in french["body"]
        assert "/missing/confirm/" in french["body"]
        [webhook] = hook.received
        assert webhook["signature_ok"]
        body = json.loads(webhook["body"])
        assert body["event"] == "notice.published" and body["notice"]["id"] == notice.public_id
        assert Rendition.objects.filter(notice=notice, deleted_at__isnull=True).exists()

        services.notice_withdraw(actor=cast["case_manager"], notice=notice, reason="found")
        run_tasks()
        withdrawals = [r for r in smtp.received if r["reference"].endswith("/withdraw")]
        assert sorted(r["to"][0] for r in withdrawals) == emails
        assert all("Lotte" not in r["body"] for r in withdrawals)  # never names the child
        assert json.loads(hook.received[-1]["body"])["event"] == "notice.withdrawn"
        # Every published file is gone from storage.
        assert not Rendition.objects.filter(notice=notice, deleted_at__isnull=True).exists()
        assert not list((private_storage / "published").rglob("*.*"))
        assert services.withdrawals_progress() == "2 channels withdrawn"
        assert set(
            NoticeChannel.objects.filter(notice=notice).values_list("status", flat=True)
        ) == {ChannelStatus.WITHDRAWN}


@pytest.mark.django_db(transaction=True)
def test_the_withdrawal_wins_over_a_publication_still_queued(
    cast, open_case, network, outbox, private_storage
):
    with SmtpReceiver([]) as smtp:
        outbox.EMAIL_PORT = smtp.port
        notice = approved(cast, open_case)
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
        # Withdrawn before any worker ran: no channel is published, nothing is sent.
        services.notice_withdraw(actor=cast["case_manager"], notice=notice, reason="found")
        run_tasks()
        assert smtp.received == []
        assert set(
            NoticeChannel.objects.filter(notice=notice).values_list("status", flat=True)
        ) == {ChannelStatus.SKIPPED}
        assert not Rendition.objects.filter(notice=notice).exists()


@pytest.mark.django_db(transaction=True)
def test_messages_not_yet_sent_are_cancelled_by_the_withdrawal(
    cast, open_case, network, outbox, private_storage
):
    from beacon.alerts.services import channel_publish

    with SmtpReceiver([]) as smtp:
        outbox.EMAIL_PORT = smtp.port
        notice = approved(cast, open_case, channels=[Channel.VOLUNTEERS])
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
        # The channel's task ran (messages written) but no deliverer has sent them yet.
        channel_publish(notice_id=notice.pk, channel=Channel.VOLUNTEERS)
        assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2
        services.notice_withdraw(actor=cast["case_manager"], notice=notice, reason="found")
        run_tasks()
        assert smtp.received == []  # neither the notice nor a withdrawal: nobody saw it
        assert OutboxMessage.objects.filter(status=OutboxStatus.CANCELLED).count() == 2
        assert services.withdrawals_progress() == "0 channels withdrawn"
        assert NoticeChannel.objects.get(notice=notice).status == ChannelStatus.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_a_failing_partner_does_not_hold_up_the_others(
    cast, open_case, network, outbox, private_storage
):
    with SmtpReceiver([]) as smtp, HttpReceiver(["error", "error", "ok"], signing_key=KEY) as hook:
        outbox.EMAIL_PORT = smtp.port
        Partner.objects.create(
            name="Flaky guards",
            kind=PartnerKind.COMMUNITY_GUARDS,
            region=network["region"],
            channel="webhook",
            webhook_url=hook.url,
        )
        Partner.objects.create(
            name="Down guards",
            kind=PartnerKind.COMMUNITY_GUARDS,
            region=network["region"],
            channel="webhook",
            webhook_url="http://127.0.0.1:9/down",
        )
        notice = approved(cast, open_case, channels=[Channel.PARTNERS])
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
        for _round in range(4):
            run_tasks()
            deliver_due()
        assert [r["to"] for r in smtp.received] == [["shop@example.org"]]
        keys = [r["key"] for r in hook.received]
        assert len(keys) == 3 and len(set(keys)) == 1  # retried with one idempotency key
        assert hook.accepted[keys[0]] == 1
        down = OutboxMessage.objects.get(destination="http://127.0.0.1:9/down")
        assert down.status == OutboxStatus.FAILED and "refused" in down.last_error


@pytest.mark.django_db(transaction=True)
def test_closing_the_case_as_found_withdraws_every_channel(
    cast, open_case, network, outbox, private_storage
):
    with SmtpReceiver([]) as smtp:
        outbox.EMAIL_PORT = smtp.port
        notice = approved(cast, open_case, channels=[Channel.PAGE, Channel.FEED, Channel.FOLLOWERS])
        services.notice_publish(
            actor=cast["case_manager"], notice=notice, expected_version=notice.version
        )
        run_tasks()
        assert [r["to"] for r in smtp.received] == [["runner1@example.org"]]  # Limburg's is not
        open_case.refresh_from_db()
        case_close(
            actor=cast["case_manager"],
            case=open_case,
            expected_version=open_case.version,
            outcome="found_safe",
            found_at=timezone.now(),
        )
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.WITHDRAWN
        run_tasks()
        assert smtp.received[-1]["reference"].endswith("/followers/withdraw")
        assert not Rendition.objects.filter(notice=notice, deleted_at__isnull=True).exists()
        recipient = Recipient.objects.get(notice=notice)
        assert recipient.withdrawal.status == OutboxStatus.DELIVERED
