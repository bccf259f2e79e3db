"""Putting a service's field errors onto a form, so the UI shows them where they belong."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """Field messages go under their field; messages for fields the form lacks go on top."""
    aliases = aliases or {}
    for field, messages in error.message_dict.items():
        target = aliases.get(field, field)
        for message in messages:
            if target in form.fields:
                form.add_error(target, message)
            else:
                form.add_error(None, f"{field}: {message}" if field != "__all__" else message)
