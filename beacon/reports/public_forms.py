"""The public report form: a carrier for what the reporter typed.

Every rule is checked once, by `beacon.reports.intake.report_submit`; the form only renders the
fields, keeps the typed values on a re-render and places the service's messages beside their
fields. No field refuses anything on its own, so a reporter never meets two wordings of one rule.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beacon.reports.choices import WhereSeen
from beacon.reports.intake import OTHER_PLATFORM, PLATFORM_OTHER_MAX
from beacon.reports.models import DESCRIPTION_MAX, Platform

# The hidden field a person never sees and a form-filling robot fills in.
HONEYPOT = "website"
# Service field name -> form field name, for placing messages.
# The service's name of a field, where the form's differs.
SERVICE_ALIASES = {"platform_key": "platform"}


def platform_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("(choose if it applies)"))]
    platforms = list(Platform.objects.filter(active=True))
    choices += [(p.key, p.name) for p in platforms if p.key != OTHER_PLATFORM]
    choices.append((OTHER_PLATFORM, _("another platform (name it below)")))
    return choices


class PublicReportForm(forms.Form):
    urls = forms.CharField(
        label=_("Web addresses (URLs)"),
        help_text=_("One per line, copied from the address bar. At most 50."),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "spellcheck": "false", "autocapitalize": "off", "dir": "ltr"}
        ),
    )
    where_seen = forms.CharField(
        label=_("Where did you see it?"),
        required=False,
        widget=forms.RadioSelect(choices=WhereSeen.choices),
    )
    platform = forms.CharField(
        label=_("Which platform or app?"),
        required=False,
        widget=forms.Select(),
    )
    platform_other = forms.CharField(
        label=_("Name of the other platform"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": PLATFORM_OTHER_MAX}),
    )
    description = forms.CharField(
        label=_("What did you see? (optional)"),
        help_text=_(
            "Describe it in words, without copying or downloading anything. "
            "Do not write your name or anyone else's unless it helps a child."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
    )
    contact_email = forms.CharField(
        label=_("Your e-mail address, to be told the outcome (optional)"),
        help_text=_("Leave it empty to stay completely anonymous."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A callable: read when the form is rendered, so a filed report does not query it.
        self.fields["platform"].widget.choices = platform_choices  # type: ignore[attr-defined]

    @property
    def is_robot(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())

    def submission(self) -> dict:
        """The typed values as `report_submit` takes them (call after is_valid())."""
        data = self.cleaned_data
        return {
            # Blank lines are kept so that a message's line number is the line the reporter sees.
            "urls": (data.get("urls") or "").splitlines(),
            "where_seen": data.get("where_seen") or "",
            "platform_key": data.get("platform") or "",
            "platform_other": data.get("platform_other") or "",
            "description": data.get("description") or "",
            "contact_email": data.get("contact_email") or "",
        }
