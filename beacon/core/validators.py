"""Validators shared by every app's forms, API schemas and services."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def reject_control_characters(value: str, *, multiline: bool = True) -> None:
    """Refuse text holding control characters (NUL, escape sequences, bidi overrides...)."""
    for char in value or "":
        if multiline and char in _ALLOWED_CONTROL:
            continue
        category = unicodedata.category(char)
        if category == "Cc" or (category == "Cf" and char not in "\u200d\u200c"):
            raise ValidationError(
                _("Text must not contain control characters (found U+%(code)04X).")
                % {"code": ord(char)},
                code="control_characters",
            )


def reject_control_characters_single_line(value: str) -> None:
    reject_control_characters(value, multiline=False)


def validate_photo(upload) -> None:
    """A photo must be a real, decodable JPEG/PNG/WebP image under the size limit."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)d MB at most).")
            % {"size": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The file is not an image."), code="photo_not_image") from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if image_format not in {"JPEG", "PNG", "WEBP"}:
        raise ValidationError(
            _("The photo must be a JPEG, PNG or WebP image."), code="photo_format"
        )


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 code (two ASCII letters; the caller upper-cases it)."""
    if value and (len(value) != 2 or not value.isalpha() or not value.isascii()):
        raise ValidationError(_("Give a two-letter country code (ISO 3166-1)."), code="country")
