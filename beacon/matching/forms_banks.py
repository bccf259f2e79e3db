"""The forms of the hash banks' pages. They check types and shapes; the services in banks.py
decide what is allowed (and say so on the same fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beacon.matching.choices import BankSource, HashKind, ImportFormat
from beacon.matching.models import HashBank


class BankForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    source = forms.ChoiceField(label=_("Source"), choices=BankSource.choices)
    classification = forms.ChoiceField(label=_("Classification of its material"), choices=[])
    auto_act_exact = forms.BooleanField(
        label=_("Act on exact matches automatically"),
        required=False,
        help_text=_("An identical image triggers the takedown notice without an analyst."),
    )
    near_to_analysts = forms.BooleanField(
        label=_("Send near matches to analysts"), required=False, initial=True
    )
    near_threshold = forms.IntegerField(
        label=_("Near-match distance"),
        min_value=0,
        max_value=64,
        initial=31,
        help_text=_("Largest PDQ distance (bits of 256) still counted as a near match: 0 to 64."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = HashBank._meta.get_field("classification").choices


class BankEditForm(BankForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Text (UTF-8). Blank lines and lines starting with # are skipped. A CSV needs a "
            "header naming its columns: hash, quality, tags."
        ),
    )


class RemovalForm(forms.Form):
    values = forms.CharField(
        label=_("Hashes to remove"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("One or more, separated by spaces, commas or new lines."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("any kind of that length")), *HashKind.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: the partner retracted it (their reference)."),
    )
