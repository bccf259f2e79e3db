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


def act_on_form(request, form: forms.Form, call, *, done: str, success, failure):
    """Run one service on a valid form: `success()` (a redirect) with the message `done`, or
    `failure(form)` with the service's errors on the form. A stale version is told on top of the
    form, which keeps the user's input."""
    from django.contrib import messages

    from beacon.core.errors import ConcurrentEditError

    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return success()
    return failure(form)
