"""Who a search notice mobilises: system reads for the mobilisation adapters (no user involved;
the adapters run in the publishing task). The staff's reads are in beacon.network.selectors."""

from django.db.models import Q, QuerySet

from beacon.network.models import Follower, Partner, PartnerKind, Volunteer, VolunteerRole

# Volunteers a notice calls on: those who put up posters and the mobile team.
MOBILISED_ROLES = (VolunteerRole.POSTERS, VolunteerRole.MOBILE_TEAM)
# Partners that receive notices (screens poll the feed; the social tool gets the social package).
MOBILISED_PARTNER_KINDS = (
    PartnerKind.POSTERS,
    PartnerKind.COMMUNITY_GUARDS,
    PartnerKind.TRANSPORT_SECURITY,
    PartnerKind.CORPORATE,
    PartnerKind.APP,
)


def _area(region_id: int | None, municipality_ids: list[int]) -> Q:
    """Those of the municipalities when some are named, else of the province; nothing when
    neither is known."""
    if municipality_ids:
        return Q(municipality_id__in=municipality_ids)
    if region_id is not None:
        return Q(region_id=region_id)
    return Q(pk__in=[])


def mobilisation_volunteers(
    *, region_id: int | None, municipality_ids: list[int]
) -> QuerySet[Volunteer]:
    """Active volunteers with consent on record and an e-mail address: those whose roles include
    poster distribution or the mobile team, in the area (a notice narrowed to municipalities also
    reaches the province's volunteers with no municipality on record), and the province's
    referents whatever their roles."""
    base = Volunteer.objects.filter(active=True, consent_given_at__isnull=False).exclude(email="")
    area = _area(region_id, municipality_ids)
    if municipality_ids and region_id is not None:
        area |= Q(region_id=region_id, municipality__isnull=True)
    referents = Q(region_id=region_id, is_referent=True) if region_id is not None else Q(pk__in=[])
    # Roles are a JSON list; SQLite has no JSON containment, so the few hundred candidates of an
    # area are filtered here, the same on every database.
    ids = [
        volunteer_id
        for volunteer_id, roles, referent in base.filter(area | referents).values_list(
            "id", "roles", "is_referent"
        )
        if referent or set(roles or []) & set(MOBILISED_ROLES)
    ]
    return Volunteer.objects.filter(pk__in=ids).order_by("id")


def mobilisation_partners(
    *, region_id: int | None, municipality_ids: list[int], discrete: bool
) -> QuerySet[Partner]:
    """Active partners that receive notices, national ones and those of the area; for a discrete
    notice only the partners trusted with discrete notices."""
    partners = Partner.objects.filter(active=True, kind__in=MOBILISED_PARTNER_KINDS).filter(
        Q(region__isnull=True, municipality__isnull=True)
        | _area(region_id, municipality_ids)
        | (
            Q(region_id=region_id, municipality__isnull=True)
            if region_id is not None
            else Q(pk__in=[])
        )
    )
    if discrete:
        partners = partners.filter(receives_discrete=True)
    return partners.order_by("id")


def mobilisation_followers(*, region_id: int | None) -> QuerySet[Follower]:
    """Active followers of the whole country and of the notice's province."""
    area = Q(region__isnull=True)
    if region_id is not None:
        area |= Q(region_id=region_id)
    return Follower.objects.filter(area, active=True).order_by("id")
