"""The staff's reads of the network, filtered by permission.

A volunteer's personal data (name, contact details, availability) is read only with
`network.view_volunteer` (volunteer coordinators); reading one volunteer's page is audited.
Followers are an address each: `network.view_follower`. Partners are organisations:
`network.view_partner`. Counts per province carry no personal data: any of the three suffices.
The mobilisation adapters' system reads are in beacon.network.mobilisation.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum

from beacon.core.audit import audit_view
from beacon.core.models import Region
from beacon.core.permissions import require
from beacon.network.models import Follower, Municipality, Partner, Volunteer

VIEW_VOLUNTEER = "network.view_volunteer"
VIEW_PARTNER = "network.view_partner"
VIEW_FOLLOWER = "network.view_follower"
VIEW_MUNICIPALITY = "network.view_municipality"
NETWORK_VIEW_PERMISSIONS = (VIEW_VOLUNTEER, VIEW_PARTNER, VIEW_FOLLOWER)


def can_view_network(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and any(user.has_perm(p) for p in NETWORK_VIEW_PERMISSIONS)
    )


def require_network(user) -> None:
    if not can_view_network(user):
        raise PermissionDenied(VIEW_VOLUNTEER)


@dataclass
class VolunteerFilters:
    """The volunteer list's filters; empty values filter nothing. `active` None: both."""

    region: str = ""
    municipality: str = ""
    role: str = ""
    active: bool | None = True
    q: str = ""


def _has_role(volunteers: QuerySet[Volunteer], role: str) -> QuerySet[Volunteer]:
    from django.db import connection

    if connection.features.supports_json_field_contains:
        return volunteers.filter(roles__contains=[role])
    # SQLite has no JSON containment; the JSON text holds the quoted value exactly when the
    # list does (role values are plain words).
    return volunteers.filter(roles__icontains=f'"{role}"')


def volunteers_list(*, user, filters: VolunteerFilters | None = None) -> QuerySet[Volunteer]:
    """Volunteers by name, with province and municipality (one query)."""
    require(user, VIEW_VOLUNTEER)
    filters = filters or VolunteerFilters()
    volunteers = Volunteer.objects.select_related("region", "municipality")
    if filters.region:
        volunteers = volunteers.filter(region__code=filters.region)
    if filters.municipality:
        volunteers = volunteers.filter(municipality__code=filters.municipality)
    if filters.role:
        volunteers = _has_role(volunteers, filters.role)
    if filters.active is not None:
        volunteers = volunteers.filter(active=filters.active)
    query = filters.q.strip()
    if query:
        volunteers = volunteers.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return volunteers.order_by("last_name", "first_name", "id")


def volunteer_get(*, user, pk: int, audited: bool = True) -> Volunteer:
    """One volunteer (Volunteer.DoesNotExist when there is none); the read is audited."""
    require(user, VIEW_VOLUNTEER)
    volunteer = Volunteer.objects.select_related("region", "municipality").get(pk=pk)
    if audited:
        audit_view(actor=user, obj=volunteer)
    return volunteer


def volunteer_counts_by_province(*, user) -> list[dict]:
    """Per province (every region, in its order): active volunteers, those with consent on
    record, and whether it has an active referent. One query; no personal data."""
    require_network(user)
    rows = {
        row["region_id"]: row
        for row in Volunteer.objects.filter(active=True)
        .values("region_id")
        .annotate(
            active=Count("id"),
            with_consent=Count("id", filter=Q(consent_given_at__isnull=False)),
            referents=Count("id", filter=Q(is_referent=True)),
        )
        .order_by()
    }
    counts = []
    for region in Region.objects.order_by("position", "code"):
        row = rows.get(region.pk, {})
        counts.append(
            {
                "region": region,
                "active": row.get("active", 0),
                "with_consent": row.get("with_consent", 0),
                "has_referent": bool(row.get("referents")),
            }
        )
    return counts


@dataclass
class PartnerFilters:
    kind: str = ""
    region: str = ""
    municipality: str = ""
    active: bool | None = True
    q: str = ""


def partners_list(*, user, filters: PartnerFilters | None = None) -> QuerySet[Partner]:
    require(user, VIEW_PARTNER)
    filters = filters or PartnerFilters()
    partners = Partner.objects.select_related("region", "municipality")
    if filters.kind:
        partners = partners.filter(kind=filters.kind)
    if filters.region:
        partners = partners.filter(region__code=filters.region)
    if filters.municipality:
        partners = partners.filter(municipality__code=filters.municipality)
    if filters.active is not None:
        partners = partners.filter(active=filters.active)
    if filters.q.strip():
        partners = partners.filter(name__icontains=filters.q.strip())
    return partners.order_by("name", "id")


def partner_get(*, user, pk: int) -> Partner:
    require(user, VIEW_PARTNER)
    return Partner.objects.select_related("region", "municipality").get(pk=pk)


def partner_counts(*, user) -> dict:
    """Active partners per kind, and the screens of active screen networks."""
    require(user, VIEW_PARTNER)
    per_kind = dict(
        Partner.objects.filter(active=True).values_list("kind").annotate(n=Count("id")).order_by()
    )
    screens = Partner.objects.filter(active=True).aggregate(n=Sum("screens"))["n"] or 0
    return {"per_kind": per_kind, "screens": screens}


@dataclass
class FollowerFilters:
    q: str = ""
    group: str = ""
    channel: str = ""
    active: bool | None = True


def followers_list(*, user, filters: FollowerFilters | None = None) -> QuerySet[Follower]:
    """Followers, newest first; `q` searches the address (contains, any case)."""
    require(user, VIEW_FOLLOWER)
    filters = filters or FollowerFilters()
    followers = Follower.objects.select_related("region")
    if filters.q.strip():
        followers = followers.filter(address__icontains=filters.q.strip())
    if filters.group:
        followers = followers.filter(group=filters.group)
    if filters.channel:
        followers = followers.filter(channel=filters.channel)
    if filters.active is not None:
        followers = followers.filter(active=filters.active)
    return followers.order_by("-id")


def follower_get(*, user, pk: int) -> Follower:
    require(user, VIEW_FOLLOWER)
    return Follower.objects.select_related("region").get(pk=pk)


def follower_counts(*, user) -> dict:
    """Active followers in total, per group and per channel (two grouped queries)."""
    require(user, VIEW_FOLLOWER)
    active = Follower.objects.filter(active=True)
    per_group = dict(active.values_list("group").annotate(n=Count("id")).order_by("group"))
    per_channel = dict(active.values_list("channel").annotate(n=Count("id")).order_by())
    return {"total": sum(per_group.values()), "per_group": per_group, "per_channel": per_channel}


def municipalities_list(*, user=None, region: str = "") -> QuerySet[Municipality]:
    """Reference data: every municipality (optionally of one province), by name of code."""
    if user is not None:
        require(user, VIEW_MUNICIPALITY)
    municipalities = Municipality.objects.select_related("region")
    if region:
        municipalities = municipalities.filter(region__code=region)
    return municipalities.order_by("code")
