"""Prevention work the annual report counts: trainings (for professionals, parents, police,
youth-care staff), school sessions and stands at events run by volunteers, and the tools handed
out. Volunteers are the network's (`beacon.network`); a session names who ran it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.validators import reject_control_characters_single_line
from beacon.network.models import Municipality, Volunteer


class Audience(models.TextChoices):
    PROFESSIONALS = "professionals", _("professionals")
    PARENTS = "parents", _("parents")
    POLICE = "police", _("police")
    YOUTH_CARE = "youth_care", _("youth-care staff")
    TEACHERS = "teachers", _("teachers")


class Training(models.Model):
    """A training given by the organisation's trainer(s) to one audience. Police and youth-care
    staff are professionals too: the report's "trainings for professionals" counts every
    audience but parents (see beacon.figures.prevention)."""

    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    module = models.CharField(
        _("module"), max_length=200, validators=[reject_control_characters_single_line]
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, validators=[reject_control_characters_single_line]
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trainer = models.CharField(
        _("trainer"), max_length=200, validators=[reject_control_characters_single_line]
    )
    participants = models.PositiveIntegerField(_("participants"))
    online = models.BooleanField(_("online"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["held_on", "audience"], name="training_day_audience")]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.module}"


class SessionKind(models.TextChoices):
    SCHOOL = "school", _("school session")
    STAND = "stand", _("stand at an event")


class Session(models.Model):
    """A school session or a stand at an event, run by volunteers."""

    kind = models.CharField(_("kind"), max_length=8, choices=SessionKind.choices)
    held_on = models.DateField(_("date"))
    venue = models.CharField(
        _("school or event"), max_length=200, validators=[reject_control_characters_single_line]
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    volunteers = models.ManyToManyField(
        Volunteer, verbose_name=_("volunteers"), blank=True, related_name="prevention_sessions"
    )
    children_reached = models.PositiveIntegerField(_("children reached"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["held_on", "kind"], name="session_day_kind")]
        verbose_name = _("school session or stand")
        verbose_name_plural = _("school sessions and stands")

    def __str__(self) -> str:
        return f"{self.held_on} {self.venue}"


class ToolHandout(models.Model):
    """Prevention tools handed out (brochures, games, kits): what, how many, to whom, when."""

    tool = models.CharField(
        _("tool"), max_length=200, validators=[reject_control_characters_single_line]
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    handed_on = models.DateField(_("date"))
    recipient = models.CharField(
        _("to"), max_length=200, blank=True, validators=[reject_control_characters_single_line]
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-handed_on", "-id"]
        verbose_name = _("tools handed out")
        verbose_name_plural = _("tools handed out")

    def __str__(self) -> str:
        return f"{self.handed_on} {self.tool} x{self.quantity}"
