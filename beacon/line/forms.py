"""The one-screen form of the line: the contact, and the case it concerns (existing or new)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.cases.forms import LocalDateTimeInput, kind_choices
from beacon.cases.models import Category
from beacon.line.models import CallerKind, LineChannel, TopicKind
from beacon.line.services import LANGUAGES
from beacon.people.models import Gender

CATEGORY_PREFIX = "cat:"


def now_local() -> str:
    """Now, as a datetime-local input shows it (to the minute, in the organisation's zone)."""
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def topic_choices() -> list:
    """The case categories of both missions (with sub-kinds), then the other topics."""
    groups: list = []
    for mission, label in (
        ("missing", _("Missing children")),
        ("exploitation", _("Sexual exploitation")),
    ):
        options = []
        for value, name in kind_choices(mission=mission):
            if isinstance(name, list):  # a category with sub-kinds
                options += [(CATEGORY_PREFIX + v, n) for v, n in name]
            else:
                options.append((CATEGORY_PREFIX + value, name))
        groups.append((label, options))
    others = [(k, v) for k, v in TopicKind.choices if k != TopicKind.CASE_CATEGORY]
    groups.append((_("Other"), others))
    return [("", "—"), *groups]


class CallForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=LineChannel.choices)
    started_at = forms.DateTimeField(label=_("Started"), widget=LocalDateTimeInput())
    ended_at = forms.DateTimeField(label=_("Ended"), required=False, widget=LocalDateTimeInput())
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[
            ("", "—"),
            *[(code, code.upper() if code != "other" else _("other")) for code in LANGUAGES],
        ],
    )
    caller_kind = forms.ChoiceField(label=_("Who calls"), choices=CallerKind.choices)
    topic = forms.ChoiceField(label=_("Topic"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    case_number = forms.CharField(
        label=_("Case it concerns: number, or search by the child's name"),
        required=False,
        max_length=100,
    )
    callback_due_at = forms.DateTimeField(
        label=_("Call back by"), required=False, widget=LocalDateTimeInput()
    )
    # A new case opened from the call: the caller's facts about the child.
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (if no date of birth)"), required=False, min_value=0, max_value=120
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    last_seen_at = forms.DateTimeField(
        label=_("Last seen (disappearances)"), required=False, widget=LocalDateTimeInput()
    )
    last_seen_place = forms.CharField(
        label=_("Last seen at (place)"), required=False, max_length=200
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices()
        if not self.is_bound:
            self.initial.setdefault("started_at", now_local())

    def topic_values(self) -> tuple[str, str | None, str | None]:
        """(topic kind, category key, sub-kind key) from the combined choice."""
        topic = self.cleaned_data.get("topic") or ""
        if topic.startswith(CATEGORY_PREFIX):
            category, _sep, subkind = topic[len(CATEGORY_PREFIX) :].partition(":")
            return TopicKind.CASE_CATEGORY, category, subkind or None
        return topic, None, None

    def call_values(self) -> dict:
        data = self.cleaned_data
        kind, category, _subkind = self.topic_values()
        return {
            "channel": data["channel"],
            "started_at": data["started_at"],
            "ended_at": data.get("ended_at"),
            "language": data.get("language", ""),
            "caller_kind": data["caller_kind"],
            "topic_kind": kind,
            "topic_category": category,
            "note": data.get("note", ""),
            "callback_due_at": data.get("callback_due_at"),
        }

    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "date_of_birth": data.get("date_of_birth"),
            "estimated_age": data.get("estimated_age"),
            "gender": data.get("gender"),
        }

    def is_exploitation(self, category_key: str | None) -> bool:
        return bool(
            category_key
            and Category.objects.filter(key=category_key, mission="exploitation").exists()
        )
