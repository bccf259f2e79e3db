"""Case files: one case per episode (a disappearance, later an exploitation case) of a person."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.cases.choices import (
    CRITERION_KEYS,
    Abductor,
    CaseStatus,
    Channel,
    ContentOrigin,
    DestinationRegion,
    Direction,
    Mission,
    Outcome,
    PhysicalMeeting,
    ReporterKind,
    ReportSource,
    SupportKind,
    TimelineKind,
)
from beacon.core.models import Region, translated
from beacon.core.validators import reject_control_characters, reject_control_characters_single_line

# Extra facts a category may ask for; the category's `extra_fields` names which apply.
EXTRA_FIELDS = ("direction", "countries", "country_of_origin")
# The facts of a sexual-exploitation case (ExploitationFacts); a category's `extra_fields` names
# those it records besides the victim's age, which every exploitation case records.
EXPLOITATION_FIELDS = (
    "in_institution",
    "teen_pimp",
    "report_source",
    "linked_cases",
    "content_origin",
    "expose_group",
    "platforms",
    "amount_demanded",
    "amount_paid",
    "physical_meeting",
)


class Category(models.Model):
    """A case category (data, from a fixture): its mission, names, validity and figure key."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    mission = models.CharField(_("mission"), max_length=16, choices=Mission.choices)
    names = models.JSONField(_("names"), default=dict)
    figure_key = models.CharField(
        _("figure key"),
        max_length=64,
        help_text=_("The key under which the annual figures count this category."),
    )
    valid_from = models.DateField(_("used from"), null=True, blank=True)
    valid_until = models.DateField(
        _("used until"), null=True, blank=True, help_text=_("Legacy categories stop here.")
    )
    extra_fields = models.JSONField(_("extra fields"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["mission", "position", "key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.key)

    def usable_on(self, day: date) -> bool:
        """Whether a new case may be opened in this category on `day`."""
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def active_in_year(self, year: int) -> bool:
        """Whether the category was in use during any part of `year` (for yearly figures)."""
        if self.valid_from and self.valid_from.year > year:
            return False
        return not (self.valid_until and self.valid_until.year < year)

    @property
    def is_legacy(self) -> bool:
        return not self.usable_on(timezone.localdate())


class SubKind(models.Model):
    """A sub-kind of a category (e.g. family context: preventive). Data, like categories."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="subkinds")
    key = models.SlugField(_("key"), max_length=64)
    names = models.JSONField(_("names"), default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["category", "key"], name="subkind_unique_key")
        ]
        verbose_name = _("sub-kind")
        verbose_name_plural = _("sub-kinds")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.key)


MISSION_VIEW_PERMISSION = {mission: f"cases.view_{mission}_case" for mission in Mission.values}


class CaseQuerySet(models.QuerySet):
    def known_to(self, user) -> "CaseQuerySet":
        """Cases the user may know exist: those of the missions whose case files their role
        works on. For exploitation cases that is all it gives (see `visible_to`)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        missions = [m for m, perm in MISSION_VIEW_PERMISSION.items() if user.has_perm(perm)]
        if not missions:
            return self.none()
        if len(missions) == len(MISSION_VIEW_PERMISSION):
            # No filter at all: the newest-first list then walks the `case_newest` index
            # (`mission IN (both)` would make PostgreSQL sort every case).
            return self.all()
        return self.filter(mission__in=missions)

    def visible_to(self, user) -> "CaseQuerySet":
        """Cases the user may open (read who they are about and their facts).

        Missing-children cases: the role's permission is enough. Exploitation cases, the most
        sensitive records, also need the user to be assigned to the case, or to lead a team of
        which the assignee is a member (a lead also sees the unassigned ones, to dispatch them),
        or to hold `cases.view_any_exploitation_case` (administrators).
        """
        known = self.known_to(user)
        if not user or not user.has_perm(MISSION_VIEW_PERMISSION[Mission.EXPLOITATION]):
            return known
        if user.has_perm("cases.view_any_exploitation_case"):
            return known
        mine = models.Q(assigned_to=user)
        if user.teams_led.exists():
            from beacon.core.models import Team

            members = Team.members.through.objects.filter(team__lead=user).values("user_id")
            mine |= models.Q(assigned_to__in=members) | models.Q(assigned_to__isnull=True)
        return known.filter(~models.Q(mission=Mission.EXPLOITATION) | mine)

    def openable_ids(self, user, ids) -> set[int]:
        """Which of `ids` the user may open (one query), for masking rows of a list."""
        return set(self.visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


class Case(models.Model):
    """One episode: a disappearance of a person, from report to outcome."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    mission = models.CharField(_("mission"), max_length=16, choices=Mission.choices, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    subkind = models.ForeignKey(
        SubKind, verbose_name=_("sub-kind"), on_delete=models.PROTECT, null=True, blank=True
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    worrying = models.BooleanField(_("worrying"), default=False)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # Required for a disappearance; an exploitation case has no last-seen time.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_seen_place = models.CharField(
        _("last seen at (place)"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    region = models.ForeignKey(
        Region, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(_("reported through"), max_length=16, choices=Channel.choices)
    reporter_kind = models.CharField(_("reported by"), max_length=16, choices=ReporterKind.choices)
    reporter_contact = models.CharField(
        _("reporter contact"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    police_reference = models.CharField(
        _("police reference"),
        max_length=64,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    summary = models.TextField(_("summary"), blank=True, validators=[reject_control_characters])
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, blank=True
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=2, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    found_at = models.DateTimeField(_("found"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_cases = models.ManyToManyField(
        "self",
        verbose_name=_("linked cases"),
        blank=True,
        help_text=_("Cases of the same person, e.g. the runaway episodes behind an exploitation."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        default_permissions = ()
        permissions = [
            (f"{action}_{mission}_case", f"Can {action} {mission} cases")
            for mission in [*Mission.values, "any_exploitation"]
            for action in ("view", "open", "change", "assess", "close")
            if mission != "any_exploitation" or action == "view"
        ]  # view_any_exploitation_case: open every exploitation case, whoever it is assigned to
        # Every list is newest first and keyset-paginated on (opened_at, id); each filter has an
        # index that leads with it, so a filtered page reads about one page of index entries.
        indexes = [
            models.Index(fields=["-opened_at", "-id"], name="case_newest"),
            models.Index(fields=["mission", "-opened_at", "-id"], name="case_list"),
            models.Index(fields=["category", "-opened_at", "-id"], name="case_by_category"),
            models.Index(fields=["status", "-opened_at", "-id"], name="case_by_status"),
            models.Index(fields=["worrying", "-opened_at", "-id"], name="case_by_worrying"),
            models.Index(fields=["assigned_to", "-opened_at", "-id"], name="case_by_assignee"),
            models.Index(fields=["region", "-opened_at", "-id"], name="case_by_region"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def age_at_disappearance(self) -> int | None:
        if self.last_seen_at is None:
            return None
        return self.person.age_on(timezone.localtime(self.last_seen_at).date())

    @property
    def missing_for(self) -> timedelta | None:
        """How long the person was missing: until found, else until now for open cases."""
        if self.last_seen_at is None:
            return None
        end = self.found_at or (timezone.now() if self.is_open else None)
        return end - self.last_seen_at if end else None


class Assessment(models.Model):
    """One worrying assessment of a case (append-only: a change of facts adds a new one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    under_13 = models.BooleanField(_("younger than 13"), default=False)
    disability = models.BooleanField(default=False)
    medication = models.BooleanField(default=False)
    life_threatening = models.BooleanField(default=False)
    third_parties = models.BooleanField(default=False)
    abnormal_absence = models.BooleanField(default=False)
    notes = models.JSONField(_("notes"), default=dict, blank=True)
    is_worrying = models.BooleanField(_("worrying"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("worrying assessment")
        verbose_name_plural = _("worrying assessments")

    def __str__(self) -> str:
        return f"{self.case_id} {self.assessed_at:%Y-%m-%d %H:%M} {self.is_worrying}"

    def criteria_held(self) -> list[str]:
        return [key for key in CRITERION_KEYS if getattr(self, key)]


class TimelineEntry(models.Model):
    """An event in a case's life: a note, a contact, a status change, an assessment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("when"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TimelineKind.choices)
    text = models.TextField(_("text"), blank=True, validators=[reject_control_characters])
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at", "-id"], name="timeline_of_case")]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseNumberCounter(models.Model):
    """The last case number handed out per prefix and year; claimed under a row lock."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class ExploitationFacts(models.Model):
    """What a sexual-exploitation case records besides the case itself (one row per such case).

    Which of the optional facts apply is the category's data (`Category.extra_fields`); the
    victim's age at the time of the facts is recorded for every category (the reports count
    mean ages and age bands), the gender is the person's.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="facts")
    victim_age = models.PositiveSmallIntegerField(_("victim's age"))
    in_institution = models.BooleanField(_("lives in an institution"), null=True, blank=True)
    teen_pimp = models.BooleanField(_("teen pimp involved"), null=True, blank=True)
    report_source = models.CharField(
        _("report came from"), max_length=20, choices=ReportSource.choices, blank=True
    )
    content_origin = models.CharField(
        _("images"), max_length=16, choices=ContentOrigin.choices, blank=True
    )
    expose_group = models.BooleanField(_("shared in an expose group"), null=True, blank=True)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    amount_demanded = models.DecimalField(
        _("amount demanded (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount_paid = models.DecimalField(
        _("amount paid (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    physical_meeting = models.CharField(
        _("physical meeting"), max_length=10, choices=PhysicalMeeting.choices, blank=True
    )
    referred_to_police_at = models.DateTimeField(_("referred to police"), null=True, blank=True)

    class Meta:
        verbose_name = _("exploitation facts")
        verbose_name_plural = _("exploitation facts")

    def __str__(self) -> str:
        return f"facts of {self.case_id}"


class AbductionFacts(models.Model):
    """What an international parental abduction case records besides the case itself (one row
    per such case, as the 2021 report counts them): the children involved and their genders, who
    took them, the region they were taken to, and whether the organisation played an active role
    in bringing them back.

    The direction is the case's own (`Case.direction`): an abduction "to Belgium" is an inbound
    one (the file is linked to Belgium because the children were brought here). Genders are
    counted per file, not per person record: the children of a file are often not all recorded.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="abduction")
    children = models.PositiveSmallIntegerField(
        _("children involved"), help_text=_("Girls, boys and children of unknown gender.")
    )
    girls = models.PositiveSmallIntegerField(_("girls"), default=0)
    boys = models.PositiveSmallIntegerField(_("boys"), default=0)
    gender_unknown = models.PositiveSmallIntegerField(_("children of unknown gender"), default=0)
    abductor = models.CharField(
        _("abducting parent"),
        max_length=10,
        choices=Abductor.choices,
        blank=True,
        help_text=_("In a preventive file: the parent feared to take the children abroad."),
    )
    destination_region = models.CharField(
        _("taken to"), max_length=16, choices=DestinationRegion.choices, blank=True
    )
    active_role_in_return = models.BooleanField(
        _("active role in the return"),
        null=True,
        blank=True,
        help_text=_("The organisation helped bring the children back (practical support, travel)."),
    )

    class Meta:
        verbose_name = _("abduction facts")
        verbose_name_plural = _("abduction facts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(children__gte=1)
                & models.Q(
                    children=models.F("girls") + models.F("boys") + models.F("gender_unknown")
                ),
                name="abduction_children_add_up",
                violation_error_message=_(
                    "The children involved must be at least one and equal the girls, the boys "
                    "and the children of unknown gender together."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"abduction facts of {self.case_id}"


class SupportSession(models.Model):
    """A psychosocial support session given to the victim of an exploitation case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_sessions")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("how"), max_length=10, choices=SupportKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    note = models.TextField(_("note"), blank=True, validators=[reject_control_characters])
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class TakedownRequest(models.Model):
    """A request to a platform to remove images of the victim (a DSA trusted-flagger notice)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="takedowns")
    platform = models.CharField(
        _("platform"), max_length=80, validators=[reject_control_characters_single_line]
    )
    url = models.URLField(_("URL"), max_length=2000)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[reject_control_characters])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("takedown request")
        verbose_name_plural = _("takedown requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True)
                | models.Q(sent_at__isnull=False, removed_at__gte=models.F("sent_at")),
                name="takedown_removed_after_sent",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(sent_at__isnull=False, answered_at__gte=models.F("sent_at")),
                name="takedown_answered_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.platform}"
