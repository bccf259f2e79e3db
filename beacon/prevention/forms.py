"""The forms of the prevention pages. They check types and shapes; the services decide what is
allowed (and say so on the same fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beacon.network.models import Municipality, Volunteer
from beacon.prevention.models import Audience, SessionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _municipalities() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (m.code, f"{m.name} ({m.code})")
        for m in Municipality.objects.order_by("code").only("code", "names")
    ]


class TrainingForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    module = forms.CharField(label=_("Module"), max_length=200)
    held_on = forms.DateField(
        label=_("Date"),
        widget=DATE,
        help_text=_("A date ahead plans the training; it counts once held."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), choices=[], required=False)
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    participants = forms.IntegerField(label=_("Participants"), min_value=0)
    online = forms.BooleanField(label=_("Online"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = _municipalities()

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class TrainingEditForm(TrainingForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    venue = forms.CharField(label=_("School or event"), max_length=200)
    municipality = forms.ChoiceField(label=_("Municipality"), choices=[], required=False)
    volunteers = forms.TypedMultipleChoiceField(
        label=_("Volunteers"),
        choices=[],
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Active volunteers of the network; hold Ctrl to choose several."),
    )
    children_reached = forms.IntegerField(label=_("Children reached"), min_value=0, initial=0)

    def __init__(self, *args, volunteers: list[Volunteer] | None = None, **kwargs):
        """`volunteers`: those the user may choose from (None: the user may not see volunteers'
        names, so the session's volunteers are left as they are)."""
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = _municipalities()
        chosen = self.fields["volunteers"]
        assert isinstance(chosen, forms.MultipleChoiceField)
        if volunteers is None:
            del self.fields["volunteers"]
        else:
            chosen.choices = [(v.pk, str(v)) for v in volunteers]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class SessionEditForm(SessionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ToolHandoutForm(forms.Form):
    tool = forms.CharField(label=_("Tool"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    handed_on = forms.DateField(label=_("Date"), widget=DATE)
    recipient = forms.CharField(label=_("Handed to"), max_length=200, required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = _municipalities()
