"""Forms of the staff UI. They parse and present; the services validate the rules."""

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from beacon.cases.choices import (
    WORRYING_CRITERIA,
    CaseStatus,
    Channel,
    Direction,
    Outcome,
    ReporterKind,
)
from beacon.cases.models import Category, SubKind
from beacon.core.models import Region
from beacon.people.models import Gender

User = get_user_model()


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _region_choices():
    return [("", "—")] + [(r.code, r.name) for r in Region.objects.all()]


def _assignee_choices():
    managers = User.objects.filter(
        is_active=True, groups__name__in=["case_manager", "administrator"]
    ).distinct()
    return [("", "—")] + [
        (u.pk, u.get_full_name() or u.username) for u in managers.order_by("username")
    ]


class CaseFilterForm(forms.Form):
    """The case list's filters (GET)."""

    q = forms.CharField(label=_("Name or case number"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *CaseStatus.choices]
    )
    worrying = forms.ChoiceField(
        label=_("Worrying"), required=False, choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))]
    )
    opened_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)
    region = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [
            (c.key, c.name) for c in Category.objects.all()
        ]
        self.fields["assigned_to"].choices = [("", "—"), ("me", _("me"))] + _assignee_choices()[1:]
        self.fields["region"].choices = _region_choices()
        self.user = user

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", _("The end date is before the start date."))
        return cleaned


class PersonFieldsMixin(forms.Form):
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (if no date of birth)"), required=False, min_value=0, max_value=120
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    languages = forms.CharField(
        label=_("Languages (codes, comma-separated)"),
        required=False,
        max_length=50,
        help_text=_("For example: nl, fr"),
    )
    nationality = forms.CharField(
        label=_("Nationality (country code)"), required=False, max_length=2
    )
    in_institution = forms.BooleanField(label=_("Lives in an institution"), required=False)
    institution_name = forms.CharField(label=_("Which institution"), required=False, max_length=200)
    photo = forms.FileField(label=_("Photo (optional)"), required=False)


class CaseDetailFieldsMixin(forms.Form):
    last_seen_at = forms.DateTimeField(label=_("Last seen"), widget=LocalDateTimeInput())
    last_seen_place = forms.CharField(
        label=_("Last seen at (place)"), required=False, max_length=200
    )
    region = forms.ChoiceField(label=_("Province"), required=False)
    channel = forms.ChoiceField(label=_("Reported through"), choices=Channel.choices)
    reporter_kind = forms.ChoiceField(label=_("Reported by"), choices=ReporterKind.choices)
    reporter_contact = forms.CharField(label=_("Reporter contact"), required=False, max_length=200)
    police_reference = forms.CharField(label=_("Police reference"), required=False, max_length=64)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    direction = forms.ChoiceField(
        label=_("Direction (family context)"),
        required=False,
        choices=[("", "—"), *Direction.choices],
    )
    countries = forms.CharField(
        label=_("Countries (codes, family context)"), required=False, max_length=50
    )
    country_of_origin = forms.CharField(
        label=_("Country of origin (unaccompanied minor)"), required=False, max_length=2
    )
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)

    def setup_choices(self):
        self.fields["region"].choices = _region_choices()
        self.fields["assigned_to"].choices = _assignee_choices()

    def details(self) -> dict:
        data = self.cleaned_data
        assignee = (
            User.objects.filter(pk=data["assigned_to"]).first() if data.get("assigned_to") else None
        )
        return {
            "last_seen_at": data.get("last_seen_at"),
            "last_seen_place": data.get("last_seen_place", ""),
            "region": data.get("region", ""),
            "channel": data.get("channel"),
            "reporter_kind": data.get("reporter_kind"),
            "reporter_contact": data.get("reporter_contact", ""),
            "police_reference": data.get("police_reference", ""),
            "summary": data.get("summary", ""),
            "direction": data.get("direction", ""),
            "countries": split_codes(data.get("countries", "")),
            "country_of_origin": data.get("country_of_origin", ""),
            "assigned_to": assignee,
        }


