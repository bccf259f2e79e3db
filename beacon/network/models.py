"""The network that spreads search notices: volunteers, partners, municipalities, followers.

A volunteer's personal data (name, contact details, availability) is read only by volunteer
coordinators (`network.view_volunteer`); partners are organisations, followers are only an address.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.models import Region, translated
from beacon.core.validators import reject_control_characters_single_line


class Municipality(models.Model):
    """A municipality of the organisation's country (Belgium: NIS code), in a region (province)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    names = models.JSONField(_("names"), default=dict, help_text=_("Language code to name."))
    region = models.ForeignKey(
        Region, verbose_name=_("province"), on_delete=models.PROTECT, related_name="municipalities"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.code)


class ReceiveChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class VolunteerRole(models.TextChoices):
    POSTERS = "posters", _("poster distribution")
    MOBILE_TEAM = "mobile_team", _("mobile team")
    SCHOOL_WORKSHOPS = "school_workshops", _("school workshops")
    STANDS = "stands", _("stands at events")


class Volunteer(models.Model):
    """A volunteer who spreads notices; personal data read only by volunteer coordinators."""

    first_name = models.CharField(
        _("first name"), max_length=100, validators=[reject_control_characters_single_line]
    )
    last_name = models.CharField(
        _("last name"), max_length=100, validators=[reject_control_characters_single_line]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("province"), on_delete=models.PROTECT, related_name="volunteers"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)  # VolunteerRole values
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    is_referent = models.BooleanField(_("province referent"), default=False)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["region", "active"], name="volunteer_region_active")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role_labels(self) -> list[str]:
        labels = dict(VolunteerRole.choices)
        return [str(labels.get(role, role)) for role in self.roles or []]


class PartnerKind(models.TextChoices):
    POSTERS = "posters", _("poster partner")
    COMMUNITY_GUARDS = "community_guards", _("community guards of a municipality")
    TRANSPORT_SECURITY = "transport_security", _("transport security service")
    SCREENS = "screens", _("digital-screen network")
    CORPORATE = "corporate", _("corporate partner")
    APP = "app", _("mobile app for volunteers")
    SOCIAL_TOOL = "social_tool", _("social-media tool")


class Partner(models.Model):
    """An organisation that spreads notices: shops, community guards, screens, apps, tools."""

    name = models.CharField(
        _("name"), max_length=200, validators=[reject_control_characters_single_line]
    )
    kind = models.CharField(_("kind"), max_length=24, choices=PartnerKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_("Empty: the whole country."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    channel = models.CharField(
        _("receives notices by"),
        max_length=8,
        choices=ReceiveChannel.choices,
        default=ReceiveChannel.EMAIL,
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    screens = models.PositiveIntegerField(_("number of screens"), default=0)
    receives_discrete = models.BooleanField(
        _("receives discrete notices"),
        default=False,
        help_text=_("Vignettes of discrete searches go only to partners trusted with them."),
    )
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class Follower(models.Model):
    """Someone who asked to be told of public notices (e.g. a member of the running club)."""

    group = models.CharField(
        _("group"), max_length=100, blank=True, help_text=_("E.g. the running club.")
    )
    channel = models.CharField(
        _("receives notices by"),
        max_length=8,
        choices=ReceiveChannel.choices,
        default=ReceiveChannel.EMAIL,
    )
    address = models.CharField(
        _("address"), max_length=500, help_text=_("E-mail address or webhook URL.")
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        help_text=_("Empty: notices from the whole country."),
    )
    language = models.CharField(_("language"), max_length=8, default="nl")
    active = models.BooleanField(_("active"), default=True)
    subscribed_at = models.DateTimeField(_("subscribed"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="follower_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.group or self.channel} #{self.pk}"
