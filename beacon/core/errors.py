"""Errors that services raise and every surface (UI, API, CLI) translates the same way."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(Exception):
    """Someone saved the record since it was loaded: the caller must reload and redo."""

    message = _(
        "Someone else changed this case since you opened it. Reload it to see their changes, "
        "then apply yours again."
    )


class FieldErrors:
    """Collects field-level messages and raises them together as one ValidationError."""

    def __init__(self) -> None:
        self.errors: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(message)

    def run(self, field: str, validator, value) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(
                {k: [ValidationError(str(m)) for m in v] for k, v in self.errors.items()}
            )
