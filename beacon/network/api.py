"""The network's endpoints (mounted at /network): volunteers, partners, followers, counts per
province and the municipalities.

Permissions are the services' and selectors' own: network.view_volunteer to read volunteers
(volunteer coordinators only; reading one is audited), add/change_volunteer to keep them; the
same for partners and followers. Errors as everywhere (beacon/api.py): 403 audited, 404, 409 on a
stale version, 422 naming the field.
"""

from ninja import Query, Router, Schema, Status

from beacon.core.api import error_responses
from beacon.network import selectors, services
from beacon.network.models import Follower, Partner, Volunteer
from beacon.network.schemas import (
    FollowerIn,
    FollowerOut,
    FollowerPageOut,
    MunicipalityOut,
    PartnerIn,
    PartnerOut,
    PartnerUpdateIn,
    ProvinceCountOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerUpdateIn,
)

router = Router(tags=["network"])

MAX_LIMIT = 500


def volunteer_out(volunteer: Volunteer) -> dict:
    return {
        "id": volunteer.pk,
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "email": volunteer.email,
        "phone": volunteer.phone,
        "languages": volunteer.languages,
        "region": volunteer.region.code,
        "municipality": volunteer.municipality.code if volunteer.municipality else None,
        "roles": volunteer.roles,
        "availability": volunteer.availability,
        "is_referent": volunteer.is_referent,
        "consent_given_at": volunteer.consent_given_at,
        "active": volunteer.active,
        "joined_on": volunteer.joined_on,
        "left_on": volunteer.left_on,
        "version": volunteer.version,
    }


def partner_out(partner: Partner) -> dict:
    return {
        "id": partner.pk,
        "name": partner.name,
        "kind": partner.kind,
        "region": partner.region.code if partner.region else None,
        "municipality": partner.municipality.code if partner.municipality else None,
        "contact_name": partner.contact_name,
        "email": partner.email,
        "channel": partner.channel,
        "webhook_url": partner.webhook_url,
        "screens": partner.screens,
        "receives_discrete": partner.receives_discrete,
        "active": partner.active,
        "joined_on": partner.joined_on,
        "left_on": partner.left_on,
        "version": partner.version,
    }


def follower_out(follower: Follower) -> dict:
    return {
        "id": follower.pk,
        "address": follower.address,
        "channel": follower.channel,
        "group": follower.group,
        "region": follower.region.code if follower.region else None,
        "language": follower.language,
        "active": follower.active,
        "subscribed_at": follower.subscribed_at,
        "unsubscribed_at": follower.unsubscribed_at,
    }


class VolunteerQuery(Schema):
    region: str = ""
    municipality: str = ""
    role: str = ""
    active: bool | None = True
    q: str = ""


class PartnerQuery(Schema):
    kind: str = ""
    region: str = ""
    municipality: str = ""
    active: bool | None = True
    q: str = ""


class FollowerQuery(Schema):
    q: str = ""
    group: str = ""
    channel: str = ""
    active: bool | None = True
    limit: int = 100
    offset: int = 0


def _changes(payload: Schema) -> tuple[int, dict]:
    data = payload.dict(exclude_unset=True)
    return data.pop("version"), data


# --- volunteers -------------------------------------------------------------------------------


@router.get(
    "/volunteers",
    response={200: list[VolunteerOut], **error_responses(403)},
    summary="Volunteers, filtered",
)
def list_volunteers(request, filters: Query[VolunteerQuery]):
    """Volunteers by name: active ones (`active=false`: those who left). Coordinators only."""
    volunteers = selectors.volunteers_list(
        user=request.user, filters=selectors.VolunteerFilters(**filters.dict())
    )
    return [volunteer_out(v) for v in volunteers]


@router.post(
    "/volunteers",
    response={201: VolunteerOut, **error_responses(403, 422)},
    summary="Add a volunteer",
)
def create_volunteer(request, payload: VolunteerIn):
    volunteer = services.volunteer_create(actor=request.user, **payload.dict())
    return Status(201, volunteer_out(volunteer))


@router.get(
    "/volunteers/provinces",
    response={200: list[ProvinceCountOut], **error_responses(403)},
    summary="Active volunteers per province",
)
def volunteers_per_province(request):
    """No personal data: readable by anyone who may see part of the network."""
    return [
        {**row, "region": row["region"].code}
        for row in selectors.volunteer_counts_by_province(user=request.user)
    ]


