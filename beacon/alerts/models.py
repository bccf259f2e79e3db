"""Search notices: what is published about a missing child, where it went, and its withdrawal.

A notice belongs to a missing-child case. Nothing is published without the investigating
authority's agreement on record and a second person's approval. Publishing creates one
`NoticeChannel` per chosen channel; each channel's adapter (beacon.alerts.adapters) publishes and
withdraws it. Published photos are `Rendition`s: metadata-free copies made for one channel, served
publicly while the notice is published and deleted from storage when it is withdrawn. The case
file keeps its own copy (`NoticePhoto`), read under the case's access rules.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.alerts.choices import (
    Channel,
    ChannelStatus,
    NoticeKind,
    NoticeStatus,
    RenditionKind,
    StatNetwork,
    StatSource,
)
from beacon.core.models import OutboxMessage, Region
from beacon.core.validators import reject_control_characters_single_line

# Public ids say nothing about volumes or order: random, unambiguous letters and digits.
PUBLIC_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(10))


class SearchNotice(models.Model):
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="search_notices",
    )
    public_id = models.CharField(
        _("public reference"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)  # Channel values
    languages = models.JSONField(_("languages"), default=list)
    display_name = models.CharField(
        _("name as published"),
        max_length=100,
        validators=[reject_control_characters_single_line],
        help_text=_("Usually the first name only."),
    )
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    # {language: text}; every language of `languages` has an entry before submission.
    description = models.JSONField(_("description"), default=dict, blank=True)
    instructions = models.JSONField(
        _("what to do"),
        default=dict,
        blank=True,
        help_text=_("Empty: call 116 000 (or 116 800 for a tip), in every language."),
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_seen_place = models.CharField(
        _("last seen where"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Volunteers and partners of this province are mobilised."),
    )
    municipalities = models.ManyToManyField(
        "network.Municipality",
        verbose_name=_("municipalities"),
        blank=True,
        related_name="+",
        help_text=_("Narrows the mobilisation to these municipalities."),
    )
    still_missing = models.BooleanField(
        _("long-term missing"),
        default=False,
        help_text=_("Listed on the public page of children still missing."),
    )
    # The investigating authority's agreement (who, when), and who recorded it.
    authority_name = models.CharField(
        _("investigating authority"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    authority_agreed_by = models.CharField(
        _("agreed by"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
        help_text=_("The magistrate or officer who agreed."),
    )
    authority_agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    authority_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parents_informed_at = models.DateTimeField(_("parents informed at"), null=True, blank=True)
    parents_informed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("prepared"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_reason = models.CharField(
        _("sent back because"),
        max_length=500,
        blank=True,
        help_text=_("Why the approver sent the notice back (cleared when it is submitted again)."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("search notice")
        verbose_name_plural = _("search notices")
        permissions = [
            ("approve_searchnotice", _("Can approve a search notice (the second person)")),
            ("publish_searchnotice", _("Can publish and withdraw a search notice")),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="notice_status_published"),
            models.Index(fields=["withdrawn_at"], name="notice_withdrawn"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_live(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED

    def text(self, field: str, language: str) -> str:
        values = getattr(self, field) or {}
        return values.get(language) or ""


class NoticePhoto(models.Model):
    """A photo of the notice as the case file keeps it (metadata stripped on upload), read under
    the case's access rules. Published copies are `Rendition`s, made from it."""

    notice = models.ForeignKey(SearchNotice, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="notice-photos/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("notice photo")
        verbose_name_plural = _("notice photos")

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.position}"


class NoticeChannel(models.Model):
    """One channel of one published notice: when it went out, when it was withdrawn."""

    notice = models.ForeignKey(SearchNotice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ChannelStatus.choices, default=ChannelStatus.PENDING
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawal_started_at = models.DateTimeField(_("withdrawal started"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["notice", "channel"]
        verbose_name = _("notice channel")
        verbose_name_plural = _("notice channels")
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="notice_channel_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.channel} {self.status}"


class Rendition(models.Model):
    """A published copy of a notice's photo (or its poster), made for one channel without any
    metadata. Deleted from storage when the notice is withdrawn (`deleted_at` records when)."""

    notice = models.ForeignKey(SearchNotice, on_delete=models.CASCADE, related_name="renditions")
    kind = models.CharField(_("kind"), max_length=20, choices=RenditionKind.choices)
    file = models.FileField(_("file"), upload_to="published/", max_length=300)
    content_type = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "kind", "language", "id"]
        verbose_name = _("published rendition")
        verbose_name_plural = _("published renditions")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind} {self.language}"


class RecipientKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("volunteer")
    PARTNER = "partner", _("partner")
    FOLLOWER = "follower", _("follower")
    SOCIAL_TOOL = "social_tool", _("social-media tool")


class Recipient(models.Model):
    """One volunteer, partner or follower reached by a notice: the message that told them, the
    one that withdrew it, and when they confirmed (by the link in the message)."""

    notice = models.ForeignKey(SearchNotice, on_delete=models.CASCADE, related_name="recipients")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=RecipientKind.choices)
    volunteer = models.ForeignKey(
        "network.Volunteer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "network.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follower = models.ForeignKey(
        "network.Follower", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        indexes = [models.Index(fields=["notice", "channel"], name="recipient_notice_channel")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind} #{self.pk}"


class ChannelStat(models.Model):
    """Views, shares, reach counted by a network for one notice (entered or imported)."""

    notice = models.ForeignKey(SearchNotice, on_delete=models.CASCADE, related_name="stats")
    network = models.CharField(_("network"), max_length=12, choices=StatNetwork.choices)
    views = models.PositiveIntegerField(_("views"), default=0)
    shares = models.PositiveIntegerField(_("shares"), default=0)
    reach = models.PositiveIntegerField(_("reach"), default=0)
    interactions = models.PositiveIntegerField(_("interactions"), default=0)
    source = models.CharField(
        _("source"), max_length=10, choices=StatSource.choices, default=StatSource.ENTERED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["notice", "network"]
        verbose_name = _("channel figures")
        verbose_name_plural = _("channel figures")
        constraints = [
            models.UniqueConstraint(fields=["notice", "network"], name="stat_notice_network_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.network}"


class FeedState(models.Model):
    """One row: the feeds' version, bumped in the transaction of every change a feed shows
    (publish, change, withdraw). Pollers' conditional requests compare against it."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feed state")
        verbose_name_plural = _("feed state")

    def __str__(self) -> str:
        return f"feed v{self.version}"
