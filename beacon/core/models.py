"""The shared kernel's records: the organisation's profile, its regions, the audit trail, API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translated(names: dict[str, str], fallback: str = "") -> str:
    """Pick the active language's entry of a {language: text} mapping kept as data."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return (
        names.get(language)
        or names.get(settings.LANGUAGE_CODE)
        or names.get("en")
        or next(iter(names.values()), fallback)
    )


class Organisation(models.Model):
    """The organisation running this Beacon: country, languages, public numbers (one row)."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    languages = models.JSONField(_("working languages"), default=list)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    phone_numbers = models.JSONField(
        _("public numbers"), default=dict, help_text=_("Role to number, e.g. 116000.")
    )
    case_number_prefix = models.CharField(_("case number prefix"), max_length=8, default="MC")
    figures_from_year = models.PositiveSmallIntegerField(
        _("figures from"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2999)],
        help_text=_(
            "The first year whose case files are all in Beacon. Files of earlier years that were "
            "moved in because they were still open are kept and counted where they are handled, "
            "but the multi-year tables start here. Empty: the first year with a case file."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A region of the organisation's country (Belgium: a province), for filters and networks."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    names = models.JSONField(_("names"), default=dict, help_text=_("Language code to name."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.code)


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    DENIED = "denied", _("denied")
    EXPORT = "export", _("exported")


class AppendOnlyQuerySet(models.QuerySet):
    """Audit records are never changed or removed by the application."""

    def update(self, **kwargs):
        raise TypeError("audit records are append-only")

    def delete(self):
        raise TypeError("audit records are append-only")


class AuditRecord(models.Model):
    """One append-only line of the audit trail: who did what to which object, and when."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=8, default="ui")
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object")]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit records are append-only")


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the secret is shown once."""

    PREFIX = "bcn_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("hint"), max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.hint}…"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class UserProfile(models.Model):
    """Per-user preferences kept beside Django's user: the interface language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"


class Team(models.Model):
    """A team of staff and its lead. A lead may open the restricted cases of the team's members."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.PROTECT,
        related_name="teams_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="teams", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be delivered")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed: gave up retrying")
    CANCELLED = "cancelled", _("cancelled before it was sent")


class OutboxMessage(models.Model):
    """Something leaving Beacon (an e-mail, a signed HTTP POST), written in the transaction that
    decided it and delivered by a worker with retries. The idempotency key goes with every attempt
    (Message-ID, Idempotency-Key header), so a receiver can drop a repeat of an attempt whose
    answer was lost; Beacon itself never delivers a message again once one attempt succeeded."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=8)  # "email" or "http"
    destination = models.CharField(_("destination"), max_length=500)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    object_type = models.CharField(_("about (type)"), max_length=64, blank=True)
    object_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker that claims the message holds it until then; a crashed worker's claim runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        permissions = [("resend_outboxmessage", _("Can re-send a failed outbound message"))]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(status="pending"),
            ),
            # The messages about one record (a search notice's recipient, a hotline notice).
            models.Index(fields=["object_type", "object_id"], name="outbox_object"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.reference or self.idempotency_key} {self.status}"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message, successful or not (the proof of sending)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("delivered"), default=False)
    status_code = models.PositiveSmallIntegerField(_("answer code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    manual = models.BooleanField(_("re-sent by hand"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} {self.started_at:%Y-%m-%d %H:%M} {self.ok}"
