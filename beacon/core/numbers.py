"""The organisation's public numbers, as every public surface prints them (posters, pages, feeds,
messages): one reading of the profile and one way of writing them."""

from dataclasses import dataclass

from beacon.core.models import Organisation


@dataclass(frozen=True)
class PublicNumbers:
    hotline: str  # the missing-children hotline (116000 in the EU)
    tip_line: str  # tips and information (116800 in Belgium)


def public_numbers(organisation: Organisation | None = None) -> PublicNumbers:
    """The numbers of the organisation's profile: named by role (the reference file), or by the
    number itself (older profiles); the European numbers when the profile has none."""
    if organisation is None:
        organisation = Organisation.objects.first() or Organisation()
    numbers = organisation.phone_numbers or {}
    return PublicNumbers(
        hotline=numbers.get("missing_children_hotline") or numbers.get("116000") or "116000",
        tip_line=numbers.get("tip_line") or numbers.get("116800") or "116800",
    )


def phone_display(number: str) -> str:
    """A six-digit European harmonised number as people read it: 116000 -> "116 000"."""
    digits = number.replace(" ", "")
    if len(digits) == 6 and digits.isdigit():
        return f"{digits[:3]} {digits[3:]}"
    return number
