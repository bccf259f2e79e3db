"""Donors and their gifts: every write (a service: transactional, keyword-only, authorised,
validated field by field before anything is written, audited) and every read (a selector that
checks the permission first).

Donors' data is seen only by finance users and administrators (`funding.view_donor`). A person's
national register number is validated by its check digits, stored encrypted with its last two
digits apart, and shown masked; only the donor's own export (right of access) returns it in full.

Erasing a donor (right to erasure) clears what identifies the person on the donor row, drops
their bank accounts and blanks the bank statement lines' name and account; gifts stay (they are
the organisation's accounting records) and tax certificates stay as issued (the law requires
keeping them).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.audit import audit, audit_view
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.fields import clean_text as _text
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.funding import cleaning
from beacon.funding.models import (
    LANGUAGES,
    Donor,
    DonorAccount,
    DonorKind,
    Frequency,
    Gift,
    GiftMethod,
    GiftNature,
    Mandate,
    SponsorTier,
    StatementLine,
    TaxCertificate,
)

VIEW_DONOR, ADD_DONOR, CHANGE_DONOR = (
    "funding.view_donor",
    "funding.add_donor",
    "funding.change_donor",
)
EXPORT_DONOR, ERASE_DONOR = "funding.export_donor", "funding.erase_donor"
VIEW_GIFT, ADD_GIFT, CHANGE_GIFT = "funding.view_gift", "funding.add_gift", "funding.change_gift"

DONOR_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "company_number",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "language",
    "contact_consent",
    "national_number",
)
# Fields a donor row keeps (the national number is kept as its token and hint).
STORED_FIELDS = tuple(f for f in DONOR_FIELDS if f != "national_number")
PHONE_CHARACTERS = set("0123456789 +-./()")
ZERO = Decimal("0.00")


class DonorChangedError(ConcurrentEditError):
    """Someone saved the donor since it was read (409 in the API)."""

    message = _(
        "Someone else changed this donor since you opened it. Reload it to see their changes, "
        "then apply yours again."
    )


class GiftChangedError(ConcurrentEditError):
    """Someone saved the gift since it was read (409 in the API)."""

    message = _(
        "Someone else changed this gift since you opened it. Reload it to see their changes, "
        "then apply yours again."
    )


# --- shared checks ----------------------------------------------------------------------------


def _bad(errors: FieldErrors, field: str, exc: cleaning.BadValue) -> None:
    errors.add(field, str(exc))


def _save_versioned(model, obj, expected_version: int, values: dict, error) -> None:
    """Optimistic lock: write only if nobody saved the record since `expected_version`."""
    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise error()
    for field, value in values.items():
        setattr(obj, field, value)
    obj.version = expected_version + 1


def _refuse_erased(donor: Donor, field: str = "donor") -> None:
    if donor.erased_at is not None:
        errors = FieldErrors()
        errors.add(field, _("This donor was erased: nothing can be added or changed."))
        errors.raise_if_any()


# --- donors -----------------------------------------------------------------------------------


def _clean_donor(values: dict, *, current: Donor | None) -> dict:
    """Checked values of the given fields (all of them for a new donor), ready to store:
    `national_number` becomes `national_number_encrypted` and `national_number_hint`."""
    unknown = set(values) - set(DONOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown donor fields {sorted(unknown)}")
    errors = FieldErrors()
    new = current is None
    merged: dict = {f: getattr(current, f) for f in STORED_FIELDS} if current else {}
    merged.update(values)
    cleaned: dict = {}

    def given(field: str) -> bool:
        return new or field in values

    kind = merged.get("kind")
    if given("kind") and kind not in DonorKind.values:
        errors.add("kind", _("Choose a person or an organisation."))
    if given("kind"):
        cleaned["kind"] = kind
    if given("first_name"):
        cleaned["first_name"] = _text(
            errors, "first_name", merged.get("first_name"), required=False, max_length=100
        )
    if given("last_name"):
        cleaned["last_name"] = _text(
            errors, "last_name", merged.get("last_name"), required=True, max_length=200
        )
    if given("company_number"):
        cleaned["company_number"] = _text(
            errors, "company_number", merged.get("company_number"), required=False, max_length=16
        )
    for field, max_length in (("street", 200), ("postcode", 12), ("city", 100)):
        if given(field):
            cleaned[field] = _text(
                errors, field, merged.get(field), required=False, max_length=max_length
            )
    if given("country"):
        country = _text(
            errors, "country", merged.get("country") or "BE", required=True, max_length=2
        )
        country = country.upper()
        if country and (len(country) != 2 or not country.isalpha()):
            errors.add("country", _("Enter the two-letter country code, such as BE."))
        cleaned["country"] = country
    if given("email"):
        email = _text(errors, "email", merged.get("email"), required=False, max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.add("email", _("Enter a valid e-mail address, such as name@example.org."))
        cleaned["email"] = email
    if given("phone"):
        phone = _text(errors, "phone", merged.get("phone"), required=False, max_length=32)
        if phone and (set(phone) - PHONE_CHARACTERS or not any(c.isdigit() for c in phone)):
            errors.add("phone", _("Enter a phone number: digits, spaces and + - . / ( )."))
        cleaned["phone"] = phone
    if given("language"):
        language = merged.get("language") or "nl"
        if language not in [code for code, _name in LANGUAGES]:
            errors.add("language", _("Choose Dutch, French, German or English."))
        cleaned["language"] = language
    if given("contact_consent"):
        consent = merged.get("contact_consent")
        if consent is None:
            consent = False
        if not isinstance(consent, bool):
            errors.add("contact_consent", _("Answer yes or no."))
            consent = False
        cleaned["contact_consent"] = consent
        if current is None or consent != current.contact_consent:
            # When consent was given or withdrawn: the proof a contact was allowed.
            cleaned["contact_consent_at"] = timezone.now() if (consent or not new) else None

    number = values.get("national_number")
    if number not in (None, ""):
        if kind != DonorKind.PERSON:
            errors.add("national_number", _("Only a person has a national register number."))
        else:
            try:
                digits = cleaning.validate_national_number(str(number))
            except cleaning.BadValue as exc:
                _bad(errors, "national_number", exc)
            else:
                token, hint = cleaning.encrypt_national_number(digits)
                cleaned["national_number_encrypted"] = token
                cleaned["national_number_hint"] = hint
    elif "national_number" in values and not new:
        # An explicit empty value removes the number on file.
        cleaned["national_number_encrypted"] = None
        cleaned["national_number_hint"] = ""
    if (
        current is not None
        and kind == DonorKind.ORGANISATION
        and current.national_number_hint
        and "national_number_hint" not in cleaned
    ):
        # A donor that becomes an organisation keeps no person's number.
        cleaned["national_number_encrypted"] = None
        cleaned["national_number_hint"] = ""
    errors.raise_if_any()
    return cleaned


def _reference_taken(reference: str) -> bool:
    return Donor.objects.filter(structured_reference=reference).exists()


@transaction.atomic
def donor_create(*, actor, **values) -> Donor:
    """A new donor (`kind` person or organisation, `last_name` required). The donor gets its
    own structured reference: a transfer carrying it is matched to the donor."""
    require(actor, ADD_DONOR)
    cleaned = _clean_donor(values, current=None)
    donor = Donor.objects.create(
        **cleaned,
        structured_reference=cleaning.new_structured_reference(_reference_taken),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=donor, fields=["*"])
    return donor


@transaction.atomic
def donor_update(*, actor, donor_id: int, expected_version: int, **changes) -> Donor:
    """Change the donor's given fields (optimistic-locked). `national_number` "" removes the
    number; a change of `contact_consent` records when (`contact_consent_at`)."""
    require(actor, CHANGE_DONOR)
    donor = Donor.objects.get(pk=donor_id)
    _refuse_erased(donor)
    cleaned = _clean_donor(changes, current=donor)
    changed = {f: v for f, v in cleaned.items() if getattr(donor, f) != v}
    if not changed:
        if donor.version != expected_version:
            raise DonorChangedError()
        return donor
    _save_versioned(Donor, donor, expected_version, changed, DonorChangedError)
    audit(actor=actor, action=AuditAction.UPDATE, obj=donor, fields=changed)
    return donor


@transaction.atomic
def donor_account_add(*, actor, donor_id: int, iban: str) -> DonorAccount:
    """A bank account the donor gives from (transfers from it are matched to the donor)."""
    require(actor, CHANGE_DONOR)
    donor = Donor.objects.get(pk=donor_id)
    _refuse_erased(donor)
    errors = FieldErrors()
    compact = ""
    try:
        compact = cleaning.normalise_iban(iban)
    except cleaning.BadValue as exc:
        _bad(errors, "iban", exc)
    if compact and DonorAccount.objects.filter(donor=donor, iban=compact).exists():
        errors.add("iban", _("This account is already on file for this donor."))
    errors.raise_if_any()
    account = DonorAccount.objects.create(donor=donor, iban=compact)
    audit(actor=actor, action=AuditAction.CREATE, obj=account, fields=["iban"])
    return account


@transaction.atomic
def donor_account_remove(*, actor, account_id: int) -> None:
    require(actor, CHANGE_DONOR)
    account = DonorAccount.objects.select_related("donor").get(pk=account_id)
    _refuse_erased(account.donor)
    audit(actor=actor, action=AuditAction.DELETE, obj=account)
    account.delete()


@transaction.atomic
def mandate_create(
    *,
    actor,
    donor_id: int,
    reference: str,
    amount,
    starts_on,
    frequency: str = Frequency.MONTHLY,
    ends_on=None,
) -> Mandate:
    """A recurring gift (standing order or direct-debit mandate) with its unique reference."""
    require(actor, CHANGE_DONOR)
    donor = Donor.objects.get(pk=donor_id)
    _refuse_erased(donor)
    errors = FieldErrors()
    reference = _text(errors, "reference", reference, required=True, max_length=35)
    if reference and Mandate.objects.filter(reference=reference).exists():
        errors.add("reference", _("Another mandate has this reference."))
    value = None
    try:
        value = cleaning.parse_amount(amount)
    except cleaning.BadValue as exc:
        _bad(errors, "amount", exc)
    if frequency not in Frequency.values:
        errors.add("frequency", _("Choose monthly, quarterly or yearly."))
    first = last = None
    try:
        first = cleaning.parse_day(starts_on, allow_future=True)
    except cleaning.BadValue as exc:
        _bad(errors, "starts_on", exc)
    if ends_on not in (None, ""):
        try:
            last = cleaning.parse_day(ends_on, allow_future=True)
        except cleaning.BadValue as exc:
            _bad(errors, "ends_on", exc)
        if first and last and last < first:
            errors.add("ends_on", _("A mandate cannot end before it starts."))
    errors.raise_if_any()
    assert value is not None and first is not None
    mandate = Mandate.objects.create(
        donor=donor,
        reference=reference,
        amount=value,
        frequency=frequency,
        starts_on=first,
        ends_on=last,
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=mandate, fields=["*"])
    return mandate


# --- gifts ------------------------------------------------------------------------------------


@transaction.atomic
def gift_record(
    *,
    actor,
    donor_id: int,
    amount,
    method: str,
    received_on=None,
    received_at: datetime | None = None,
    nature: str = GiftNature.MONEY,
    mandate_id: int | None = None,
    campaign: str = "",
    legacy: bool = False,
    description: str = "",
    currency: str = "EUR",
) -> Gift:
    """One gift, in euro. `received_at` (aware) gives the moment, and the day is its day in the
    organisation's time zone; otherwise `received_on` is the day. A gift in kind has the method
    "in kind" (and only it has)."""
    require(actor, ADD_GIFT)
    donor = Donor.objects.get(pk=donor_id)
    errors = FieldErrors()
    if donor.erased_at is not None:
        errors.add("donor", _("This donor was erased and cannot receive gifts."))
    currency = str(currency or "").strip().upper()
    if currency != "EUR":
        errors.add(
            "currency",
            _("Only gifts in euro are accepted (got %(currency)s).")
            % {"currency": currency[:8] or "—"},
        )
    value = None
    try:
        value = cleaning.parse_amount(amount)
    except cleaning.BadValue as exc:
        _bad(errors, "amount", exc)
    day: date | None = None
    if received_at is not None:
        if not isinstance(received_at, datetime):
            errors.add("received_at", _("Give the moment with its time zone."))
        else:
            try:
                day = cleaning.parse_day(received_at)
            except cleaning.BadValue as exc:
                _bad(errors, "received_at", exc)
            if day is not None and received_at > timezone.now():
                day = None
                errors.add("received_at", _("This moment is in the future."))
    elif received_on in (None, ""):
        errors.add("received_on", _("Enter the day the gift was received."))
    else:
        try:
            day = cleaning.parse_day(received_on)
        except cleaning.BadValue as exc:
            _bad(errors, "received_on", exc)
    if method not in GiftMethod.values:
        errors.add("method", _("Choose how the gift was given."))
    if nature not in GiftNature.values:
        errors.add("nature", _("Choose money or in kind."))
    elif nature == GiftNature.IN_KIND and method in GiftMethod.values:
        if method != GiftMethod.IN_KIND:
            errors.add("method", _("A gift in kind has the method “in kind”."))
    elif nature == GiftNature.MONEY and method == GiftMethod.IN_KIND:
        errors.add("method", _("A gift of money cannot have the method “in kind”."))
    mandate = None
    if mandate_id is not None:
        mandate = Mandate.objects.filter(pk=mandate_id, donor=donor).first()
        if mandate is None:
            errors.add("mandate", _("This donor has no such mandate."))
    campaign = _text(errors, "campaign", campaign, required=False, max_length=100)
    description = _text(errors, "description", description, required=False, max_length=300)
    if not isinstance(legacy, bool):
        errors.add("legacy", _("Answer yes or no."))
    errors.raise_if_any()
    assert value is not None and day is not None
    gift = Gift.objects.create(
        donor=donor,
        received_on=day,
        received_at=received_at,
        amount=value,
        method=method,
        nature=nature,
        mandate=mandate,
        campaign=campaign,
        legacy=legacy,
        description=description,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=gift, fields=["*"])
    return gift


@transaction.atomic
def gift_refund(*, actor, gift_id: int, expected_version: int, refunded_on, reason: str) -> Gift:
    """The gift was paid back: it stays on record, out of the deductible total from then on
    (a certificate already issued is corrected by the next run)."""
    require(actor, CHANGE_GIFT)
    gift = Gift.objects.get(pk=gift_id)
    errors = FieldErrors()
    if gift.refunded_on is not None:
        errors.add(
            "refunded_on",
            _("This gift was already refunded on %(day)s.") % {"day": gift.refunded_on},
        )
    day = None
    try:
        day = cleaning.parse_day(refunded_on)
    except cleaning.BadValue as exc:
        _bad(errors, "refunded_on", exc)
    if day is not None and day < gift.received_on:
        errors.add("refunded_on", _("A gift cannot be refunded before it was received."))
    reason = _text(errors, "reason", reason, required=True, max_length=200)
    errors.raise_if_any()
    _save_versioned(
        Gift,
        gift,
        expected_version,
        {"refunded_on": day, "refund_reason": reason},
        GiftChangedError,
    )
    audit(actor=actor, action=AuditAction.UPDATE, obj=gift, fields=["refunded_on", "reason"])
    return gift


# --- right of access and right to erasure -----------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def donor_export(*, actor, donor_id: int) -> dict:
    """Everything kept about the donor, as JSON-ready values: details (with the full national
    register number: it is the donor's own), accounts, mandates, gifts and tax certificates."""
    require(actor, EXPORT_DONOR)
    with transaction.atomic():
        donor = Donor.objects.get(pk=donor_id)
        number = cleaning.decrypt_national_number(donor.national_number_encrypted)
        details = {
            "id": donor.pk,
            "kind": donor.kind,
            "first_name": donor.first_name,
            "last_name": donor.last_name,
            "company_number": donor.company_number,
            "street": donor.street,
            "postcode": donor.postcode,
            "city": donor.city,
            "country": donor.country,
            "email": donor.email,
            "phone": donor.phone,
            "language": donor.language,
            "contact_consent": donor.contact_consent,
            "contact_consent_at": _moment(donor.contact_consent_at),
            "national_number": cleaning.format_national_number(number) if number else "",
            "structured_reference": cleaning.format_structured_reference(
                donor.structured_reference
            ),
            "created_at": _moment(donor.created_at),
            "erased_at": _moment(donor.erased_at),
        }
        export = {
            "exported_at": timezone.now().isoformat(),
            "donor": details,
            "accounts": [
                {"iban": a.iban, "added_at": _moment(a.created_at)}
                for a in donor.accounts.order_by("iban")
            ],
            "mandates": [
                {
                    "reference": m.reference,
                    "amount_eur": _money(m.amount),
                    "frequency": m.frequency,
                    "starts_on": _day(m.starts_on),
                    "ends_on": _day(m.ends_on),
                }
                for m in donor.mandates.order_by("starts_on", "id")
            ],
            "gifts": [
                {
                    "id": g.pk,
                    "received_on": _day(g.received_on),
                    "amount_eur": _money(g.amount),
                    "method": g.method,
                    "nature": g.nature,
                    "mandate": g.mandate.reference if g.mandate else None,
                    "campaign": g.campaign,
                    "legacy": g.legacy,
                    "description": g.description,
                    "refunded_on": _day(g.refunded_on),
                    "refund_reason": g.refund_reason,
                }
                for g in donor.gifts.select_related("mandate").order_by("received_on", "id")
            ],
            "certificates": [
                {
                    "year": c.year,
                    "number": c.reference,
                    "kind": c.kind,
                    "draft": c.draft,
                    "amount_eur": _money(c.amount),
                    "issued_at": _moment(c.issued_at),
                }
                for c in donor.certificates.order_by("year", "number", "id")
            ],
        }
        audit(actor=actor, action=AuditAction.EXPORT, obj=donor)
    return export


def erased_name(donor_id: int) -> str:
    # Stored data, not interface text: the same in every language.
    return f"erased donor #{donor_id}"


@transaction.atomic
def donor_erase(*, actor, donor_id: int, expected_version: int) -> Donor:
    """Erase what identifies the donor. Cleared: names, address, e-mail, phone, company number,
    national number, consent; the bank accounts are deleted and bank statement lines from the
    donor lose the name and account. Kept: the gifts (accounting records, linked to the erased
    donor only), the mandates (their reference is the organisation's) and the tax certificates
    as issued (the law requires keeping them)."""
    require(actor, ERASE_DONOR)
    donor = Donor.objects.select_for_update().get(pk=donor_id)
    if donor.erased_at is not None:
        errors = FieldErrors()
        errors.add(
            "donor",
            _("This donor was already erased on %(day)s.")
            % {"day": timezone.localtime(donor.erased_at).date()},
        )
        errors.raise_if_any()
    ibans = list(donor.accounts.values_list("iban", flat=True))
    values = {
        "first_name": "",
        "last_name": erased_name(donor.pk),
        "company_number": "",
        "street": "",
        "postcode": "",
        "city": "",
        "country": "",
        "email": "",
        "phone": "",
        "contact_consent": False,
        "contact_consent_at": None,
        "national_number_encrypted": None,
        "national_number_hint": "",
        "erased_at": timezone.now(),
    }
    _save_versioned(Donor, donor, expected_version, values, DonorChangedError)
    lines = StatementLine.objects.filter(Q(donor=donor) | Q(counterparty_iban__in=ibans))
    blanked = lines.update(counterparty_name="", counterparty_iban="")
    donor.accounts.all().delete()
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        obj=donor,
        fields=[
            *values,
            *(["accounts"] if ibans else []),
            *(["statement_lines"] if blanked else []),
        ],
    )
    return donor


