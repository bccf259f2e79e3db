"""Input and output schemas of the network's API (separate: clients never send what they read).

Choice fields are documented as enums but checked by the services, so a wrong value answers the
same message in the API as in the staff pages. Provinces and municipalities are given by code
(core.Region code such as BE-VAN; the municipality's NIS code).
"""

from datetime import date, datetime

from ninja import Field, Schema

from beacon.network.models import PartnerKind, ReceiveChannel, VolunteerRole


def _enum(values) -> dict:
    return {"enum": list(values)}


# --- inputs ------------------------------------------------------------------------------------


class VolunteerIn(Schema):
    """A new volunteer. Without `consent_given_at` the volunteer is never mobilised."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    languages: list[str] = Field(
        default_factory=list, description="Language codes: nl, fr, en, de."
    )
    region: str = Field(description="Province code, e.g. BE-VAN.")
    municipality: str | None = Field(None, description="NIS code; implies the province.")
    roles: list[str] = Field(
        default_factory=list, json_schema_extra={"items": _enum(VolunteerRole.values)}
    )
    availability: str = ""
    is_referent: bool = False
    consent_given_at: datetime | None = Field(
        None, description="When consent was given (with a time zone)."
    )
    active: bool = True
    joined_on: date | None = None


class VolunteerUpdateIn(Schema):
    """A change: only the fields sent change. `consent_given_at: null` records a withdrawal;
    `active: false` a deactivation (left today)."""

    version: int = Field(description="The volunteer's `version` as read; 409 when it changed.")
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    languages: list[str] | None = None
    region: str | None = None
    municipality: str | None = None
    roles: list[str] | None = None
    availability: str | None = None
    is_referent: bool | None = None
    consent_given_at: datetime | None = None
    active: bool | None = None
    joined_on: date | None = None


class PartnerIn(Schema):
    """A new partner. `channel` email needs `email`; webhook needs an http(s) `webhook_url`.
    No province nor municipality: the whole country. Community guards name their municipality."""

    name: str
    kind: str = Field(json_schema_extra=_enum(PartnerKind.values))
    region: str | None = None
    municipality: str | None = None
    contact_name: str = ""
    email: str = ""
    channel: str = Field(ReceiveChannel.EMAIL, json_schema_extra=_enum(ReceiveChannel.values))
    webhook_url: str = ""
    screens: int = Field(0, description="Digital-screen networks only: how many screens.")
    receives_discrete: bool = False
    active: bool = True
    joined_on: date | None = None


class PartnerUpdateIn(Schema):
    """A change of a partner: only the fields sent change."""

    version: int
    name: str | None = None
    kind: str | None = Field(None, json_schema_extra=_enum(PartnerKind.values))
    region: str | None = None
    municipality: str | None = None
    contact_name: str | None = None
    email: str | None = None
    channel: str | None = Field(None, json_schema_extra=_enum(ReceiveChannel.values))
    webhook_url: str | None = None
    screens: int | None = None
    receives_discrete: bool | None = None
    active: bool | None = None
    joined_on: date | None = None


class FollowerIn(Schema):
    """Subscribe an address: an e-mail address (channel email) or an http(s) URL (webhook).
    An address already subscribed answers 422."""

    address: str
    channel: str = Field(ReceiveChannel.EMAIL, json_schema_extra=_enum(ReceiveChannel.values))
    group: str = ""
    region: str | None = Field(None, description="Province code; none: the whole country.")
    language: str = ""


# --- outputs -----------------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    languages: list[str]
    region: str
    municipality: str | None
    roles: list[str]
    availability: str
    is_referent: bool
    consent_given_at: datetime | None
    active: bool
    joined_on: date
    left_on: date | None
    version: int


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    region: str | None
    municipality: str | None
    contact_name: str
    email: str
    channel: str
    webhook_url: str
    screens: int
    receives_discrete: bool
    active: bool
    joined_on: date
    left_on: date | None
    version: int


class FollowerOut(Schema):
    id: int
    address: str
    channel: str
    group: str
    region: str | None
    language: str
    active: bool
    subscribed_at: datetime
    unsubscribed_at: datetime | None


class FollowerPageOut(Schema):
    """`count` followers match; `items` from `offset`, at most `limit`."""

    count: int
    items: list[FollowerOut]


class ProvinceCountOut(Schema):
    region: str
    active: int
    with_consent: int
    has_referent: bool


class MunicipalityOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    region: str
