"""The civil hotline: anonymous public reports of URLs, the analysts' assessment of each URL, the
notices that follow and the time until the content was removed.

A `Report` is one submission by the public; it names one or more URLs. Each URL is normalised and
grouped into a `UrlItem`, the unit of the analysts' work: the same URL reported twice is one item
with two reports. Nothing here identifies a reporter: no address, no user agent, no header; only
the e-mail address a reporter chose to give to hear the outcome, kept until the report is closed
and minimised.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.models import translated
from beacon.reports.choices import (
    ILLEGAL,
    Action,
    AgeGroup,
    Classification,
    ContentType,
    Inaccessible,
    ItemStatus,
    NoticeKind,
    PlatformDecision,
    RemovalSource,
    ReportStatus,
    SiteType,
    VictimGender,
    WhereSeen,
)

URL_MAX_LENGTH = 2048
URLS_PER_REPORT_MAX = 50
DESCRIPTION_MAX = 5000


def url_digest(url: str) -> str:
    """SHA-256 of a normalised URL: how an item is found again, and all that is left of it once
    minimised."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    HTTP = "http", _("HTTP POST (signed JSON)")


class Platform(models.Model):
    """An online platform reporters can pick and analysts send notices to (data, see fixtures)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    names = models.JSONField(_("names"), default=dict)
    # Host names (and their subdomains) that belong to the platform, to recognise reported URLs.
    hosts = models.JSONField(_("hosts"), default=list, blank=True)
    social_media = models.BooleanField(_("social media"), default=True)
    # The channel through which the organisation, as a DSA trusted flagger, notifies the platform.
    trusted_flagger = models.BooleanField(_("trusted-flagger channel"), default=False)
    notice_channel = models.CharField(
        _("notice channel"), max_length=8, choices=DeliveryChannel.choices, blank=True
    )
    notice_address = models.CharField(_("notice address"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.key)


class MemberHotline(models.Model):
    """An INHOPE member hotline, by the country it covers (data, see fixtures)."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=200)
    notice_channel = models.CharField(
        _("notice channel"), max_length=8, choices=DeliveryChannel.choices
    )
    notice_address = models.CharField(_("notice address"), max_length=500)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country"]
        verbose_name = _("member hotline")
        verbose_name_plural = _("member hotlines")

    def __str__(self) -> str:
        return f"{self.country} {self.name}"


