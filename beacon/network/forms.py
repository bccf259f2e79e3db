"""The forms of the network's pages. They check types and shapes; the services decide what is
allowed (and say so on the same fields)."""

from datetime import datetime, time

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.models import Region
from beacon.network.models import Municipality, PartnerKind, ReceiveChannel, VolunteerRole


def _regions(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(r.code, r.name) for r in Region.objects.order_by("position", "code")]


def _municipalities(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [
        (m.code, f"{m.name} ({m.code})")
        for m in Municipality.objects.order_by("code").only("code", "names")
    ]


class VolunteerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    region = forms.ChoiceField(label=_("Province"), choices=[])
    municipality = forms.ChoiceField(label=_("Municipality"), choices=[], required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=VolunteerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    availability = forms.CharField(
        label=_("Availability"),
        max_length=200,
        required=False,
        help_text=_("For example: weekends, evenings, school holidays."),
    )
    is_referent = forms.BooleanField(label=_("Province referent"), required=False)
    consent_given_on = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: no consent on record; the volunteer is never mobilised."),
    )
    joined_on = forms.DateField(
        label=_("Joined on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions("—")
        self.fields["municipality"].choices = _municipalities("—")

    def service_values(self, *, current_consent=None) -> dict:
        """The cleaned form as the service's arguments. A consent date that did not change keeps
        the recorded time; a new one is that day's noon, local time (or now, if today)."""
        data = dict(self.cleaned_data)
        day = data.pop("consent_given_on")
        data.pop("version", None)
        if day is None:
            data["consent_given_at"] = None
        elif current_consent is not None and timezone.localtime(current_consent).date() == day:
            data["consent_given_at"] = current_consent
        elif day == timezone.localdate():
            data["consent_given_at"] = timezone.now()
        else:
            data["consent_given_at"] = timezone.make_aware(datetime.combine(day, time(12)))
        return data


class VolunteerEditForm(VolunteerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    region = forms.ChoiceField(
        label=_("Province"), choices=[], required=False, help_text=_("Empty: the whole country.")
    )
    municipality = forms.ChoiceField(label=_("Municipality"), choices=[], required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    channel = forms.ChoiceField(label=_("Receives notices by"), choices=ReceiveChannel.choices)
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        required=False,
        help_text=_("http:// or https://; notices are signed (X-Beacon-Signature)."),
    )
    screens = forms.IntegerField(
        label=_("Number of screens"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_("Digital-screen networks only."),
    )
    receives_discrete = forms.BooleanField(label=_("Receives discrete notices"), required=False)
    joined_on = forms.DateField(
        label=_("Joined on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(str(_("the whole country")))
        self.fields["municipality"].choices = _municipalities("—")

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["screens"] = data.get("screens") or 0
        return data


class PartnerEditForm(PartnerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FollowerForm(forms.Form):
    channel = forms.ChoiceField(label=_("Receives notices by"), choices=ReceiveChannel.choices)
    address = forms.CharField(
        label=_("Address"), max_length=500, help_text=_("E-mail address or webhook URL.")
    )
    group = forms.CharField(
        label=_("Group"), max_length=100, required=False, help_text=_("E.g. the running club.")
    )
    region = forms.ChoiceField(label=_("Province"), choices=[], required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(str(_("the whole country")))


class FollowerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, first line naming the columns: address (required), channel, group, region, "
            "language. All or nothing: a file with a bad line imports nothing."
        ),
    )
    group = forms.CharField(
        label=_("Group"),
        max_length=100,
        required=False,
        help_text=_("For the lines that name none."),
    )
