"""Reading one field of a service's input, errors collected in FieldErrors under the field's
name: the checks every app's services share."""

from django.utils.translation import gettext as _

from beacon.core.errors import FieldErrors
from beacon.core.validators import reject_control_characters_single_line


def clean_text(
    errors: FieldErrors, field: str, value, *, required: bool, max_length: int = 200
) -> str:
    """One line of text: stripped; required or not; at most `max_length` characters; no
    control characters (a right-to-left override, a NUL, a line break)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    elif len(value) > max_length:
        errors.add(
            field,
            _("At most %(max)d characters (it has %(n)d).") % {"max": max_length, "n": len(value)},
        )
    errors.run(field, reject_control_characters_single_line, value)
    return value