# --- reads ------------------------------------------------------------------------------------


def donors_list(*, user, query: str = "", kind: str = "") -> QuerySet[Donor]:
    """Donors by name; `query` searches names, e-mail and the structured reference (with or
    without its +++ / signs)."""
    require(user, VIEW_DONOR)
    donors = Donor.objects.all()
    if kind:
        donors = donors.filter(kind=kind)
    query = (query or "").strip()
    if query:
        match = Q(first_name__icontains=query) | Q(last_name__icontains=query)
        match |= Q(email__icontains=query)
        digits = "".join(c for c in query if c.isdigit())
        if digits and not set(query) - set("0123456789+/ "):
            match |= Q(structured_reference__contains=digits)
        donors = donors.filter(match)
    return donors.order_by("last_name", "first_name", "id")


def donor_get(*, user, pk: int, audited: bool = True) -> Donor:
    """One donor (Donor.DoesNotExist when there is none); the read is audited."""
    require(user, VIEW_DONOR)
    donor = Donor.objects.get(pk=pk)
    if audited:
        audit_view(actor=user, obj=donor)
    return donor


def donor_gifts(*, user, donor_id: int, year: int | None = None) -> QuerySet[Gift]:
    """The donor's gifts, newest first, with their mandate (one query)."""
    require(user, VIEW_GIFT)
    gifts = Gift.objects.filter(donor_id=donor_id).select_related("mandate")
    if year is not None:
        first, last = cleaning.year_days(year)
        gifts = gifts.filter(received_on__gte=first, received_on__lte=last)
    return gifts.order_by("-received_on", "-id")


