"""The demo organisation's network (deterministic: seeded), sized as the annual reports say
(shared/reference/published-figures.json, "network"):

- volunteers: 490 active at the end of 2021, 400 at the end of 2025 (`joined_on`/`left_on`), of
  whom in 2025 320 distribute posters, 44 give school workshops (28 in 2021), 142 staff stands;
  one referent per province; a few without consent on record (never mobilised);
- partners: community guards in 59 municipalities at the end of 2025 (13 joined in 2025),
  digital-screen networks with 25,000 screens, poster partners (31 active in 2021), a transport
  security service, the volunteers' mobile app and the social-media tool (webhooks at .test and
  .invalid addresses), two corporate partners;
- 13,000 followers in the group "running club" (and a few who unsubscribed or have no group).

Names are invented from the demo's lists of given names and made-up surnames; addresses are at
example.org. Everything is written in one transaction; a second run finds it and changes nothing.
"""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from beacon.core.models import Region
from beacon.demo import plan
from beacon.network.models import (
    Follower,
    Municipality,
    Partner,
    PartnerKind,
    ReceiveChannel,
    Volunteer,
    VolunteerRole,
)

SEED = 116_800
RUNNING_CLUB = "running club"
# Volunteers: still active (joined by 2021), left during 2022-2025, joined 2022-2025, and some
# who had left before 2021 (in neither count).
STAYED, LEFT_AFTER_2021, JOINED_AFTER_2021, LEFT_BEFORE_2021 = 340, 150, 60, 25
POSTERS_2025, SCHOOL_2025, SCHOOL_2021, STANDS_2025 = 320, 44, 28, 142
NO_CONSENT = 6
GUARD_MUNICIPALITIES_2025, GUARDS_NEW_2025, GUARDS_ENDED = 59, 13, 3
SCREEN_NETWORKS = {
    "CityScreens Belgium (demo)": 9000,
    "Station displays (demo)": 6500,
    "Retail screen network (demo)": 4200,
    "Pharmacy screens (demo)": 3100,
    "Petrol station screens (demo)": 1400,
    "Campus screens (demo)": 800,
}
POSTER_PARTNERS_2021, POSTER_PARTNERS_ENDED, POSTER_PARTNERS_LATER = 31, 3, 4
FOLLOWERS, FOLLOWERS_UNSUBSCRIBED, FOLLOWERS_NO_GROUP = 13_000, 120, 40
MARK_EMAIL = "app-partner@network.example.org"
FRENCH_REGIONS = {"BE-WBR", "BE-WHT", "BE-WLG", "BE-WLX", "BE-WNA"}
GERMAN_MUNICIPALITIES = {"63023", "63040", "63061", "63067"}


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=zone)


def _surname(rng: random.Random) -> str:
    return rng.choice(plan.SURNAME_STARTS) + rng.choice(plan.SURNAME_ENDS)


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _languages(region: str, municipality: Municipality | None, rng: random.Random) -> list[str]:
    if municipality is not None and municipality.code in GERMAN_MUNICIPALITIES:
        languages = ["de", "fr"]
    elif region == "BE-BRU":
        languages = ["fr", "nl"] if rng.random() < 0.6 else ["nl", "fr"]
    elif region in FRENCH_REGIONS:
        languages = ["fr"]
    else:
        languages = ["nl"]
    if rng.random() < 0.3:
        languages.append("en")
    return languages


def _volunteer_roles() -> list[tuple[list[str], bool]]:
    """Roles of the 400 active at the end of 2025 (the STAYED first, then the JOINED), and
    whether each is one of the 11 referents (the first of the STAYED)."""
    active = STAYED + JOINED_AFTER_2021
    school = set(range(STAYED - (SCHOOL_2021 - 4), STAYED))  # 24 of the stayed
    school |= set(range(STAYED, STAYED + SCHOOL_2025 - len(school)))  # 20 who joined later
    stands = set(range(active - STANDS_2025 - 8, active - 8))
    result = []
    for i in range(active):
        roles = []
        if i < POSTERS_2025:
            roles.append(VolunteerRole.POSTERS.value)
        if i < 40 or i >= active - 8:
            roles.append(VolunteerRole.MOBILE_TEAM.value)
        if i in school:
            roles.append(VolunteerRole.SCHOOL_WORKSHOPS.value)
        if i in stands:
            roles.append(VolunteerRole.STANDS.value)
        result.append((roles, False))
    return result


