"""The analysts' forms. They check types and shapes; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beacon.cases.forms import LocalDateTimeInput
from beacon.reports.choices import (
    Action,
    AgeGroup,
    Classification,
    ContentType,
    Inaccessible,
    PlatformDecision,
    SiteType,
    VictimGender,
)

NULL_BOOLEAN = [("", _("unknown")), ("true", _("yes")), ("false", _("no"))]


def _blank(choices) -> list:
    return [("", "—"), *choices]


def _to_bool(value):
    return {"true": True, "false": False}.get(value)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssessmentForm(VersionedForm):
    accessible = forms.TypedChoiceField(
        label=_("Could you access the content?"),
        choices=[("true", _("yes")), ("false", _("no"))],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
    )
    inaccessible_reason = forms.ChoiceField(
        label=_("Why not"), choices=_blank(Inaccessible.choices), required=False
    )
    classification = forms.ChoiceField(
        label=_("Classification"), choices=_blank(Classification.choices), required=False
    )
    age_group = forms.ChoiceField(
        label=_("Victim age group"), choices=_blank(AgeGroup.choices), required=False
    )
    gender = forms.ChoiceField(
        label=_("Victim gender"), choices=_blank(VictimGender.choices), required=False
    )
    content_type = forms.ChoiceField(
        label=_("Content type"), choices=_blank(ContentType.choices), required=False
    )
    self_generated = forms.TypedChoiceField(
        label=_("Self-generated"), choices=NULL_BOOLEAN, coerce=_to_bool, required=False
    )
    commercial = forms.TypedChoiceField(
        label=_("Commercial"), choices=NULL_BOOLEAN, coerce=_to_bool, required=False
    )
    site_type = forms.ChoiceField(
        label=_("Site type"), choices=_blank(SiteType.choices), required=False
    )
    hosting_country = forms.CharField(
        label=_("Hosting country"), max_length=2, required=False, help_text=_("ISO code, e.g. NL")
    )
    identifiable_victim = forms.BooleanField(label=_("Identifiable victim"), required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ActionsForm(VersionedForm):
    actions = forms.MultipleChoiceField(
        label=_("Actions"), choices=Action.choices, widget=forms.CheckboxSelectMultiple
    )
    critical = forms.BooleanField(
        label=_("Critical (a platform notice for immediate removal)"), required=False
    )
    explanation = forms.CharField(
        label=_("Why the content is illegal (leave empty for the standard text)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    referral_note = forms.CharField(
        label=_("For the case manager (victim referral)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class NoticeReplyForm(VersionedForm):
    acknowledged_at = forms.DateTimeField(
        label=_("Acknowledged at"),
        required=False,
        widget=LocalDateTimeInput(),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=_blank(PlatformDecision.choices), required=False
    )
    decided_at = forms.DateTimeField(
        label=_("Decision taken at"),
        required=False,
        widget=LocalDateTimeInput(),
    )
    action_note = forms.CharField(label=_("Action taken"), required=False, max_length=2000)
    removal_confirmed_at = forms.DateTimeField(
        label=_("Removal confirmed at"),
        required=False,
        widget=LocalDateTimeInput(),
    )


class ReferralLinkForm(forms.Form):
    case_number = forms.CharField(label=_("Exploitation case number"), max_length=32)