class Report(models.Model):
    """One anonymous report from the public: the URLs it names, where they were seen, a note."""

    number = models.CharField(_("report number"), max_length=16, unique=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    where_seen = models.CharField(_("seen on"), max_length=16, choices=WhereSeen.choices)
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True, blank=True
    )
    platform_other = models.CharField(_("other platform"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Only when the reporter asked to hear the outcome; removed when the report is minimised.
    contact_email = models.EmailField(_("e-mail for the outcome"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome_sent_at = models.DateTimeField(_("reporter told"), null=True, blank=True)
    minimised_at = models.DateTimeField(_("minimised"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def new_number() -> str:
        """A report number the reporter can quote: random, so it says nothing about volumes."""
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        return f"R-{code[:4]}-{code[4:]}"


class UrlItemQuerySet(models.QuerySet):
    def queue(self) -> "UrlItemQuerySet":
        """Items waiting for an analyst: to assess, for a second opinion, or an action to confirm."""
        return self.filter(
            status__in=(ItemStatus.NEW, ItemStatus.SECOND_OPINION, ItemStatus.ASSESSED)
        )


class UrlItem(models.Model):
    """One normalised URL, however many reports name it: what an analyst assesses and acts on."""

    url = models.CharField(_("URL"), max_length=URL_MAX_LENGTH + 200)
    url_hash = models.CharField(_("URL digest"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    first_reported_at = models.DateTimeField(_("first reported"), db_index=True)
    last_reported_at = models.DateTimeField(_("last reported"))
    report_count = models.PositiveIntegerField(_("reports"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.NEW
    )
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Hosting, as Beacon proposed it (DNS + offline IP-to-country) and as the analyst set it.
    resolved_ips = models.JSONField(_("addresses"), default=list, blank=True)
    cname_chain = models.JSONField(_("CNAME chain"), default=list, blank=True)
    proposed_country = models.CharField(_("proposed hosting country"), max_length=2, blank=True)
    behind_cdn = models.CharField(_("content delivery network"), max_length=60, blank=True)
    hosting_checked_at = models.DateTimeField(_("hosting looked up"), null=True, blank=True)
    hosting_country = models.CharField(_("hosting country"), max_length=2, blank=True)
    # The latest assessment that counts (a second opinion, once given, replaces the first).
    current_assessment = models.ForeignKey(
        "Assessment",
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_opinion_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_actions = models.JSONField(_("proposed actions"), default=list, blank=True)
    actions = models.JSONField(_("confirmed actions"), default=list, blank=True)
    decided_at = models.DateTimeField(_("action confirmed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_notice_at = models.DateTimeField(_("first notice"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removal_source = models.CharField(
        _("removal known from"), max_length=16, choices=RemovalSource.choices, blank=True
    )
    # Is it still online? Checks after a notice, on a schedule that thins out.
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(_("failed checks in a row"), default=0)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    host_changed = models.BooleanField(_("host or address changed"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    minimised_at = models.DateTimeField(_("minimised"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = UrlItemQuerySet.as_manager()

    class Meta:
        ordering = ["first_reported_at", "id"]
        verbose_name = _("reported URL")
        verbose_name_plural = _("reported URLs")
        permissions = [
            ("assess_urlitem", _("Can assess reported URLs and confirm their actions")),
            ("view_hotline_figures", _("Can see the civil hotline's figures")),
            ("view_analyst_workload", _("Can see how many assessments each analyst made")),
        ]
        indexes = [
            models.Index(fields=["status", "first_reported_at"], name="urlitem_queue"),
            models.Index(
                fields=["next_check_at"],
                name="urlitem_check_due",
                condition=models.Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_illegal(self) -> bool:
        assessment = self.current_assessment
        return bool(assessment and assessment.classification in ILLEGAL)


class ReportUrl(models.Model):
    """A URL as one report named it (its position in the report), grouped into its item."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="report_urls")
    item = models.ForeignKey(UrlItem, on_delete=models.PROTECT, related_name="report_urls")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="reporturl_once_per_report")
        ]
        verbose_name = _("reported URL of a report")
        verbose_name_plural = _("reported URLs of reports")

    def __str__(self) -> str:
        return f"{self.report_id}/{self.item_id}"


class Assessment(models.Model):
    """An analyst's assessment of one URL: accessible or not, and if so INHOPE's classification."""

    item = models.ForeignKey(UrlItem, on_delete=models.CASCADE, related_name="assessments")
    # Empty for an assessment made by image matching alone (an exact match in a bank that allows
    # acting without an analyst: see known_material.py); its note names the bank and the hash.
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analyst"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now, db_index=True)
    accessible = models.BooleanField(_("accessible"))
    inaccessible_reason = models.CharField(
        _("why not accessible"), max_length=16, choices=Inaccessible.choices, blank=True
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, blank=True
    )
    age_group = models.CharField(
        _("victim age group"), max_length=16, choices=AgeGroup.choices, blank=True
    )
    gender = models.CharField(
        _("victim gender"), max_length=8, choices=VictimGender.choices, blank=True
    )
    content_type = models.CharField(
        _("content type"), max_length=8, choices=ContentType.choices, blank=True
    )
    self_generated = models.BooleanField(_("self-generated"), null=True, blank=True)
    commercial = models.BooleanField(_("commercial"), null=True, blank=True)
    site_type = models.CharField(
        _("site type"), max_length=16, choices=SiteType.choices, blank=True
    )
    hosting_country = models.CharField(_("hosting country"), max_length=2, blank=True)
    identifiable_victim = models.BooleanField(_("identifiable victim"), default=False)
    second_opinion = models.BooleanField(_("second opinion"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["analyst", "assessed_at"], name="assessment_by_analyst")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accessible=True, inaccessible_reason="")
                | models.Q(accessible=False, classification=""),
                name="assessment_accessible_or_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.classification or self.inaccessible_reason}"

    @property
    def is_illegal(self) -> bool:
        return self.classification in ILLEGAL


class NoticeQuerySet(models.QuerySet):
    def critical(self) -> "NoticeQuerySet":
        return self.filter(critical=True)


class Notice(models.Model):
    """A notice about one URL to the police, a member hotline or a platform; delivered through the
    outbox and carrying a reference that a reply can quote."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    item = models.ForeignKey(UrlItem, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    recipient_country = models.CharField(_("recipient country"), max_length=2, blank=True)
    hotline = models.ForeignKey(
        MemberHotline, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # DSA Article 16: why the content is illegal, under which provision, and the notifier's flags.
    explanation = models.TextField(_("explanation"), blank=True)
    legal_provision = models.CharField(_("legal provision"), max_length=300, blank=True)
    trusted_flagger = models.BooleanField(_("sent as trusted flagger"), default=False)
    critical = models.BooleanField(_("critical"), default=False)
    created_at = models.DateTimeField(_("decided"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outbox_message = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The recipient's answer (a platform's acknowledgement, decision and action under the DSA).
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=PlatformDecision.choices, blank=True
    )
    decided_at = models.DateTimeField(_("decision taken"), null=True, blank=True)
    action_note = models.TextField(_("action taken"), blank=True)
    removal_confirmed_at = models.DateTimeField(_("removal confirmed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="notice_once_per_item_and_kind")
        ]

    def __str__(self) -> str:
        return self.reference

    @staticmethod
    def new_reference() -> str:
        return "BCN-" + secrets.token_hex(6).upper()


class VictimReferral(models.Model):
    """An identifiable victim in a reported URL, referred to case managers; may lead to a case."""

    item = models.OneToOneField(UrlItem, on_delete=models.PROTECT, related_name="referral")
    referred_at = models.DateTimeField(_("referred"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("exploitation case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_referrals",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-referred_at"]
        verbose_name = _("victim referral")
        verbose_name_plural = _("victim referrals")

    def __str__(self) -> str:
        return f"{self.item_id}"


class UrlCheck(models.Model):
    """One 'is it still online?' check of a URL: status and address only, never the content."""

    item = models.ForeignKey(UrlItem, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    online = models.BooleanField(_("online"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    final_host = models.CharField(_("host after redirects"), max_length=255, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("availability check")
        verbose_name_plural = _("availability checks")

    def __str__(self) -> str:
        return f"{self.item_id} {self.checked_at:%Y-%m-%d %H:%M} {self.online}"


__all__ = [
    "Action",
    "AgeGroup",
    "Classification",
    "ContentType",
    "ItemStatus",
    "RemovalSource",
    "ReportStatus",
    "SiteType",
    "VictimGender",
    "WhereSeen",
    "Inaccessible",
]
