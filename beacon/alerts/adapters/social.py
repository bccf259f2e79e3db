"""The ready-to-post package for social networks, and the social-media tool's webhook.

Publishing crops the notice's photo to each network format (metadata-free renditions, deleted
with every published file at the withdrawal) and sends the package (beacon.alerts.social: texts
per language and network, image addresses) to every active social-media tool partner that takes
a webhook, through the outbox. Staff who post by hand read the same package on the notice's page.

Withdrawal is the mobilisation's: unsent packages are cancelled, and a tool that may have received
one gets a signed "notice.withdrawn" webhook asking it to delete the posts; the channel stays
"being withdrawn" until those are delivered.
"""

from django.utils.translation import gettext as _

from beacon.alerts.adapters.mobilisation import (
    PUBLICATION_PRIORITY,
    _Mobilisation,
    publication_reference,
)
from beacon.alerts.choices import Channel, NoticeKind
from beacon.alerts.models import NoticeChannel, Recipient, RecipientKind, SearchNotice
from beacon.alerts.renditions import first_photo, rendition_from_photo
from beacon.alerts.social import SOCIAL_FORMATS, social_package
from beacon.core.outbox import outbox_enqueue_many
from beacon.network.models import Partner, PartnerKind, ReceiveChannel


def social_tools():
    """Active social-media tools that take the package by webhook."""
    return (
        Partner.objects.filter(
            active=True, kind=PartnerKind.SOCIAL_TOOL, channel=ReceiveChannel.WEBHOOK
        )
        .exclude(webhook_url="")
        .order_by("id")
    )


class SocialAdapter(_Mobilisation):
    channel = Channel.SOCIAL
    recipient_kind = RecipientKind.SOCIAL_TOOL

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        if notice.kind != NoticeKind.PUBLIC:
            return _("not for a discrete notice")  # the services never choose it for one
        self.renditions(notice)
        package = social_package(notice)
        tools = list(social_tools())
        recipients = Recipient.objects.bulk_create(
            [
                Recipient(
                    notice=notice, channel=self.channel, kind=self.recipient_kind, partner=tool
                )
                for tool in tools
            ]
        )
        reference = publication_reference(notice, self.channel)
        messages = outbox_enqueue_many(
            [
                {
                    "channel": "http",
                    "destination": tool.webhook_url,
                    "payload": {
                        "event": "notice.published",
                        "sequence": notice.version,
                        "package": package,
                    },
                    "reference": reference,
                    "obj": recipient,
                }
                for tool, recipient in zip(tools, recipients, strict=True)
            ],
            priority=PUBLICATION_PRIORITY,
        )
        for recipient, message in zip(recipients, messages, strict=True):
            recipient.message = message
        Recipient.objects.bulk_update(recipients, ["message"])
        return _("%(images)d images, %(posts)d posts, %(tools)d social-media tools") % {
            "images": len(package["images"]),
            "posts": sum(len(networks) for networks in package["posts"].values()),
            "tools": len(tools),
        }

    def renditions(self, notice: SearchNotice) -> None:
        """The photo in every network format (a publication run again keeps those it made)."""
        photo = first_photo(notice)
        if photo is None:
            return
        done = set(notice.renditions.filter(deleted_at__isnull=True).values_list("kind", flat=True))
        for kind, width, height in SOCIAL_FORMATS:
            if kind not in done:
                rendition_from_photo(
                    notice=notice, photo=photo, kind=kind, size=(width, height), fit="cover"
                )

    def _withdrawal_message(
        self, notice: SearchNotice, recipient: Recipient, language: str, reference: str
    ) -> dict:
        message = super()._withdrawal_message(notice, recipient, language, reference)
        if message["channel"] == "http":
            message["payload"] = {
                **message["payload"],
                "delete_posts": True,
                "instruction": "delete every post of the notice and its images",
            }
        return message
