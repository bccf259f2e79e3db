"""Mobilisation of volunteers, partners and followers: e-mail over SMTP, or a signed webhook for
those who asked for one. Every message goes through the outbox in bulk (13,000 followers are one
INSERT per 500 rows and one delivery task per 100 messages) and carries the recipient's own
confirmation link.

Withdrawal: messages not yet sent are cancelled; everyone whose message may have reached them
(at least one delivery attempt) gets a withdrawal message, which never names the child: "found,
thank you, please remove the posters". Webhook payloads carry the notice's `sequence` (its
version): a receiver applies the highest it has seen, so a withdrawal that overtakes a late
publication still wins.
"""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel, NoticeKind, RenditionKind
from beacon.alerts.models import NoticeChannel, Recipient, RecipientKind, Rendition, SearchNotice
from beacon.core.models import Organisation, OutboxMessage
from beacon.core.numbers import phone_display, public_numbers
from beacon.core.outbox import outbox_cancel, outbox_enqueue_many
from beacon.network.mobilisation import (
    mobilisation_followers,
    mobilisation_partners,
    mobilisation_volunteers,
)
from beacon.network.models import ReceiveChannel

PUBLICATION_PRIORITY = 0
WITHDRAWAL_PRIORITY = 50


def publication_reference(notice: SearchNotice, channel: str) -> str:
    return f"{notice.public_id}/{channel}/publish"


def withdrawal_reference(notice: SearchNotice, channel: str) -> str:
    return f"{notice.public_id}/{channel}/withdraw"


def message_numbers() -> dict:
    """The organisation's name and public numbers, as messages print them."""
    organisation = Organisation.objects.first()
    numbers = public_numbers(organisation)
    return {
        "missing": phone_display(numbers.hotline),
        "tip": phone_display(numbers.tip_line),
        "organisation": organisation.name if organisation else "Beacon",
    }


def _language_for(preferred: list[str], notice: SearchNotice) -> str:
    for language in preferred:
        if language in notice.languages:
            return language
    return notice.languages[0] if notice.languages else settings.LANGUAGE_CODE


class _Texts:
    """A notice's messages, rendered once per language, with slots for each recipient."""

    def __init__(self, notice: SearchNotice, channel: str) -> None:
        self.notice = notice
        self.channel = channel
        self.numbers = message_numbers()
        self._cache: dict[str, tuple[str, str]] = {}
        self._greetings: dict[str, tuple[str, str]] = {}
        self.posters = {
            r.language: r
            for r in Rendition.objects.filter(
                notice=notice,
                kind__in=(RenditionKind.POSTER, RenditionKind.VIGNETTE),
                deleted_at__isnull=True,
            )
        }

    @cached_property
    def page_photo(self) -> Rendition | None:
        """The page's photo, read once for all the webhooks of the channel."""
        return Rendition.objects.filter(
            notice=self.notice, kind=RenditionKind.PAGE, deleted_at__isnull=True
        ).first()

    def greeting(self, language: str, name: str) -> str:
        """The greeting line, in `language` (its two forms translated once per language)."""
        if language not in self._greetings:
            with translation.override(language):
                self._greetings[language] = (_("Dear %(name)s,"), _("Hello,"))
        named, anonymous = self._greetings[language]
        return named % {"name": name} if name else anonymous

    def publication(self, language: str) -> tuple[str, str]:
        """(subject, body) with `{greeting}` and `{confirm_url}` left to fill in."""
        if language not in self._cache:
            with translation.override(language):
                self._cache[language] = self._publication()
        return self._cache[language]

    def _publication(self) -> tuple[str, str]:
        from beacon.alerts.links import public_file_url, public_page_url

        notice = self.notice
        language = translation.get_language()
        name = notice.display_name
        if notice.age is not None:
            name = _("%(name)s, %(age)d") % {"name": name, "age": notice.age}
        discrete = notice.kind == NoticeKind.DISCRETE
        subject = (
            _("Discrete search: %(name)s (do not share)") if discrete else _("Missing: %(name)s")
        ) % {"name": name}
        lines = ["{greeting}", ""]
        if discrete:
            lines.append(
                _(
                    "A discrete search notice for your organisation only. Do not publish or share it."
                )
            )
        else:
            lines.append(_("A child is missing in your area. Please help us find them."))
        lines += ["", name]
        if notice.last_seen_at or notice.last_seen_place:
            seen = (
                formats.date_format(timezone.localtime(notice.last_seen_at), "DATETIME_FORMAT")
                if notice.last_seen_at
                else ""
            )
            lines.append(
                _("Last seen: %(place)s %(when)s").strip()
                % {"place": notice.last_seen_place, "when": seen}
            )
        description = notice.text("description", language) or next(
            iter(notice.description.values()), ""
        )
        if description:
            lines += ["", description]
        lines += ["", notice.text("instructions", language) or self._default_instructions()]
        if not discrete:
            lines += ["", _("The notice: %(url)s") % {"url": public_page_url(notice, language)}]
        poster = self.posters.get(language) or next(iter(self.posters.values()), None)
        if poster is not None and not discrete and self.channel == Channel.VOLUNTEERS:
            lines.append(
                _("The poster to print and put up: %(url)s") % {"url": public_file_url(poster)}
            )
        lines += [
            "",
            _("Please confirm you received this notice: %(url)s") % {"url": "{confirm_url}"},
            "",
            self.numbers["organisation"],
        ]
        return subject, "\n".join(lines)

    def _default_instructions(self) -> str:
        return (
            _(
                "Have you seen this child? Call %(missing)s (day and night, free). A tip? Call %(tip)s."
            )
            % self.numbers
        )

    def payload(self, language: str) -> dict:
        """The webhook's body: the notice's public facts (no case data)."""
        from beacon.alerts.links import public_file_url, public_page_url

        notice = self.notice
        discrete = notice.kind == NoticeKind.DISCRETE
        photo = self.page_photo
        return {
            "event": "notice.published",
            "sequence": notice.version,
            "notice": {
                "id": notice.public_id,
                "kind": notice.kind,
                "name": notice.display_name,
                "age": notice.age,
                "last_seen_at": notice.last_seen_at.isoformat() if notice.last_seen_at else None,
                "last_seen_place": notice.last_seen_place,
                "province": notice.region.code if notice.region else None,
                "languages": notice.languages,
                "description": notice.description,
                "instructions": notice.instructions,
                "page_url": None if discrete else public_page_url(notice, language),
                "photo_url": None if discrete or photo is None else public_file_url(photo),
                "published_at": notice.published_at.isoformat() if notice.published_at else None,
            },
        }


