"""The forms of the donors' pages. They check types and shapes; the services (beacon.funding.donors)
decide what is allowed and say so on the same fields. Amounts are text: the service reads them
(beacon.funding.cleaning), so "12,50" and "12.50" are the same everywhere."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.funding.models import LANGUAGES, DonorKind, Frequency, GiftMethod, GiftNature

DATE = forms.DateInput(attrs={"type": "date"})


class DonorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DonorKind.choices)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name or organisation name"), max_length=200)
    company_number = forms.CharField(
        label=_("Company number"),
        max_length=16,
        required=False,
        help_text=_("For an organisation."),
    )
    national_number = forms.CharField(
        label=_("National register number"),
        max_length=20,
        required=False,
        help_text=_("For a person, where the tax certificate needs it. Stored encrypted."),
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, initial="BE")
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="nl")
    contact_consent = forms.BooleanField(label=_("Consents to be contacted"), required=False)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("remove_national_number", None)
        return data


class DonorEditForm(DonorForm):
    """An edit: the number on file is never shown; an empty field keeps it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    remove_national_number = forms.BooleanField(
        label=_("Remove the national register number on file"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["national_number"].help_text = _(
            "Leave empty to keep the number on file; type a new one to replace it."
        )

    def service_values(self) -> dict:
        remove = self.cleaned_data.get("remove_national_number")
        data = super().service_values()
        if remove:
            data["national_number"] = ""
        elif not data.get("national_number"):
            data.pop("national_number", None)
        return data


class GiftForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=GiftMethod.choices)
    nature = forms.ChoiceField(
        label=_("Money or in kind"), choices=GiftNature.choices, initial=GiftNature.MONEY
    )
    mandate_id = forms.TypedChoiceField(
        label=_("Recurring mandate"), choices=[], required=False, coerce=int, empty_value=None
    )
    campaign = forms.CharField(label=_("Campaign"), max_length=100, required=False)
    legacy = forms.BooleanField(label=_("Legacy"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, mandates=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["mandate_id"].choices = [("", _("one-off gift"))] + [
            (m.pk, f"{m.reference} ({m.amount} EUR, {m.get_frequency_display()})") for m in mandates
        ]


class GiftRefundForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    refunded_on = forms.DateField(label=_("Refunded on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DonorAccountForm(forms.Form):
    iban = forms.CharField(label=_("IBAN"), max_length=50)


class MandateForm(forms.Form):
    reference = forms.CharField(label=_("Mandate reference"), max_length=35)
    amount = forms.CharField(label=_("Amount"), max_length=20)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE, required=False)