def gift_get(*, user, pk: int) -> Gift:
    require(user, VIEW_GIFT)
    return Gift.objects.select_related("donor", "mandate").get(pk=pk)


def donor_year_totals(*, user, donor_id: int) -> list[dict]:
    """Per year, newest first: gifts counted, the total (refunds excluded), of which in kind,
    and what was refunded. One query."""
    require(user, VIEW_GIFT)
    kept = Q(refunded_on__isnull=True)
    rows = (
        Gift.objects.filter(donor_id=donor_id)
        .annotate(year=ExtractYear("received_on"))
        .values("year")
        .annotate(
            gifts=Count("id", filter=kept),
            total=Coalesce(Sum("amount", filter=kept), Value(ZERO), output_field=_amount()),
            in_kind=Coalesce(
                Sum("amount", filter=kept & Q(nature=GiftNature.IN_KIND)),
                Value(ZERO),
                output_field=_amount(),
            ),
            refunded=Coalesce(
                Sum("amount", filter=Q(refunded_on__isnull=False)),
                Value(ZERO),
                output_field=_amount(),
            ),
        )
        .order_by("-year")
    )
    # SQLite sums decimals as floats: give every total its two decimals back.
    return [
        {**row, **{k: _cents(row[k]) for k in ("total", "in_kind", "refunded")}} for row in rows
    ]


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(cleaning.CENT)