def _volunteers(rng: random.Random, zone: ZoneInfo, regions: dict[str, Region]) -> list[Volunteer]:
    by_region: dict[str, list[Municipality]] = {}
    for municipality in Municipality.objects.select_related("region").order_by("code"):
        by_region.setdefault(municipality.region.code, []).append(municipality)
    codes = [code for code in plan.REGION_WEIGHTS if code in regions]
    weights = [plan.REGION_WEIGHTS[code] for code in codes]
    volunteers: list[Volunteer] = []
    serial = 0

    def make(roles, joined, left, region_code=None, referent=False, consent=True):
        nonlocal serial
        serial += 1
        region_code = region_code or rng.choices(codes, weights)[0]
        places = by_region.get(region_code, [])
        municipality = rng.choice(places) if places and rng.random() < 0.9 else None
        given = rng.choice(plan.GIVEN_FEMALE if rng.random() < 0.6 else plan.GIVEN_MALE)
        surname = _surname(rng)
        volunteers.append(
            Volunteer(
                first_name=given,
                last_name=surname,
                email=f"{_ascii(given)}.{_ascii(surname)}.{serial}@volunteers.example.org",
                phone=f"+32 470 {serial // 1000:02d} {serial % 1000:03d}",
                languages=_languages(region_code, municipality, rng),
                region=regions[region_code],
                municipality=municipality,
                roles=roles,
                availability=rng.choice(["", "weekends", "evenings", "school holidays", "any"]),
                is_referent=referent,
                consent_given_at=_noon(joined, zone) if consent else None,
                active=left is None,
                joined_on=joined,
                left_on=left,
            )
        )

    plans = _volunteer_roles()
    referent_regions = list(regions)
    consent_missing = set(range(STAYED - 40, STAYED - 40 + NO_CONSENT))
    for i in range(STAYED):
        roles, _referent = plans[i]
        referent = i < len(referent_regions)
        make(
            roles,
            _day(rng, date(2010, 1, 1), date(2021, 11, 30)),
            None,
            region_code=referent_regions[i] if referent else None,
            referent=referent,
            consent=i not in consent_missing,
        )
    for i in range(JOINED_AFTER_2021):
        roles, _referent = plans[STAYED + i]
        make(roles, _day(rng, date(2022, 1, 10), date(2025, 11, 30)), None)
    for i in range(LEFT_AFTER_2021):
        roles = [VolunteerRole.POSTERS.value]
        if i < 4:  # with the 24 who stayed: 28 school-workshop volunteers in 2021
            roles.append(VolunteerRole.SCHOOL_WORKSHOPS.value)
        if i % 5 == 0:
            roles.append(VolunteerRole.STANDS.value)
        make(
            roles,
            _day(rng, date(2012, 1, 1), date(2021, 6, 30)),
            _day(rng, date(2022, 1, 15), date(2025, 11, 30)),
        )
    for _i in range(LEFT_BEFORE_2021):
        make(
            [VolunteerRole.POSTERS.value],
            _day(rng, date(2008, 1, 1), date(2016, 12, 31)),
            _day(rng, date(2017, 1, 1), date(2020, 12, 31)),
        )
    return volunteers


