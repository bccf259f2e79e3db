from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    add_to_own_bank = forms.BooleanField(
        label=_("Add this image's hash to our own bank"), required=False
    )
    hosting_country = forms.CharField(
        label=_("Hosting country (if Beacon could not tell)"), max_length=2, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why it is not the banked material"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class HashImageForm(forms.Form):
    """An analyst of the civil hotline hashes an image kept for a decision on a reported URL."""

    image = forms.FileField(label=_("Image"))
