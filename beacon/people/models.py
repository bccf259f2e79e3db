"""Persons the organisation's work is about: children and young adults (up to 24)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.validators import reject_control_characters_single_line


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


def normalise_name(value: str) -> str:
    """Lower-case, accent-free form of a name, for search that ignores case and accents."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonQuerySet":
        """Persons the user may read: those with a case the user may read (need to know)."""
        from beacon.cases.models import Case

        if not user.is_authenticated or not user.has_perm("people.view_person"):
            return self.none()
        visible_cases = Case.objects.visible_to(user)
        return self.filter(pk__in=visible_cases.values("person_id"))


class Person(models.Model):
    """A child or young adult at the centre of one or more cases (episodes)."""

    first_name = models.CharField(
        _("first name"), max_length=100, validators=[reject_control_characters_single_line]
    )
    last_name = models.CharField(
        _("last name"), max_length=100, validators=[reject_control_characters_single_line]
    )
    # "last first" and "first last", normalised, so a prefix search finds either order.
    search_name = models.CharField(max_length=201, editable=False, default="")
    search_name_reversed = models.CharField(max_length=201, editable=False, default="")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"), null=True, blank=True, help_text=_("When the date of birth is unknown.")
    )
    gender = models.CharField(
        _("gender"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/%m/", null=True, blank=True)
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"), upload_to="thumbnails/%Y/%m/", null=True, blank=True, editable=False
    )
    in_institution = models.BooleanField(_("lives in an institution"), default=False)
    institution_name = models.CharField(
        _("institution"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # A duplicate record of the same person, merged into another: kept for history, no cases.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("merge_person", "Can merge two person records that are the same person"),
            ("unmerge_person", "Can undo a merge of person records"),
        ]
        indexes = [
            models.Index(
                fields=["search_name"],
                name="person_search_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["search_name_reversed"],
                name="person_search_rev_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day`, from the date of birth, else the estimate."""
        if self.date_of_birth:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.estimated_age is None:
            return None
        # The estimate was made when the person was recorded (the local calendar day); it ages
        # with them.
        recorded = timezone.localdate(self.created_at) if self.created_at else day
        return self.estimated_age + max(0, day.year - recorded.year)

    def refresh_search_names(self) -> None:
        self.search_name = normalise_name(f"{self.last_name} {self.first_name}")
        self.search_name_reversed = normalise_name(f"{self.first_name} {self.last_name}")


class PersonMerge(models.Model):
    """Two records found to be the same person: the duplicate's cases moved to the survivor.

    Everything needed to undo it exactly is kept: the cases that moved and the survivor's
    previous values of the fields it took from the duplicate."""

    survivor = models.ForeignKey(
        Person, verbose_name=_("kept record"), on_delete=models.PROTECT, related_name="merges"
    )
    merged = models.ForeignKey(
        Person, verbose_name=_("merged record"), on_delete=models.PROTECT, related_name="+"
    )
    moved_case_ids = models.JSONField(_("cases moved"), default=list)
    copied_fields = models.JSONField(
        _("fields taken from the merged record"),
        default=dict,
        help_text=_("Field name to the kept record's previous value."),
    )
    reason = models.TextField(_("why they are the same person"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge of person records")
        verbose_name_plural = _("merges of person records")

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"