@router.get(
    "/volunteers/{volunteer_id}",
    response={200: VolunteerOut, **error_responses(403, 404)},
    summary="One volunteer (audited read)",
)
def get_volunteer(request, volunteer_id: int):
    return volunteer_out(selectors.volunteer_get(user=request.user, pk=volunteer_id))


@router.patch(
    "/volunteers/{volunteer_id}",
    response={200: VolunteerOut, **error_responses(403, 404, 409, 422)},
    summary="Change a volunteer",
)
def update_volunteer(request, volunteer_id: int, payload: VolunteerUpdateIn):
    version, changes = _changes(payload)
    volunteer = services.volunteer_update(
        actor=request.user, volunteer_id=volunteer_id, expected_version=version, **changes
    )
    return volunteer_out(volunteer)


# --- partners ---------------------------------------------------------------------------------


@router.get(
    "/partners", response={200: list[PartnerOut], **error_responses(403)}, summary="Partners"
)
def list_partners(request, filters: Query[PartnerQuery]):
    partners = selectors.partners_list(
        user=request.user, filters=selectors.PartnerFilters(**filters.dict())
    )
    return [partner_out(p) for p in partners]


@router.post(
    "/partners", response={201: PartnerOut, **error_responses(403, 422)}, summary="Add a partner"
)
def create_partner(request, payload: PartnerIn):
    partner = services.partner_create(actor=request.user, **payload.dict())
    return Status(201, partner_out(partner))


@router.get(
    "/partners/{partner_id}",
    response={200: PartnerOut, **error_responses(403, 404)},
    summary="One partner",
)
def get_partner(request, partner_id: int):
    return partner_out(selectors.partner_get(user=request.user, pk=partner_id))


@router.patch(
    "/partners/{partner_id}",
    response={200: PartnerOut, **error_responses(403, 404, 409, 422)},
    summary="Change a partner",
)
def update_partner(request, partner_id: int, payload: PartnerUpdateIn):
    version, changes = _changes(payload)
    partner = services.partner_update(
        actor=request.user, partner_id=partner_id, expected_version=version, **changes
    )
    return partner_out(partner)


# --- followers --------------------------------------------------------------------------------


@router.get(
    "/followers",
    response={200: FollowerPageOut, **error_responses(403, 422)},
    summary="Followers, newest first",
)
def list_followers(request, filters: Query[FollowerQuery]):
    """`q` searches the address. Paged by `limit` (at most 500) and `offset`."""
    from beacon.core.api import query_error

    if not 1 <= filters.limit <= MAX_LIMIT:
        raise query_error("limit", f"1 to {MAX_LIMIT}.")
    if filters.offset < 0:
        raise query_error("offset", "0 or more.")
    values = filters.dict()
    limit, offset = values.pop("limit"), values.pop("offset")
    followers = selectors.followers_list(
        user=request.user, filters=selectors.FollowerFilters(**values)
    )
    return {
        "count": followers.count(),
        "items": [follower_out(f) for f in followers[offset : offset + limit]],
    }


@router.post(
    "/followers",
    response={201: FollowerOut, **error_responses(403, 422)},
    summary="Subscribe an address",
)
def subscribe_follower(request, payload: FollowerIn):
    follower = services.follower_subscribe(actor=request.user, **payload.dict())
    return Status(201, follower_out(follower))


@router.post(
    "/followers/{follower_id}/unsubscribe",
    response={200: FollowerOut, **error_responses(403, 404)},
    summary="Unsubscribe a follower",
)
def unsubscribe_follower(request, follower_id: int):
    """Safe to repeat: an unsubscribed follower stays unsubscribed."""
    return follower_out(services.follower_unsubscribe(actor=request.user, follower_id=follower_id))


# --- reference --------------------------------------------------------------------------------


@router.get(
    "/municipalities",
    response={200: list[MunicipalityOut], **error_responses(403)},
    summary="Municipalities",
)
def list_municipalities(request, region: str = ""):
    """Reference data: code (NIS), name in your language, names, province code."""
    return [
        {"code": m.code, "name": m.name, "names": m.names, "region": m.region.code}
        for m in selectors.municipalities_list(user=request.user, region=region)
    ]