def donor_accounts(*, user, donor_id: int) -> QuerySet[DonorAccount]:
    require(user, VIEW_DONOR)
    return DonorAccount.objects.filter(donor_id=donor_id).order_by("iban")


def donor_mandates(*, user, donor_id: int) -> QuerySet[Mandate]:
    require(user, VIEW_DONOR)
    return Mandate.objects.filter(donor_id=donor_id).order_by("-starts_on", "id")


def donor_certificates(*, user, donor_id: int) -> QuerySet[TaxCertificate]:
    require(user, VIEW_DONOR)
    return TaxCertificate.objects.filter(donor_id=donor_id).order_by("-year", "-id")


# --- partners' tiers --------------------------------------------------------------------------


def _amount() -> DecimalField:
    return DecimalField(max_digits=14, decimal_places=2)


@dataclass
class PartnerTier:
    """An organisation's gifts in a year and the tier they reach (None: under every tier)."""

    donor: Donor
    total: Decimal
    in_kind: Decimal
    tier: SponsorTier | None

    @property
    def tier_name(self) -> str:
        return tier_name(self.tier)


def tier_name(tier: SponsorTier | None, language: str | None = None) -> str:
    if tier is None:
        return ""
    from django.utils.translation import get_language

    language = (language or get_language() or "en")[:2]
    return tier.names.get(language) or tier.names.get("en") or tier.code


