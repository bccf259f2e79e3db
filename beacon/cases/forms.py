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
    Mission,
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
        is_active=True, groups__name__in=["case_manager", "team_lead", "administrator"]
    ).distinct()
    return [("", "—")] + [
        (u.pk, u.get_full_name() or u.username) for u in managers.order_by("username")
    ]


class CaseFilterForm(forms.Form):
    """The case list's filters (GET)."""

    q = forms.CharField(label=_("Name or case number"), required=False, max_length=100)
    mission = forms.ChoiceField(
        label=_("Mission"), required=False, choices=[("", "—"), *Mission.choices]
    )
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
        values = {
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
        # Only the fields this form has (an exploitation case's form has no last-seen fields).
        return {name: value for name, value in values.items() if name in self.fields}


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


def kind_choices(*, mission: str) -> list:
    """The categories of a mission usable today, with their sub-kinds as "category:subkind"."""
    today = timezone.localdate()
    groups: list = []
    for category in Category.objects.filter(mission=mission).prefetch_related("subkinds"):
        if not category.usable_on(today):
            continue
        subkinds = list(category.subkinds.all())
        if subkinds:
            groups.append(
                (
                    category.name,
                    [(f"{category.key}:{s.key}", f"{category.name}: {s.name}") for s in subkinds],
                )
            )
        else:
            groups.append((category.key, category.name))
    return groups


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
        self.fields["kind"].choices = [("", "—"), *kind_choices(mission="missing")]

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
        if case.mission == "exploitation":
            for name in (
                "last_seen_at",
                "last_seen_place",
                "direction",
                "countries",
                "country_of_origin",
            ):
                del self.fields[name]
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

    def __init__(self, *args, mission: str = "missing", **kwargs):
        from beacon.cases.services import outcomes_for

        super().__init__(*args, **kwargs)
        labels = dict(Outcome.choices)
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (o, labels[o]) for o in outcomes_for(mission)
        ]
        if mission != "missing":
            del self.fields["found_at"]


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


# --- sexual-exploitation cases --------------------------------------------------------------------

TRI_STATE = [("", _("unknown")), ("yes", _("yes")), ("no", _("no"))]


def tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def tri_state_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")  # type: ignore[arg-type]


