"""The line: every contact taken on the 24/7 line (116 000, 116 800 tips, chat, e-mail, ...).

A contact is logged as it happens (open while `ended_at` is empty) and linked to the case it
concerns, if any. Night, for the annual report, is 23:00-07:00 in the organisation's time zone.

The local hour a contact started is stored (`local_hour`), not computed when counting: the
conversion to local time per row was most of the cost of the report's call figures (a Python
function per row on SQLite). Every write path fills it from `started_at`: save(), the queryset's
bulk_create/bulk_update/update, and `local_hour_of` for code that writes rows itself (the demo).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.validators import reject_control_characters

# Local hours (settings.TIME_ZONE) that count as night: from 23:00 up to, not including, 07:00.
NIGHT_STARTS = 23
NIGHT_ENDS = 7
# A contact cannot last longer than this (a typing error in the end time, not a real call).
MAX_CALL_HOURS = 24
# Rows whose local hour an update(started_at=<expression>) recomputes at a time.
UPDATE_BATCH = 2000


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


def local_hour_of(started_at: datetime) -> int:
    """The hour (0-23) of an instant in the organisation's time zone (settings.TIME_ZONE), summer
    time included: 00:59 UTC on the last Sunday of October is 02:59 in Brussels, 01:00 UTC is
    02:00 (the second one). A naive datetime is read in that time zone, as Django saves it."""
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    return started_at.astimezone(ZoneInfo(settings.TIME_ZONE)).hour


def _fill_local_hours(calls: Iterable["Call"]) -> None:
    for call in calls:
        if call.started_at is not None:  # else the database refuses the row (it is required)
            call.local_hour = local_hour_of(call.started_at)


class CallQuerySet(models.QuerySet):
    def with_local_hour(self) -> "CallQuerySet":
        """The queryset as it is: `local_hour` is a stored field (kept for the callers that read
        it after asking for it)."""
        return self

    def at_night(self) -> "CallQuerySet":
        """Contacts that started at night: 23:00 to 06:59:59 local time (DST-aware)."""
        return self.filter(
            models.Q(local_hour__gte=NIGHT_STARTS) | models.Q(local_hour__lt=NIGHT_ENDS)
        )

    def on_116000(self) -> "CallQuerySet":
        """Calls to the emergency number 116 000 (the free line and the international line)."""
        return self.filter(channel__in=CHANNELS_116000)

    # The write paths that bypass Call.save() keep `local_hour` in step with `started_at`.

    def bulk_create(self, objs: Iterable["Call"], *args: Any, **kwargs: Any) -> list["Call"]:
        objs = list(objs)
        _fill_local_hours(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable["Call"], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        objs, fields = list(objs), list(fields)
        if "started_at" in fields and "local_hour" not in fields:
            _fill_local_hours(objs)
            fields.append("local_hour")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if "started_at" not in kwargs or "local_hour" in kwargs:
            return super().update(**kwargs)
        started = kwargs["started_at"]
        if isinstance(started, datetime):
            return super().update(**kwargs, local_hour=local_hour_of(started))
        # An expression (F("started_at") - timedelta(days=1)): the new starts are known only
        # once written, and a shift of whole days can cross a DST change. The hours of the rows
        # it changed are computed again from what was written (rows picked by primary key: the
        # filter may no longer match them).
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            base = self.model._default_manager.using(self.db)
            for first in range(0, len(pks), UPDATE_BATCH):
                rows = base.filter(pk__in=pks[first : first + UPDATE_BATCH])
                calls = [
                    self.model(pk=pk, started_at=started_at)
                    for pk, started_at in rows.values_list("pk", "started_at")
                ]
                _fill_local_hours(calls)
                base.bulk_update(calls, ["local_hour"])
        return updated


class Call(models.Model):
    """One contact on the line, from the moment it is picked up."""

    channel = models.CharField(_("channel"), max_length=16, choices=LineChannel.choices)
    started_at = models.DateTimeField(_("started"))
    # The hour started_at falls in, in settings.TIME_ZONE: set from it on every write.
    local_hour = models.PositiveSmallIntegerField(_("local hour started"), editable=False)
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
            # The line's figures count by channel and start, and by local hour at night: with
            # the hour in the index they read it alone (at 10x the 2025 volume, two years' counts
            # 500 -> 33 ms on SQLite, 115 -> 100 ms on PostgreSQL; benchmarks/figures.txt).
            models.Index(
                fields=["channel", "started_at", "local_hour"], name="call_by_channel_hour"
            ),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        _fill_local_hours([self])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "started_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "local_hour"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