class CriteriaMixin(forms.Form):
    """Criteria 2-6 as checkboxes with a note each; criterion 1 is computed."""

    def add_criteria_fields(self):
        for key, label in WORRYING_CRITERIA:
            if key != "under_13":
                self.fields[f"criterion_{key}"] = forms.BooleanField(label=label, required=False)
            # The note sits in a table cell; the accessible name says which criterion it is for.
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                widget=forms.TextInput(
                    attrs={"aria-label": format_lazy("{}: {}", _("Note"), label)}
                ),
            )

    def criteria_rows(self):
        return [
            (
                key,
                label,
                self[f"criterion_{key}"] if key != "under_13" else None,
                self[f"note_{key}"],
            )
            for key, label in WORRYING_CRITERIA
        ]

    def criteria_input(self):
        from beacon.cases.services import CriteriaInput

        data = self.cleaned_data
        return CriteriaInput(
            held={
                key: bool(data.get(f"criterion_{key}"))
                for key, _l in WORRYING_CRITERIA
                if key != "under_13"
            },
            notes={
                key: data.get(f"note_{key}", "")
                for key, _l in WORRYING_CRITERIA
                if data.get(f"note_{key}")
            },
        )


def split_codes(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


class IntakeForm(CriteriaMixin, CaseDetailFieldsMixin, PersonFieldsMixin):
    """A new case: an existing person (repeat episode) or a new one, and the disappearance."""

    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Category and sub-kind"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices()
        self.add_criteria_fields()
        today = timezone.localdate()
        groups: list = []
        for category in Category.objects.prefetch_related("subkinds"):
            if not category.usable_on(today):
                continue
            subkinds = list(category.subkinds.all())
            if subkinds:
                groups.append(
                    (
                        category.name,
                        [
                            (f"{category.key}:{s.key}", f"{category.name}: {s.name}")
                            for s in subkinds
                        ],
                    )
                )
            else:
                groups.append((category.key, category.name))
        self.fields["kind"].choices = [("", "—"), *groups]

    def category_and_subkind(self) -> tuple[str, str]:
        category, _sep, subkind = self.cleaned_data["kind"].partition(":")
        return category, subkind

    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "date_of_birth": data.get("date_of_birth"),
            "estimated_age": data.get("estimated_age"),
            "gender": data.get("gender"),
            "languages": split_codes(data.get("languages", "")),
            "nationality": data.get("nationality", ""),
            "in_institution": data.get("in_institution", False),
            "institution_name": data.get("institution_name", ""),
        }


class CaseEditForm(CaseDetailFieldsMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subkind = forms.ChoiceField(label=_("Sub-kind"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices()
        assert case is not None
        self.fields["subkind"].choices = [("", "—")] + [
            (s.key, s.name) for s in SubKind.objects.filter(category=case.category)
        ]


class AssessmentForm(CriteriaMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_criteria_fields()


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("note", _("note")), ("contact", _("contact"))]
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    found_at = forms.DateTimeField(label=_("Found at"), required=False, widget=LocalDateTimeInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why reopen"), widget=forms.Textarea(attrs={"rows": 2}))


def initial_for_edit(case) -> dict:
    def local(value: datetime | None):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None

    return {
        "version": case.version,
        "subkind": case.subkind.key if case.subkind else "",
        "last_seen_at": local(case.last_seen_at),
        "last_seen_place": case.last_seen_place,
        "region": case.region.code if case.region else "",
        "channel": case.channel,
        "reporter_kind": case.reporter_kind,
        "reporter_contact": case.reporter_contact,
        "police_reference": case.police_reference,
        "summary": case.summary,
        "direction": case.direction,
        "countries": ", ".join(case.countries),
        "country_of_origin": case.country_of_origin,
        "assigned_to": case.assigned_to_id or "",
    }
