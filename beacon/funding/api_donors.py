"""The API of funding: donors (mounted under /api/v1/funding by beacon/funding/api.py).

Donors, their gifts and refunds, partners' tiers, the right of access (export) and the right to
erasure. Permissions are the services' and selectors' own (finance users and administrators);
errors as everywhere (beacon/api.py): 403 audited, 404, 409 on a stale version, 422 naming the
field. The national register number is never returned, except in the donor's own export.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from beacon.core.api import error_responses
from beacon.funding import cleaning
from beacon.funding import donors as service
from beacon.funding.models import Donor, DonorKind, Gift, GiftMethod, GiftNature

router = Router(tags=["funding: donors"])

MAX_LIMIT = 500


def _enum(values) -> dict:
    return {"enum": list(values)}


# --- schemas ----------------------------------------------------------------------------------


class DonorIn(Schema):
    """A new donor. `national_number` only for a person (11 digits, checked); stored encrypted
    and never returned (only masked)."""

    kind: str = Field(json_schema_extra=_enum(DonorKind.values))
    first_name: str = ""
    last_name: str
    company_number: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "BE"
    email: str = ""
    phone: str = ""
    language: str = Field("nl", json_schema_extra=_enum(["nl", "fr", "de", "en"]))
    contact_consent: bool = False
    national_number: str = ""


class DonorUpdateIn(Schema):
    """A change: only the fields sent change. `national_number: ""` removes the number."""

    version: int = Field(description="The donor's `version` as read; 409 when it changed.")
    kind: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_number: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    contact_consent: bool | None = None
    national_number: str | None = None


class DonorOut(Schema):
    id: int
    kind: str
    first_name: str
    last_name: str
    company_number: str
    street: str
    postcode: str
    city: str
    country: str
    email: str
    phone: str
    language: str
    contact_consent: bool
    contact_consent_at: datetime | None
    national_number_masked: str = Field(description="e.g. ••.••.••-•••.45; never in full.")
    structured_reference: str = Field(description="+++123/4567/89002+++")
    erased_at: datetime | None
    version: int


class GiftIn(Schema):
    """A gift in euro. Give `received_on` (the day) or `received_at` (the moment, with its time
    zone: the day is taken in Europe/Brussels). A gift in kind has method `in_kind`."""

    amount: Decimal | str = Field(description="More than zero, at most two decimals.")
    currency: str = "EUR"
    received_on: date | None = None
    received_at: datetime | None = None
    method: str = Field(json_schema_extra=_enum(GiftMethod.values))
    nature: str = Field(GiftNature.MONEY, json_schema_extra=_enum(GiftNature.values))
    mandate_id: int | None = None
    campaign: str = ""
    legacy: bool = False
    description: str = ""


class GiftOut(Schema):
    id: int
    donor_id: int
    received_on: date
    received_at: datetime | None
    amount: Decimal
    method: str
    nature: str
    mandate_id: int | None
    campaign: str
    legacy: bool
    description: str
    refunded_on: date | None
    refund_reason: str
    version: int


class RefundIn(Schema):
    version: int = Field(description="The gift's `version` as read; 409 when it changed.")
    refunded_on: date
    reason: str


class EraseIn(Schema):
    version: int = Field(description="The donor's `version` as read; 409 when it changed.")


class TierOut(Schema):
    donor_id: int
    name: str
    total_eur: Decimal
    in_kind_eur: Decimal
    tier: str | None = Field(description="The tier's code (bronze, silver...), or null.")
    tier_name: str


class DonorQuery(Schema):
    q: str = ""
    kind: str = Field("", json_schema_extra=_enum(["", *DonorKind.values]))
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class GiftQuery(Schema):
    year: int | None = None


class TierQuery(Schema):
    year: int = Field(default_factory=lambda: timezone.localdate().year, ge=1900, le=9999)


def donor_out(donor: Donor) -> dict:
    return {
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
        "contact_consent_at": donor.contact_consent_at,
        "national_number_masked": donor.national_number_masked,
        "structured_reference": cleaning.format_structured_reference(donor.structured_reference),
        "erased_at": donor.erased_at,
        "version": donor.version,
    }


def gift_out(gift: Gift) -> dict:
    return {
        "id": gift.pk,
        "donor_id": gift.donor_id,
        "received_on": gift.received_on,
        "received_at": gift.received_at,
        "amount": gift.amount,
        "method": gift.method,
        "nature": gift.nature,
        "mandate_id": gift.mandate_id,
        "campaign": gift.campaign,
        "legacy": gift.legacy,
        "description": gift.description,
        "refunded_on": gift.refunded_on,
        "refund_reason": gift.refund_reason,
        "version": gift.version,
    }


# --- endpoints --------------------------------------------------------------------------------


@router.get(
    "/donors",
    response={200: list[DonorOut], **error_responses(403)},
    summary="Donors, searched",
)
def list_donors(request, filters: Query[DonorQuery]):
    """Donors by name; `q` searches names, e-mail and the structured reference."""
    donors = service.donors_list(user=request.user, query=filters.q, kind=filters.kind)
    return [donor_out(d) for d in donors[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/donors", response={201: DonorOut, **error_responses(403, 422)}, summary="Add a donor"
)
def create_donor(request, payload: DonorIn):
    donor = service.donor_create(actor=request.user, **payload.dict())
    return Status(201, donor_out(donor))


@router.get(
    "/donors/{donor_id}",
    response={200: DonorOut, **error_responses(403, 404)},
    summary="One donor (audited)",
)
def get_donor(request, donor_id: int):
    return donor_out(service.donor_get(user=request.user, pk=donor_id))


@router.patch(
    "/donors/{donor_id}",
    response={200: DonorOut, **error_responses(403, 404, 409, 422)},
    summary="Change a donor",
)
def update_donor(request, donor_id: int, payload: DonorUpdateIn):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    # null means "not sent": no field of a donor is set to null.
    data = {k: v for k, v in data.items() if v is not None}
    donor = service.donor_update(
        actor=request.user, donor_id=donor_id, expected_version=version, **data
    )
    return donor_out(donor)


@router.get(
    "/donors/{donor_id}/gifts",
    response={200: list[GiftOut], **error_responses(403, 404)},
    summary="A donor's gifts",
)
def list_gifts(request, donor_id: int, filters: Query[GiftQuery]):
    donor = service.donor_get(user=request.user, pk=donor_id, audited=False)
    gifts = service.donor_gifts(user=request.user, donor_id=donor.pk, year=filters.year)
    return [gift_out(g) for g in gifts]


@router.post(
    "/donors/{donor_id}/gifts",
    response={201: GiftOut, **error_responses(403, 404, 422)},
    summary="Record a gift",
)
def record_gift(request, donor_id: int, payload: GiftIn):
    gift = service.gift_record(actor=request.user, donor_id=donor_id, **payload.dict())
    return Status(201, gift_out(gift))


@router.post(
    "/gifts/{gift_id}/refund",
    response={200: GiftOut, **error_responses(403, 404, 409, 422)},
    summary="Record a gift's refund",
)
def refund_gift(request, gift_id: int, payload: RefundIn):
    gift = service.gift_refund(
        actor=request.user,
        gift_id=gift_id,
        expected_version=payload.version,
        refunded_on=payload.refunded_on,
        reason=payload.reason,
    )
    return gift_out(gift)


@router.get(
    "/donors/{donor_id}/export",
    response={200: dict, **error_responses(403, 404)},
    summary="Everything kept about a donor (right of access; audited)",
)
def export_donor(request, donor_id: int):
    """Details (with the full national register number: the donor's own data), accounts,
    mandates, gifts and tax certificates."""
    return service.donor_export(actor=request.user, donor_id=donor_id)


@router.post(
    "/donors/{donor_id}/erase",
    response={200: DonorOut, **error_responses(403, 404, 409, 422)},
    summary="Erase a donor (right to erasure)",
)
def erase_donor(request, donor_id: int, payload: EraseIn):
    """Names, address, contacts and numbers are cleared and bank accounts deleted; gifts and
    tax certificates stay (the law requires keeping the certificate data)."""
    donor = service.donor_erase(
        actor=request.user, donor_id=donor_id, expected_version=payload.version
    )
    return donor_out(donor)


@router.get(
    "/tiers",
    response={200: list[TierOut], **error_responses(403, 422)},
    summary="Corporate partners' tiers of a year",
)
def partner_tiers(request, filters: Query[TierQuery]):
    rows = service.partner_tiers(user=request.user, year=filters.year)
    return [
        {
            "donor_id": row.donor.pk,
            "name": row.donor.display_name,
            "total_eur": row.total,
            "in_kind_eur": row.in_kind,
            "tier": row.tier.code if row.tier else None,
            "tier_name": row.tier_name,
        }
        for row in rows
    ]