def _facts_fields() -> dict[str, forms.Field]:
    """Every fact of an exploitation case as a form field (EXPLOITATION_FIELDS' names)."""
    from beacon.cases.choices import ContentOrigin, PhysicalMeeting, ReportSource

    return {
        "in_institution": forms.ChoiceField(
            label=_("Victim lives in an institution"), required=False, choices=TRI_STATE
        ),
        "teen_pimp": forms.ChoiceField(
            label=_("Teen pimp involved"), required=False, choices=TRI_STATE
        ),
        "report_source": forms.ChoiceField(
            label=_("Report came from"), required=False, choices=[("", "—"), *ReportSource.choices]
        ),
        "linked_cases": forms.MultipleChoiceField(
            label=_("Linked runaway cases"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Disappearance cases of the same person."),
        ),
        "content_origin": forms.ChoiceField(
            label=_("Images"), required=False, choices=[("", "—"), *ContentOrigin.choices]
        ),
        "expose_group": forms.ChoiceField(
            label=_("Shared in an expose group"), required=False, choices=TRI_STATE
        ),
        "platforms": forms.CharField(
            label=_("Platforms (comma-separated)"), required=False, max_length=500
        ),
        "amount_demanded": forms.CharField(
            label=_("Amount demanded (EUR, financial sextortion)"), required=False, max_length=20
        ),
        "amount_paid": forms.CharField(
            label=_("Amount paid (EUR, financial sextortion)"), required=False, max_length=20
        ),
        "physical_meeting": forms.ChoiceField(
            label=_("Physical meeting"),
            required=False,
            choices=[("", "—"), *PhysicalMeeting.choices],
        ),
    }


class FactsMixin(forms.Form):
    """The victim's age and the facts; `add_facts_fields(names)` adds the ones that apply."""

    victim_age = forms.IntegerField(
        label=_("Victim's age at the time of the facts"),
        required=False,
        min_value=0,
        max_value=17,
        help_text=_("Filled from the date of birth when left empty."),
    )

    def add_facts_fields(self, names, *, linked_choices=()):
        fields = _facts_fields()
        for name in names:
            if name in fields:
                self.fields[name] = fields[name]
        if "linked_cases" in self.fields:
            self.fields["linked_cases"].choices = list(linked_choices)  # type: ignore[attr-defined]
        self.fact_names = [n for n in names if n in fields]

    def facts(self) -> dict:
        data = self.cleaned_data
        facts: dict = {"victim_age": data.get("victim_age")}
        for name in self.fact_names:
            value = data.get(name)
            if name in ("in_institution", "teen_pimp", "expose_group"):
                facts[name] = tri_state(value)
            elif name == "platforms":
                facts[name] = split_codes(value or "")
            elif name == "linked_cases":
                facts[name] = [int(pk) for pk in value or []]
            else:
                facts[name] = value or (
                    "" if name not in ("amount_demanded", "amount_paid") else None
                )
        return facts

    def facts_fields(self):
        return [self[name] for name in self.fact_names]


def linked_case_choices(cases) -> list[tuple[str, str]]:
    return [
        (
            str(c.pk),
            f"{c.number} · {c.category.name} · {timezone.localtime(c.opened_at):%Y-%m-%d}",
        )
        for c in cases
    ]


class ExploitationIntakeForm(FactsMixin, PersonFieldsMixin):
    """A new sexual-exploitation case: the victim (known or new) and the category's facts."""

    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Category and sub-kind"))
    region = forms.ChoiceField(label=_("Province"), required=False)
    channel = forms.ChoiceField(label=_("Reported through"), choices=Channel.choices)
    reporter_kind = forms.ChoiceField(label=_("Reported by"), choices=ReporterKind.choices)
    reporter_contact = forms.CharField(label=_("Reporter contact"), required=False, max_length=200)
    police_reference = forms.CharField(label=_("Police reference"), required=False, max_length=64)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, linked_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        from beacon.cases.models import EXPLOITATION_FIELDS

        self.fields["region"].choices = _region_choices()
        self.fields["assigned_to"].choices = _assignee_choices()
        self.fields["kind"].choices = [("", "—"), *kind_choices(mission="exploitation")]
        self.add_facts_fields(EXPLOITATION_FIELDS, linked_choices=linked_choices)
        # Which facts each category records, for the page to show only those (facts.js).
        self.applicable = {
            c.key: c.extra_fields for c in Category.objects.filter(mission="exploitation")
        }

    @property
    def applicable_json(self) -> str:
        import json

        return json.dumps(self.applicable)

    def category_and_subkind(self) -> tuple[str, str]:
        category, _sep, subkind = self.cleaned_data["kind"].partition(":")
        return category, subkind

    def person_data(self) -> dict:
        return IntakeForm.person_data(self)  # type: ignore[arg-type]

    def details(self) -> dict:
        data = self.cleaned_data
        assignee = (
            User.objects.filter(pk=data["assigned_to"]).first() if data.get("assigned_to") else None
        )
        return {
            "region": data.get("region", ""),
            "channel": data.get("channel"),
            "reporter_kind": data.get("reporter_kind"),
            "reporter_contact": data.get("reporter_contact", ""),
            "police_reference": data.get("police_reference", ""),
            "summary": data.get("summary", ""),
            "assigned_to": assignee,
        }


class FactsForm(FactsMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case=None, linked_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        assert case is not None
        self.add_facts_fields(case.category.extra_fields, linked_choices=linked_choices)


def initial_for_facts(case) -> dict:
    facts = getattr(case, "facts", None)
    initial: dict = {"version": case.version}
    if facts is None:
        return initial
    initial["victim_age"] = facts.victim_age
    for name in ("in_institution", "teen_pimp", "expose_group"):
        initial[name] = tri_state_initial(getattr(facts, name))
    for name in ("report_source", "content_origin", "physical_meeting"):
        initial[name] = getattr(facts, name)
    initial["platforms"] = ", ".join(facts.platforms)
    initial["amount_demanded"] = facts.amount_demanded
    initial["amount_paid"] = facts.amount_paid
    initial["linked_cases"] = [str(pk) for pk in case.linked_cases.values_list("pk", flat=True)]
    return initial


class SupportSessionForm(forms.Form):
    at = forms.DateTimeField(label=_("When"), widget=LocalDateTimeInput())
    kind = forms.ChoiceField(label=_("How"), choices=[])
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from beacon.cases.choices import SupportKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SupportKind.choices


class TakedownForm(forms.Form):
    platform = forms.CharField(label=_("Platform"), max_length=80)
    url = forms.CharField(label=_("URL"), max_length=2000)
    sent_at = forms.DateTimeField(label=_("Sent"), required=False, widget=LocalDateTimeInput())
    answered_at = forms.DateTimeField(
        label=_("Answered"), required=False, widget=LocalDateTimeInput()
    )
    removed_at = forms.DateTimeField(
        label=_("Removed"), required=False, widget=LocalDateTimeInput()
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TakedownProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    sent_at = forms.DateTimeField(label=_("Sent"), required=False, widget=LocalDateTimeInput())
    answered_at = forms.DateTimeField(
        label=_("Answered"), required=False, widget=LocalDateTimeInput()
    )
    removed_at = forms.DateTimeField(
        label=_("Removed"), required=False, widget=LocalDateTimeInput()
    )


class PoliceReferralForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    at = forms.DateTimeField(label=_("Referred to police on"), widget=LocalDateTimeInput())
    police_reference = forms.CharField(label=_("Police reference"), required=False, max_length=64)