def _link_messages(notice: SearchNotice, channel: str, field: str, reference: str = "") -> None:
    """Point each recipient of the channel at its message (`field`), in one UPDATE: a bulk_update
    of 13,000 rows costs Django seconds of CASE expressions; this is an indexed look-up each."""
    messages = OutboxMessage.objects.filter(
        object_type=Recipient._meta.label_lower,
        object_id=Cast(OuterRef("pk"), CharField()),
        reference=reference or publication_reference(notice, channel),
    )
    Recipient.objects.filter(notice=notice, channel=channel, **{f"{field}__isnull": True}).update(
        **{field: Subquery(messages.order_by("-id").values("pk")[:1])}
    )


class _Mobilisation(Adapter):
    recipient_kind = ""

    def recipients(self, notice: SearchNotice) -> list[tuple[dict, str, str, list[str], str]]:
        """(Recipient fields, channel email|webhook, address, preferred languages, greeting name)."""
        raise NotImplementedError

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        from beacon.alerts.links import confirm_url

        targets = self.recipients(notice)
        created = Recipient.objects.bulk_create(
            [
                Recipient(notice=notice, channel=self.channel, kind=self.recipient_kind, **fields)
                for fields, _channel, _address, _languages, _name in targets
            ],
            batch_size=500,
        )
        texts = _Texts(notice, self.channel)
        messages = []
        reference = publication_reference(notice, self.channel)
        for recipient, (_fields, channel, address, preferred, name) in zip(
            created, targets, strict=True
        ):
            language = _language_for(preferred, notice)
            link = confirm_url(recipient.pk)
            if channel == ReceiveChannel.WEBHOOK:
                payload = {**texts.payload(language), "confirm_url": link}
                messages.append(
                    {
                        "channel": "http",
                        "destination": address,
                        "payload": payload,
                        "reference": reference,
                        "obj": recipient,
                    }
                )
                continue
            subject, body = texts.publication(language)
            greeting = texts.greeting(language, name)
            message: dict[str, Any] = {
                "channel": "email",
                "destination": address,
                "subject": subject,
                "body": body.replace("{greeting}", greeting).replace("{confirm_url}", link),
                "reference": reference,
                "obj": recipient,
            }
            vignette = texts.posters.get(language) or next(iter(texts.posters.values()), None)
            if notice.kind == NoticeKind.DISCRETE and vignette is not None:
                message["payload"] = {
                    "attachments": [
                        {
                            "name": vignette.file.name,
                            "filename": f"vignette-{notice.public_id}.pdf",
                            "content_type": "application/pdf",
                        }
                    ]
                }
            messages.append(message)
        outbox_enqueue_many(messages, priority=PUBLICATION_PRIORITY)
        _link_messages(notice, self.channel, "message")
        return _("%(count)d recipients") % {"count": len(created)}

    def withdraw(self, notice: SearchNotice, state: NoticeChannel) -> bool:
        publications = OutboxMessage.objects.filter(
            reference=publication_reference(notice, self.channel)
        )
        cancelled = outbox_cancel(publications)
        reached = list(
            Recipient.objects.filter(notice=notice, channel=self.channel)
            .filter(Q(message__attempts__gt=0))
            .select_related("message")
        )
        messages = []
        reference = withdrawal_reference(notice, self.channel)
        for recipient in reached:
            language = _language_for([], notice)
            messages.append(self._withdrawal_message(notice, recipient, language, reference))
        outbox_enqueue_many(messages, priority=WITHDRAWAL_PRIORITY)
        _link_messages(notice, self.channel, "withdrawal", reference=reference)
        state.detail = _("%(cancelled)d not sent, %(told)d told of the withdrawal") % {
            "cancelled": cancelled,
            "told": len(reached),
        }
        return not reached

    def _withdrawal_message(
        self, notice: SearchNotice, recipient: Recipient, language: str, reference: str
    ) -> dict:
        published = recipient.message
        if published is not None and published.channel == "http":
            return {
                "channel": "http",
                "destination": published.destination,
                "payload": {
                    "event": "notice.withdrawn",
                    "sequence": notice.version,
                    "notice": {"id": notice.public_id},
                    "withdrawn_at": notice.withdrawn_at.isoformat()
                    if notice.withdrawn_at
                    else None,
                    "instruction": "delete every copy of the notice and its photo",
                },
                "reference": reference,
                "obj": recipient,
            }
        with translation.override(language):
            subject = _("Search notice %(id)s withdrawn: thank you") % {"id": notice.public_id}
            body = "\n".join(
                [
                    _("Hello,"),
                    "",
                    _(
                        "The search notice %(id)s we sent you is withdrawn: the search is over. "
                        "Thank you for your help."
                    )
                    % {"id": notice.public_id},
                    "",
                    _(
                        "Please remove the posters you put up, and delete the notice, its photo "
                        "and any copy you made or shared, to protect the child's privacy."
                    ),
                    "",
                    message_numbers()["organisation"],
                ]
            )
        return {
            "channel": "email",
            "destination": published.destination if published is not None else "",
            "subject": subject,
            "body": body,
            "reference": reference,
            "obj": recipient,
        }


