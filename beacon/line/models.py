"""The line: every contact taken on the 24/7 line (116 000, 116 800 tips, chat, e-mail, ...).

A contact is logged as it happens (open while `ended_at` is empty) and linked to the case it
concerns, if any. Night, for the annual report, is 23:00-07:00 in the organisation's time zone.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_lazy as _

from beacon.core.validators import reject_control_characters

# Local hours (settings.TIME_ZONE) that count as night: from 23:00 up to, not including, 07:00.
NIGHT_STARTS = 23
NIGHT_ENDS = 7
# A contact cannot last longer than this (a typing error in the end time, not a real call).
MAX_CALL_HOURS = 24


class LineChannel(models.TextChoices):
    LINE_116000 = "116000", _("116 000 (free line)")
    INTERNATIONAL = "international", _("international paid line")
    TIP_116800 = "116800", _("116 800 (tip line)")
    CHAT = "chat", _("chat")
    EMAIL = "email", _("e-mail")
    POLICE = "police", _("police")
    WALK_IN = "walk_in", _("walk-in")


# The channels of the emergency number the annual report counts as calls to 116 000: the free
# number and the paid number that reaches the same line from abroad.
CHANNELS_116000 = (LineChannel.LINE_116000, LineChannel.INTERNATIONAL)


class CallerKind(models.TextChoices):
    CHILD = "child", _("child or young person")
    PARENT = "parent", _("parent or family")
    PROFESSIONAL = "professional", _("professional")
    POLICE = "police", _("police")
    WITNESS = "witness", _("witness")
    ANONYMOUS = "anonymous", _("anonymous")


class TopicKind(models.TextChoices):
    CASE_CATEGORY = "case_category", _("a case category")
    INTERNET_SAFETY = "internet_safety", _("internet-safety question")
    OUT_OF_SCOPE = "out_of_scope", _("out of scope")
    SILENT_PRANK = "silent_prank", _("silent or prank call")


class CallQuerySet(models.QuerySet):
    def with_local_hour(self) -> "CallQuerySet":
        """Annotate `local_hour`: the hour the contact started, in the organisation's time zone."""
        return self.annotate(
            local_hour=ExtractHour("started_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
        )

    def at_night(self) -> "CallQuerySet":
        """Contacts that started at night: 23:00 to 06:59:59 local time (DST-aware)."""
        return self.with_local_hour().filter(
            models.Q(local_hour__gte=NIGHT_STARTS) | models.Q(local_hour__lt=NIGHT_ENDS)
        )

    def on_116000(self) -> "CallQuerySet":
        """Calls to the emergency number 116 000 (the free line and the international line)."""
        return self.filter(channel__in=CHANNELS_116000)


class Call(models.Model):
    """One contact on the line, from the moment it is picked up."""

    channel = models.CharField(_("channel"), max_length=16, choices=LineChannel.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    caller_kind = models.CharField(_("caller"), max_length=16, choices=CallerKind.choices)
    topic_kind = models.CharField(_("topic"), max_length=16, choices=TopicKind.choices)
    topic_category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("case category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, validators=[reject_control_characters])
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    callback_due_at = models.DateTimeField(_("call back by"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("called back"), null=True, blank=True)
    # A tip (116 800) about a missing child is flagged for the case's manager until they read it.
    flagged = models.BooleanField(_("flagged for the case manager"), default=False)
    flag_acknowledged_at = models.DateTimeField(_("flag read"), null=True, blank=True)
    flag_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_by_start"),
            models.Index(fields=["channel", "started_at"], name="call_by_channel"),
            models.Index(
                fields=["callback_due_at"],
                name="call_callback_due",
                condition=models.Q(callback_due_at__isnull=False, callback_done_at__isnull=True),
            ),
            models.Index(
                fields=["started_at"], name="call_open", condition=models.Q(ended_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="call_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(topic_kind="case_category")
                | models.Q(topic_category__isnull=False),
                name="call_topic_category_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
