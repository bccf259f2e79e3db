"""Forms of the search notices' staff pages. They parse and present; the services decide."""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from beacon.alerts.choices import (
    DISCRETE_CHANNELS,
    PUBLIC_CHANNELS,
    Channel,
    NoticeKind,
    NoticeStatus,
    StatNetwork,
)
from beacon.alerts.models import SearchNotice
from beacon.cases.forms import LocalDateTimeInput
from beacon.core.models import Region
from beacon.network.models import Municipality


def _region_choices():
    return [("", "—")] + [(r.code, r.name) for r in Region.objects.all()]


def channel_kinds(channel: str) -> str:
    """The kinds of notice a channel suits, for the page to show only those (space-separated)."""
    kinds = []
    if channel in PUBLIC_CHANNELS:
        kinds.append(NoticeKind.PUBLIC)
    if channel in DISCRETE_CHANNELS:
        kinds.append(NoticeKind.DISCRETE)
    return " ".join(kinds)


class NoticeForm(forms.Form):
    """Prepare or change a notice: what is published, where, in which languages."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NoticeKind.choices,
        widget=forms.RadioSelect,
        help_text=_("A discrete notice goes only on vignettes to trusted partners."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one channel.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    display_name = forms.CharField(
        label=_("Name as published"),
        max_length=100,
        help_text=_("Usually the first name only."),
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=30)
    last_seen_at = forms.DateTimeField(
        label=_("Last seen (when)"), required=False, widget=LocalDateTimeInput()
    )
    last_seen_place = forms.CharField(label=_("Last seen (where)"), max_length=200, required=False)
    region = forms.ChoiceField(
        label=_("Province"),
        required=False,
        help_text=_("Volunteers and partners of this province are mobilised."),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        help_text=_("Narrows the mobilisation to these municipalities (none: the whole province)."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    still_missing = forms.BooleanField(
        label=_("Long-term missing"),
        required=False,
        help_text=_("Listed on the public page of children still missing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices()
        # HTMX: a new province brings its own municipalities into the list below.
        self.fields["region"].widget.attrs.update(
            {
                "hx-get": reverse("alerts:municipalities"),
                "hx-target": "#id_municipalities",
                "hx-swap": "innerHTML",
            }
        )
        region = self.data.get("region") if self.is_bound else self.initial.get("region")
        self.fields["municipalities"].queryset = Municipality.objects.filter(
            region__code=region or ""
        ).order_by("code")
        self.fields["municipalities"].label_from_instance = lambda m: f"{m.name} ({m.code})"
        for code, name in settings.LANGUAGES:
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 4, "data-language": code}),
                help_text=_("How to recognise the child: height, hair, clothes."),
            )
            self.fields[f"instructions_{code}"] = forms.CharField(
                label=_("What to do (%(language)s)") % {"language": name},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2, "data-language": code}),
                help_text=_("Optional. Empty: call 116 000 (or 116 800 for a tip)."),
            )

    def language_fields(self):
        """(code, name, description field, instructions field) per language, for the page."""
        return [
            (code, name, self[f"description_{code}"], self[f"instructions_{code}"])
            for code, name in settings.LANGUAGES
        ]

    def channel_options(self):
        """(value, label, suited kinds, checked) per channel, for checkboxes the page filters."""
        chosen = set(self["channels"].value() or [])
        return [
            (value, label, channel_kinds(value), value in chosen)
            for value, label in Channel.choices
        ]

    def clean(self):
        data = super().clean()
        region = data.get("region")
        chosen = data.get("municipalities")
        if chosen and any(m.region.code != region for m in chosen):
            self.add_error("municipalities", _("Choose municipalities of the chosen province."))
        return data

    def notice_fields(self) -> dict:
        """The service's keyword arguments."""
        data = self.cleaned_data
        codes = [code for code, _name in settings.LANGUAGES]
        return {
            "kind": data["kind"],
            "channels": data.get("channels") or [],
            "languages": data.get("languages") or [],
            "display_name": data["display_name"],
            "age": data.get("age"),
            "description": {c: data.get(f"description_{c}", "") for c in codes},
            "instructions": {c: data.get(f"instructions_{c}", "") for c in codes},
            "last_seen_at": data.get("last_seen_at"),
            "last_seen_place": data.get("last_seen_place", ""),
            "region": data.get("region") or None,
            "municipalities": list(data.get("municipalities") or []),
            "still_missing": data.get("still_missing", False),
        }


def initial_for_case(case) -> dict:
    """What a new notice proposes from its case (the service proposes the same)."""
    return {
        "kind": NoticeKind.PUBLIC,
        "channels": [Channel.PAGE, Channel.POSTER],
        "languages": ["nl", "fr"],
        "display_name": case.person.first_name,
        "age": case.age_at_disappearance,
        "last_seen_at": case.last_seen_at,
        "last_seen_place": case.last_seen_place or "",
        "region": case.region.code if case.region else "",
    }


def initial_for_notice(notice: SearchNotice) -> dict:
    initial = {
        "version": notice.version,
        "kind": notice.kind,
        "channels": list(notice.channels),
        "languages": list(notice.languages),
        "display_name": notice.display_name,
        "age": notice.age,
        "last_seen_at": notice.last_seen_at,
        "last_seen_place": notice.last_seen_place,
        "region": notice.region.code if notice.region else "",
        "municipalities": list(notice.municipalities.all()),
        "still_missing": notice.still_missing,
    }
    for code, _name in settings.LANGUAGES:
        initial[f"description_{code}"] = notice.text("description", code)
        initial[f"instructions_{code}"] = notice.text("instructions", code)
    return initial


class VersionForm(forms.Form):
    """A step with nothing to fill in (submit, approve, publish): the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class PhotoForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP. Its metadata (camera, GPS position) is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class AgreementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    authority_name = forms.CharField(
        label=_("Investigating authority"),
        max_length=200,
        help_text=_("e.g. the public prosecutor's office or the police unit in charge."),
    )
    authority_agreed_by = forms.CharField(
        label=_("Agreed by"), max_length=200, help_text=_("The magistrate or officer who agreed.")
    )
    authority_agreed_at = forms.DateTimeField(label=_("Agreed at"), widget=LocalDateTimeInput())
    parents_informed_at = forms.DateTimeField(
        label=_("Parents informed at"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Required for a minor."),
    )


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("What should change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=200,
        help_text=_("e.g. found safe; on the family's request."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm: withdraw the notice from every channel now."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class StatForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=StatNetwork.choices)
    views = forms.IntegerField(label=_("Views"), min_value=0, initial=0)
    shares = forms.IntegerField(label=_("Shares"), min_value=0, initial=0)
    reach = forms.IntegerField(label=_("Reach"), min_value=0, initial=0)
    interactions = forms.IntegerField(label=_("Interactions"), min_value=0, initial=0)


class StatsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of figures"),
        help_text=_(
            "A header row: notice, network, views, shares, reach, interactions. Comma, semicolon "
            "or tab separated. A file with any bad row imports nothing."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *NoticeStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *NoticeKind.choices]
    )