def tiers_of_year(year: int) -> list[SponsorTier]:
    return list(
        SponsorTier.objects.filter(first_year__lte=year)
        .filter(Q(last_year__isnull=True) | Q(last_year__gte=year))
        .order_by("minimum_eur")
    )


def tier_for(total: Decimal, tiers: list[SponsorTier]) -> SponsorTier | None:
    """The tier whose range holds the total: minimum included, maximum excluded."""
    for tier in tiers:
        if total >= tier.minimum_eur and (tier.maximum_eur is None or total < tier.maximum_eur):
            return tier
    return None


def _organisation_totals(year: int) -> QuerySet[Donor]:
    first, last = cleaning.year_days(year)
    in_year = Q(
        gifts__received_on__gte=first,
        gifts__received_on__lte=last,
        gifts__refunded_on__isnull=True,
    )
    return (
        Donor.objects.filter(kind=DonorKind.ORGANISATION)
        .annotate(
            year_total=Coalesce(
                Sum("gifts__amount", filter=in_year), Value(ZERO), output_field=_amount()
            ),
            year_in_kind=Coalesce(
                Sum("gifts__amount", filter=in_year & Q(gifts__nature=GiftNature.IN_KIND)),
                Value(ZERO),
                output_field=_amount(),
            ),
        )
        .filter(year_total__gt=0)
    )