def _partners(rng: random.Random, regions: dict[str, Region]) -> list[Partner]:
    partners: list[Partner] = []
    municipalities = list(Municipality.objects.select_related("region").order_by("code"))
    rng.shuffle(municipalities)
    needed = GUARD_MUNICIPALITIES_2025 + GUARDS_ENDED
    if len(municipalities) < needed:
        raise RuntimeError(
            f"the demo network needs {needed} municipalities; {len(municipalities)} are loaded"
        )
    for i, municipality in enumerate(municipalities[:needed]):
        if i < GUARDS_NEW_2025:
            joined, left = _day(rng, date(2025, 1, 6), date(2025, 11, 28)), None
        elif i < GUARD_MUNICIPALITIES_2025:
            joined, left = _day(rng, date(2014, 1, 1), date(2024, 12, 20)), None
        else:
            joined = _day(rng, date(2014, 1, 1), date(2019, 12, 20))
            left = _day(rng, date(2023, 1, 1), date(2024, 12, 20))
        slug = _ascii(municipality.names.get("en", municipality.code))
        partners.append(
            Partner(
                name=f"Community guards {municipality.names.get('en', municipality.code)} (demo)",
                kind=PartnerKind.COMMUNITY_GUARDS,
                region=municipality.region,
                municipality=municipality,
                contact_name="Service coordinator",
                email=f"guards.{slug}@municipalities.example.org",
                channel=ReceiveChannel.EMAIL,
                # Discrete searches' vignettes go to community guards and transport security.
                receives_discrete=True,
                active=left is None,
                joined_on=joined,
                left_on=left,
            )
        )
    for name, screens in SCREEN_NETWORKS.items():
        partners.append(
            Partner(
                name=name,
                kind=PartnerKind.SCREENS,
                contact_name="Network operations",
                email=f"ops.{_ascii(name)[:30]}@screens.example.org",
                screens=screens,
                joined_on=_day(rng, date(2016, 1, 1), date(2024, 6, 30)),
            )
        )
    region_codes = list(regions)
    total_posters = POSTER_PARTNERS_2021 + POSTER_PARTNERS_LATER
    for i in range(total_posters):
        later = i >= POSTER_PARTNERS_2021
        ended = not later and i >= POSTER_PARTNERS_2021 - POSTER_PARTNERS_ENDED
        joined = (
            _day(rng, date(2022, 2, 1), date(2025, 10, 31))
            if later
            else _day(rng, date(2012, 1, 1), date(2021, 6, 30))
        )
        left = _day(rng, date(2023, 1, 1), date(2025, 6, 30)) if ended else None
        partners.append(
            Partner(
                name=f"Poster partner {i + 1:02d} (demo shop chain)",
                kind=PartnerKind.POSTERS,
                region=regions[region_codes[i % len(region_codes)]],
                contact_name="Store manager",
                email=f"posters{i + 1:02d}@shops.example.org",
                active=left is None,
                joined_on=joined,
                left_on=left,
            )
        )
    partners += [
        Partner(
            name="Rail security service (demo)",
            kind=PartnerKind.TRANSPORT_SECURITY,
            contact_name="Control room",
            email="control-room@rail-security.example.org",
            receives_discrete=True,
            joined_on=date(2015, 3, 1),
        ),
        Partner(
            name="Volunteers' mobile app (demo)",
            kind=PartnerKind.APP,
            contact_name="App team",
            email=MARK_EMAIL,
            channel=ReceiveChannel.WEBHOOK,
            webhook_url="https://volunteers-app.beacon.test/hooks/notices",
            joined_on=date(2020, 9, 1),
        ),
        Partner(
            name="Social-media tool (demo)",
            kind=PartnerKind.SOCIAL_TOOL,
            contact_name="Communication team",
            email="social@communication.example.org",
            channel=ReceiveChannel.WEBHOOK,
            webhook_url="https://social-tool.example.invalid/beacon/notices",
            joined_on=date(2019, 5, 1),
        ),
        Partner(
            name="Parcel delivery company (demo)",
            kind=PartnerKind.CORPORATE,
            contact_name="CSR office",
            email="csr@parcels.example.org",
            joined_on=date(2018, 4, 1),
        ),
        Partner(
            name="Supermarket group (demo)",
            kind=PartnerKind.CORPORATE,
            contact_name="CSR office",
            email="csr@supermarkets.example.org",
            joined_on=date(2021, 10, 1),
        ),
    ]
    return partners


def _followers(rng: random.Random, zone: ZoneInfo) -> list[Follower]:
    followers = []
    languages = ["nl"] * 55 + ["fr"] * 35 + ["en"] * 8 + ["de"] * 2
    start = datetime(2023, 3, 1, 8, 0, tzinfo=zone)
    span = int((datetime(2025, 12, 20, 20, 0, tzinfo=zone) - start).total_seconds())
    # Those who left had left by the end of 2025: 13,000 remain subscribed then.
    last_unsubscribed = datetime(2025, 12, 28, 12, 0, tzinfo=zone)
    for n in range(FOLLOWERS + FOLLOWERS_UNSUBSCRIBED):
        subscribed = start + timedelta(seconds=rng.randrange(span))
        gone = n >= FOLLOWERS
        followers.append(
            Follower(
                group=RUNNING_CLUB,
                channel=ReceiveChannel.EMAIL,
                address=f"runner{n + 1:05d}@club.example.org",
                language=rng.choice(languages),
                active=not gone,
                subscribed_at=subscribed,
                unsubscribed_at=min(
                    subscribed + timedelta(days=rng.randrange(1, 200)), last_unsubscribed
                )
                if gone
                else None,
            )
        )
    for n in range(FOLLOWERS_NO_GROUP):
        followers.append(
            Follower(
                channel=ReceiveChannel.EMAIL,
                address=f"follower{n + 1:03d}@example.org",
                language=rng.choice(languages),
                subscribed_at=_noon(date(2024, 1, 1) + timedelta(days=7 * n), zone),
            )
        )
    return followers


def load_network(out=lambda *_: None) -> bool:
    """Create the demo network unless it is there (its app partner marks it); True if created.
    Needs the regions and the municipalities (loaded after migrate)."""
    if Partner.objects.filter(email=MARK_EMAIL).exists():
        return False
    zone = ZoneInfo(settings.TIME_ZONE)
    regions = {r.code: r for r in Region.objects.order_by("position", "code")}
    rng = random.Random(SEED)
    with transaction.atomic():
        volunteers = _volunteers(rng, zone, regions)
        Volunteer.objects.bulk_create(volunteers, batch_size=1000)
        partners = _partners(rng, regions)
        Partner.objects.bulk_create(partners, batch_size=1000)
        followers = _followers(rng, zone)
        Follower.objects.bulk_create(followers, batch_size=2000)
    out(
        f"network: {len(volunteers)} volunteers, {len(partners)} partners, "
        f"{len(followers)} followers"
    )
    return True
