"""The social channel: texts per language and network within each network's limit, the photo in
every network format without metadata, the package by signed webhook to the social-media tool
(a real HTTP server on loopback), and the withdrawal that asks the tool to delete the posts."""

import json

import pytest
from PIL import Image

from beacon.alerts import services
from beacon.alerts.adapters.mobilisation import publication_reference, withdrawal_reference
from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.models import NoticeChannel, Recipient, RecipientKind, Rendition
from beacon.alerts.social import NETWORK_LIMITS, social_package, text_length
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import OutboxMessage, OutboxStatus
from beacon.core.outbox import deliver_due
from beacon.core.tests.outbox_receivers import HttpReceiver
from beacon.network.models import Partner, PartnerKind
from conftest import synthetic_photo

KEY = b"test-signing-key"
BASE = "https://beacon.example.org"
LONG = (
    "1.60 m, long brown hair in a ponytail, blue denim jacket, white sneakers, a red backpack "
    "with a small keyring shaped like a cat. She may be travelling by train towards the coast "
    "and could be with an older friend. "
) * 8


@pytest.fixture
def outbox(settings):
    settings.OUTBOX_SIGNING_KEY = KEY.decode()
    settings.OUTBOX_TIMEOUT_SECONDS = 1
    settings.OUTBOX_LEASE_SECONDS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_JITTER = 0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.PUBLIC_BASE_URL = BASE
    return settings


def social_notice(case, **fields):
    """A published public notice whose social channel has not gone out yet."""
    notice = notice_make(case, channels=[Channel.SOCIAL], photo=synthetic_photo(), **fields)
    NoticeChannel.objects.filter(notice=notice).update(status=ChannelStatus.PENDING)
    return notice


# --- the texts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_post_fits_its_network_and_keeps_what_matters(open_case, outbox):
    notice = notice_make(
        open_case,
        channels=[Channel.SOCIAL],
        languages=["nl", "fr", "en"],
        description={"nl": LONG, "fr": LONG, "en": LONG},
    )
    package = social_package(notice)
    assert sorted(package["posts"]) == ["en", "fr", "nl"]
    for language, networks in package["posts"].items():
        url = f"{BASE}/missing/{language}/{notice.public_id}/"
        assert package["notice"]["page_urls"][language] == url
        for network, post in networks.items():
            text = post["text"]
            assert post["limit"] == NETWORK_LIMITS[network]
            assert post["length"] == text_length(network, text, [url]) <= post["limit"]
            assert "Lotte, 15" in text
            assert url in text and "#116000" in text
            assert "116 000" in text or "116000" in text
    x_text = package["posts"]["en"]["x"]["text"]
    # The link counts 23 on X, whatever its real length; the description was shortened.
    assert len(x_text) > package["posts"]["en"]["x"]["length"]
    assert "…" in x_text and LONG not in x_text
    assert package["posts"]["en"]["x"]["length"] > 200  # the room was used
    assert "Station, Testville" in x_text
    # Facebook has room for more of the description than X.
    facebook = package["posts"]["en"]["facebook"]["text"]
    assert len(facebook) > len(x_text)


@pytest.mark.django_db
def test_x_counts_wide_characters_twice(open_case, outbox):
    notice = notice_make(
        open_case, channels=[Channel.SOCIAL], languages=["en"], description={"en": "迷" * 400}
    )
    post = social_package(notice)["posts"]["en"]["x"]
    assert post["length"] <= 280
    assert post["text"].count("迷") < 140


@pytest.mark.django_db
def test_texts_are_in_the_notices_languages(open_case, outbox):
    notice = notice_make(open_case, channels=[Channel.SOCIAL], languages=["fr"])
    text = social_package(notice)["posts"]["fr"]["facebook"]["text"]
    assert text.startswith("DISPARU") or "Lotte" in text
    assert f"{BASE}/missing/fr/" in text


@pytest.mark.django_db
def test_a_discrete_or_withdrawn_notice_has_nothing_to_post(open_case, outbox):
    discrete = notice_make(open_case, kind=NoticeKind.DISCRETE)
    assert social_package(discrete)["posts"] == {}
    withdrawn = notice_make(open_case, status=NoticeStatus.WITHDRAWN, channels=[Channel.SOCIAL])
    package = social_package(withdrawn)
    assert package["posts"] == {} and package["images"] == {}