def _year_total(donor: Donor) -> Decimal:
    return _cents(getattr(donor, "year_total", ZERO))


def partner_tiers(*, user, year: int) -> list[PartnerTier]:
    """Organisations that gave in the year (money and in kind, refunds excluded), largest
    first, each with its tier. One query for the totals, one for the tiers."""
    require(user, VIEW_DONOR)
    tiers = tiers_of_year(year)
    donors = _organisation_totals(year).order_by("-year_total", "last_name", "id")
    return [
        PartnerTier(
            donor=donor,
            total=_year_total(donor),
            in_kind=_cents(getattr(donor, "year_in_kind", ZERO)),
            tier=tier_for(_year_total(donor), tiers),
        )
        for donor in donors
    ]


def donor_tier(*, user, donor: Donor, year: int) -> PartnerTier | None:
    """The organisation's tier in the year (None for a person)."""
    require(user, VIEW_DONOR)
    if donor.kind != DonorKind.ORGANISATION:
        return None
    found = _organisation_totals(year).filter(pk=donor.pk).first()
    total = _year_total(found) if found else ZERO
    in_kind = _cents(getattr(found, "year_in_kind", ZERO))
    return PartnerTier(
        donor=donor, total=total, in_kind=in_kind, tier=tier_for(total, tiers_of_year(year))
    )
