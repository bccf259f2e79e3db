"""Reading the values funding receives (forms, API, bank files, imports) into what it stores,
each with one clear message when the value is wrong. Shared by donors, gifts, bank statements,
certificates and the accounts, so an amount or an IBAN is read the same way everywhere.
"""

import secrets
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.be import nn as stdnum_nn
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumError

from beacon.core import crypto

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


class BadValue(ValueError):
    """A value that cannot be read; the message says why, in the user's language."""


def parse_amount(value, *, currency: str = "EUR", allow_negative: bool = False) -> Decimal:
    """An amount in euro with at most two decimals: "12.50", "12,50", 12.5 or Decimal.
    Zero, negatives (unless allowed), text and other currencies are refused."""
    if currency and str(currency).strip().upper() != "EUR":
        raise BadValue(
            _("Only amounts in euro are accepted (got %(currency)s).") % {"currency": currency}
        )
    if isinstance(value, bool) or value is None:
        raise BadValue(_("Enter an amount."))
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not an amount.") % {"value": str(value)[:40]}) from None
    if not amount.is_finite():
        raise BadValue(_("“%(value)s” is not an amount.") % {"value": str(value)[:40]})
    if amount != amount.quantize(CENT):
        raise BadValue(_("An amount has at most two decimals."))
    amount = amount.quantize(CENT)
    if abs(amount) > MAX_AMOUNT:
        raise BadValue(_("This amount is too large."))
    if not allow_negative and amount <= 0:
        raise BadValue(_("The amount must be more than zero."))
    return amount


def today_local() -> date:
    return timezone.localdate()


def local_day(moment: datetime) -> date:
    """The day a moment falls on in the organisation's time zone (aware datetimes only)."""
    if timezone.is_naive(moment):
        raise BadValue(_("Give the time with its time zone."))
    return timezone.localtime(moment).date()


def parse_day(value, *, allow_future: bool = False) -> date:
    """A day: a date, an ISO date string, or an aware datetime (its day in the organisation's
    time zone). Days in the future are refused unless allowed."""
    if isinstance(value, datetime):
        day = local_day(value)
    elif isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        try:
            if "T" in text or " " in text:
                day = local_day(datetime.fromisoformat(text))
            else:
                day = date.fromisoformat(text)
        except ValueError:
            raise BadValue(
                _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text[:40]}
            ) from None
    if not allow_future and day > today_local():
        raise BadValue(_("This date is in the future."))
    return day


def normalise_iban(value: str) -> str:
    """The IBAN in its compact form (no spaces, upper case), checked by its check digits."""
    try:
        return stdnum_iban.validate(str(value or ""))
    except StdnumError:
        raise BadValue(_("“%(value)s” is not a valid IBAN.") % {"value": str(value)[:40]}) from None


def validate_national_number(value: str) -> str:
    """The 11 digits of a Belgian national register number, checked by its check digits
    (both the before-2000 and from-2000 forms)."""
    try:
        return stdnum_nn.validate(str(value or ""))
    except StdnumError:
        raise BadValue(_("This national register number is not valid (check digits).")) from None


def encrypt_national_number(digits: str) -> tuple[bytes, str]:
    """The stored form: the Fernet token, and the last two digits to show it masked."""
    return crypto.encrypt(digits.encode()), digits[-2:]


def decrypt_national_number(token) -> str:
    if not token:
        return ""
    return crypto.decrypt(token).decode()


def format_national_number(digits: str) -> str:
    """`85.07.30-033.28`, the way it is printed on a certificate."""
    if len(digits) != 11:
        return digits
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:11]}"


def parse_structured_reference(value: str) -> str:
    """The 12 digits of a Belgian structured communication (+++123/4567/89002+++), or "" when
    the text is not one (or its check digits are wrong)."""
    try:
        return ogm_vcs.validate(str(value or "").strip())
    except StdnumError:
        return ""


def new_structured_reference(taken) -> str:
    """A fresh, valid structured reference; `taken(reference)` tells whether one is in use."""
    while True:
        base = f"{secrets.randbelow(10**10):010d}"
        reference = base + ogm_vcs.calc_check_digits(base)
        if not taken(reference):
            return reference


def format_structured_reference(digits: str) -> str:
    return f"+++{ogm_vcs.format(digits)}+++" if digits else ""


def year_days(year: int) -> tuple[date, date]:
    """The first and last day of a calendar year (days are already local: see Gift.received_on)."""
    return date(year, 1, 1), date(year, 12, 31)


def deductible_gifts_q(year: int, *, rules: dict | None = None) -> Q:
    """The gifts that count towards a year's certificate, by the settings' rules
    (TAX_CERTIFICATE_RULES): received in the year, of a deductible nature, not refunded,
    legacies only if the rules include them."""
    from django.conf import settings

    rules = rules if rules is not None else settings.TAX_CERTIFICATE_RULES
    first, last = year_days(year)
    q = Q(received_on__gte=first, received_on__lte=last, refunded_on__isnull=True)
    q &= Q(nature__in=list(rules.get("natures", ["money"])))
    if not rules.get("include_legacies", False):
        q &= Q(legacy=False)
    return q