# --- publication and withdrawal ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_package_goes_to_the_social_tool_and_its_withdrawal_deletes_the_posts(
    cast, open_case, outbox, private_storage
):
    with HttpReceiver([], signing_key=KEY) as tool:
        partner = Partner.objects.create(
            name="Social scheduler",
            kind=PartnerKind.SOCIAL_TOOL,
            channel="webhook",
            webhook_url=tool.url,
        )
        Partner.objects.create(  # by e-mail: a tool that is not wired gets nothing
            name="Mailbox tool", kind=PartnerKind.SOCIAL_TOOL, email="tool@example.org"
        )
        Partner.objects.create(
            name="Gone tool",
            kind=PartnerKind.SOCIAL_TOOL,
            channel="webhook",
            webhook_url="http://127.0.0.1:9/gone",
            active=False,
        )
        notice = social_notice(open_case)
        assert services.channel_publish(notice_id=notice.pk, channel=Channel.SOCIAL) == (
            "published social"
        )
        # Every network format, cropped to fill it, without any metadata.
        sizes = {}
        for rendition in Rendition.objects.filter(notice=notice):
            with rendition.file.open("rb") as stored, Image.open(stored) as image:
                assert not image.getexif() and "exif" not in image.info
                sizes[rendition.kind] = image.size
        assert sizes == {
            RenditionKind.SOCIAL_SQUARE: (1080, 1080),
            RenditionKind.SOCIAL_PORTRAIT: (1080, 1350),
            RenditionKind.SOCIAL_LANDSCAPE: (1200, 630),
            RenditionKind.SOCIAL_STORY: (1080, 1920),
        }
        [recipient] = Recipient.objects.filter(notice=notice)
        assert (recipient.kind, recipient.partner, recipient.channel) == (
            RecipientKind.SOCIAL_TOOL,
            partner,
            Channel.SOCIAL,
        )
        assert recipient.message.reference == publication_reference(notice, Channel.SOCIAL)
        state = NoticeChannel.objects.get(notice=notice)
        assert state.status == ChannelStatus.PUBLISHED and "1 social-media tools" in state.detail

        deliver_due()
        [received] = tool.received
        assert received["signature_ok"]
        body = json.loads(received["body"])
        assert body["event"] == "notice.published"
        package = body["package"]
        assert package["notice"]["id"] == notice.public_id
        assert sorted(package["posts"]) == sorted(notice.languages)
        assert package["posts"]["nl"]["instagram"]["images"][0] == RenditionKind.SOCIAL_PORTRAIT
        square = package["images"][RenditionKind.SOCIAL_SQUARE]
        assert square["url"].startswith(f"{BASE}/missing/files/{notice.public_id}/")
        assert (square["width"], square["height"]) == (1080, 1080)

        services.notice_withdraw(actor=cast["case_manager"], notice=notice, reason="found")
        state.refresh_from_db()
        assert state.status == ChannelStatus.WITHDRAWING  # until the tool has been told
        deliver_due()
        withdrawal = json.loads(tool.received[-1]["body"])
        assert withdrawal["event"] == "notice.withdrawn"
        assert withdrawal["notice"] == {"id": notice.public_id}
        assert withdrawal["delete_posts"] is True and "post" in withdrawal["instruction"]
        recipient.refresh_from_db()
        assert recipient.withdrawal.reference == withdrawal_reference(notice, Channel.SOCIAL)
        assert recipient.withdrawal.status == OutboxStatus.DELIVERED
        assert services.withdrawals_progress() == "1 channels withdrawn"
        state.refresh_from_db()
        assert state.status == ChannelStatus.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_a_package_not_yet_sent_is_cancelled_and_nobody_is_told(
    cast, open_case, outbox, private_storage
):
    with HttpReceiver([], signing_key=KEY) as tool:
        Partner.objects.create(
            name="Social scheduler",
            kind=PartnerKind.SOCIAL_TOOL,
            channel="webhook",
            webhook_url=tool.url,
        )
        notice = social_notice(open_case)
        services.channel_publish(notice_id=notice.pk, channel=Channel.SOCIAL)
        services.notice_withdraw(actor=cast["case_manager"], notice=notice, reason="found")
        deliver_due()
        assert tool.received == []
        assert OutboxMessage.objects.get().status == OutboxStatus.CANCELLED
        assert NoticeChannel.objects.get(notice=notice).status == ChannelStatus.WITHDRAWN