class VolunteersAdapter(_Mobilisation):
    channel = Channel.VOLUNTEERS
    recipient_kind = RecipientKind.VOLUNTEER

    def recipients(self, notice):
        municipality_ids = list(notice.municipalities.values_list("id", flat=True))
        return [
            ({"volunteer": v}, ReceiveChannel.EMAIL, v.email, list(v.languages or []), v.first_name)
            for v in mobilisation_volunteers(
                region_id=notice.region_id, municipality_ids=municipality_ids
            )
        ]


class PartnersAdapter(_Mobilisation):
    channel = Channel.PARTNERS
    recipient_kind = RecipientKind.PARTNER

    def recipients(self, notice):
        municipality_ids = list(notice.municipalities.values_list("id", flat=True))
        partners = mobilisation_partners(
            region_id=notice.region_id,
            municipality_ids=municipality_ids,
            discrete=notice.kind == NoticeKind.DISCRETE,
        )
        targets = []
        for p in partners:
            webhook = p.channel == ReceiveChannel.WEBHOOK and p.webhook_url
            address = p.webhook_url if webhook else p.email
            if not address:
                continue
            channel = ReceiveChannel.WEBHOOK if webhook else ReceiveChannel.EMAIL
            targets.append(({"partner": p}, channel, address, [], p.contact_name))
        return targets


class FollowersAdapter(_Mobilisation):
    channel = Channel.FOLLOWERS
    recipient_kind = RecipientKind.FOLLOWER

    def recipients(self, notice):
        return [
            ({"follower": f}, f.channel, f.address, [f.language], "")
            for f in mobilisation_followers(region_id=notice.region_id)
        ]
