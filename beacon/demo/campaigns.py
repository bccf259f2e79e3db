"""The demo's search campaigns: synthetic notices on the demo's missing-child cases, shaped so
that `search_campaigns` (beacon.figures.campaigns) computes the published values from them.

What is invented here is the *input* (how many notices, on which channels, what the social tool
reported back); the figures are computed from the records. Published (2019-2021 counts, 2021
app activations, poster partners, Facebook reach and interactions, 2025 views and shares,
volunteer campaigns and screen activations) are met exactly; the other years get plausible
invented numbers.

Each notice is on a case of its year, published a few hours after the case was opened and while
it was open, with the authority's agreement and a second person's approval on record; it is
withdrawn when its case closed (channels withdrawn, as the withdrawal service leaves them). A few
long-term notices on cases still open stay published (still missing) with a generated photo and
page and feed renditions, so the public pages and feeds show something. One 2021 notice is about
a case opened on the last days of 2020: the 2021 report's reach total and its average per
disappearance are not a whole number of notices apart, and the average is taken per case of the
year (see beacon.figures.campaigns).

The rows are written in bulk, like the rest of the demo (the demo is not a user); the load's
audit record, written last, marks it done.
"""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beacon.alerts.adapters.feed import FEED_PHOTO_SIZE
from beacon.alerts.adapters.page import PAGE_PHOTO_SIZE
from beacon.alerts.choices import (
    Channel,
    ChannelStatus,
    NoticeKind,
    NoticeStatus,
    RenditionKind,
    StatNetwork,
    StatSource,
)
from beacon.alerts.models import (
    ChannelStat,
    NoticeChannel,
    NoticePhoto,
    Recipient,
    RecipientKind,
    SearchNotice,
    new_public_id,
)
from beacon.cases.choices import CaseStatus, Mission
from beacon.cases.models import Case
from beacon.core.audit import audit
from beacon.core.models import AuditAction, AuditRecord
from beacon.network.models import Partner, PartnerKind

SEED = 116_001
LOAD_OBJECT_TYPE, LOAD_OBJECT_ID = "demo.campaigns", "2019-2025"

# (public, discrete) notices published per year; 2019-2021 as the 2021 report, the rest invented.
CAMPAIGNS = {
    2019: (72, 43),
    2020: (57, 29),
    2021: (56, 17),
    2022: (58, 21),
    2023: (61, 19),
    2024: (64, 22),
    2025: (66, 20),
}
# Public notices that called on the poster volunteers (2021: 25, 2025: 9 as published).
VOLUNTEER_CAMPAIGNS = {2019: 31, 2020: 18, 2021: 25, 2022: 16, 2023: 14, 2024: 12, 2025: 9}
# Public notices on the screens' feed (2025: 35 as published).
SCREEN_CAMPAIGNS = {2022: 12, 2023: 21, 2024: 28, 2025: 35}
# Poster partners reached in 2021: every one of the 31 once, 8 of them twice (39 times).
POSTER_PARTNERS_2021, POSTER_PARTNER_TIMES_2021 = 31, 39
# Long-term notices still published: one on an open case of each of these years.
STILL_MISSING_YEARS = (2019, 2021, 2023)
# Facebook figures fixed by the reports. Reach and interactions per disappearance are per case
# opened in the year; 2021's totals are per notice published in 2021.
REACH_AVG = {2020: 501_301, 2021: 572_617}
INTERACTIONS_AVG = {2020: 41_801, 2021: 36_368}
REACH_TOTAL_2021, INTERACTIONS_TOTAL_2021 = 36_515_902, 2_408_284
VIEWS_FB_IG_2025, SHARES_FB_2025 = 7_180_091, 117_058
LANGUAGES = ["nl", "fr", "en"]
# A notice goes out a few hours after the report: its case was still open this long after.
STILL_OPEN = timedelta(hours=12)

HEIGHTS = ["1.45", "1.52", "1.58", "1.63", "1.70", "1.76"]
HAIR = {
    "nl": ["kort bruin haar", "lang blond haar", "zwart krullend haar", "rood haar in een staart"],
    "fr": [
        "cheveux bruns courts",
        "longs cheveux blonds",
        "cheveux noirs bouclés",
        "cheveux roux attachés",
    ],
    "en": ["short brown hair", "long blond hair", "curly black hair", "red hair in a ponytail"],
}
CLOTHES = {
    "nl": ["blauwe jas en jeans", "grijze hoodie", "zwarte trainingsbroek en witte sneakers"],
    "fr": ["veste bleue et jean", "sweat à capuche gris", "jogging noir et baskets blanches"],
    "en": ["blue jacket and jeans", "grey hoodie", "black tracksuit and white sneakers"],
}
LAST_SEEN = {"nl": "Gezien met", "fr": "Porte", "en": "Wearing"}


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` in `parts` positive, uneven shares that add up exactly."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(parts)]
    scale = sum(weights)
    shares = [max(1, int(total * w / scale)) for w in weights]
    shares[shares.index(max(shares))] += total - sum(shares)
    return shares


def _description(rng: random.Random) -> dict[str, str]:
    height, hair, clothes = (
        rng.choice(HEIGHTS),
        rng.randrange(len(HAIR["en"])),
        rng.randrange(len(CLOTHES["en"])),
    )
    texts = {}
    for language in LANGUAGES:
        metre = height.replace(".", ",") if language != "en" else height
        texts[language] = (
            f"{metre} m, {HAIR[language][hair]}. "
            f"{LAST_SEEN[language]} {CLOTHES[language][clothes]}."
        )
    return texts


class CampaignDemo:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
        self.preparer = users.get("demo-casemanager")
        self.approver = users.get("demo-teamlead")
        self.app = Partner.objects.filter(kind=PartnerKind.APP).order_by("joined_on", "id").first()
        self.used: set[int] = set()

    # --- choosing the cases ----------------------------------------------------------------------

    def _bounds(self, year: int) -> tuple[datetime, datetime]:
        return datetime(year, 1, 1, tzinfo=self.zone), datetime(year + 1, 1, 1, tzinfo=self.zone)

    def candidates(self, year: int, *, open_only: bool = False) -> list[Case]:
        start, end = self._bounds(year)
        cases = Case.objects.filter(
            mission=Mission.MISSING, opened_at__gte=start, opened_at__lt=end - timedelta(days=1)
        ).select_related("person")
        if open_only:
            cases = cases.filter(status=CaseStatus.OPEN)
        # Still open some hours after it was reported: time for a notice to go out.
        found = [
            c
            for c in cases.order_by("opened_at", "id")
            if c.pk not in self.used
            and (open_only or c.closed_at is None or c.closed_at > c.opened_at + STILL_OPEN)
        ]
        self.rng.shuffle(found)
        # Public notices are for worrying disappearances first.
        found.sort(key=lambda c: not c.worrying)
        return found

    def take(self, cases: list[Case]) -> Case:
        # A list made before a later take (a long-term notice's open case) may hold a used case:
        # one case, one notice.
        case = cases.pop(0)
        while case.pk in self.used:
            case = cases.pop(0)
        self.used.add(case.pk)
        return case

    def year_end_case(self, year: int) -> Case:
        """A case opened in the last days of `year`, still open on 2 January of the next."""
        end = datetime(year + 1, 1, 1, tzinfo=self.zone)
        cases = Case.objects.filter(
            mission=Mission.MISSING,
            opened_at__gte=end - timedelta(days=4),
            opened_at__lt=end - timedelta(hours=6),
        ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=end + timedelta(days=2)))
        cases = cases.exclude(pk__in=self.used)
        case = cases.select_related("person").order_by("-worrying", "opened_at", "id").first()
        assert case is not None, f"no demo case open across the end of {year}"
        self.used.add(case.pk)
        return case

    # --- the notices -----------------------------------------------------------------------------

    def notice(
        self,
        case: Case,
        *,
        kind: str,
        channels: list[str],
        published_at: datetime,
        still_missing: bool = False,
    ) -> SearchNotice:
        live = still_missing
        withdrawn_at = None
        reason = ""
        if not live:
            if case.closed_at is not None and case.closed_at > published_at:
                withdrawn_at = case.closed_at
                reason = f"case closed: {case.outcome or 'closed'}"
            else:
                # Open case: withdrawn on the authority's request after some weeks.
                withdrawn_at = published_at + timedelta(days=self.rng.randint(14, 60))
                reason = "withdrawn at the investigating authority's request"
            withdrawn_at = min(withdrawn_at, self.now)
        age = case.age_at_disappearance
        agreed = published_at - timedelta(minutes=self.rng.randint(40, 180))
        return SearchNotice(
            case=case,
            public_id=new_public_id(),
            kind=kind,
            status=NoticeStatus.PUBLISHED if live else NoticeStatus.WITHDRAWN,
            channels=channels,
            languages=LANGUAGES,
            display_name=case.person.first_name,
            age=age,
            description=_description(self.rng),
            last_seen_at=case.last_seen_at,
            last_seen_place=case.last_seen_place,
            region_id=case.region_id,
            still_missing=still_missing,
            authority_name="Federal police, Missing Persons Unit (demo)",
            authority_agreed_by="Magistrate on duty (demo)",
            authority_agreed_at=agreed,
            authority_recorded_by=self.preparer,
            parents_informed_at=agreed if age is None or age < 18 else None,
            parents_informed_recorded_by=self.preparer if age is None or age < 18 else None,
            created_by=self.preparer,
            created_at=agreed - timedelta(minutes=30),
            submitted_by=self.preparer,
            submitted_at=agreed + timedelta(minutes=5),
            approved_by=self.approver,
            approved_at=published_at - timedelta(minutes=10),
            published_by=self.preparer,
            published_at=published_at,
            withdrawn_by=None if live else self.preparer,
            withdrawn_at=withdrawn_at,
            withdrawal_reason=reason,
            updated_at=withdrawn_at or published_at,
            version=5 if live else 6,
        )

    def published_at(self, case: Case, year: int) -> datetime:
        hours = self.rng.uniform(2, 10)
        moment = case.opened_at + timedelta(hours=hours)
        if case.closed_at is not None:
            moment = min(moment, case.closed_at - timedelta(hours=1))
        return max(moment, case.opened_at + timedelta(minutes=30))

    def plan_year(self, year: int) -> list[SearchNotice]:
        public, discrete = CAMPAIGNS[year]
        notices: list[SearchNotice] = []
        public_cases = self.candidates(year)
        volunteers = VOLUNTEER_CAMPAIGNS.get(year, 0)
        screens = SCREEN_CAMPAIGNS.get(year, 0)
        for index in range(public):
            channels: list[str] = [Channel.PAGE, Channel.POSTER, Channel.SOCIAL, Channel.PARTNERS]
            if index < volunteers:
                channels.append(Channel.VOLUNTEERS)
            if index < screens:
                channels.append(Channel.FEED)
            long_term = year in STILL_MISSING_YEARS and index == 0
            if long_term and Channel.FEED not in channels:
                channels.append(Channel.FEED)
            if long_term:
                case = self.take(self.candidates(year, open_only=True))
                moment = self.published_at(case, year)
            elif year == 2021 and index == public - 1:
                # Published on 2 January 2021 about a case opened at the end of 2020.
                case = self.year_end_case(2020)
                moment = datetime(2021, 1, 2, 9, 30, tzinfo=self.zone)
            else:
                case = self.take(public_cases)
                moment = self.published_at(case, year)
            notices.append(
                self.notice(
                    case,
                    kind=NoticeKind.PUBLIC,
                    channels=channels,
                    published_at=moment,
                    still_missing=long_term,
                )
            )
        discrete_cases = [c for c in self.candidates(year) if not c.worrying] or public_cases
        for _index in range(discrete):
            case = self.take(discrete_cases)
            notices.append(
                self.notice(
                    case,
                    kind=NoticeKind.DISCRETE,
                    channels=[Channel.VIGNETTE, Channel.PARTNERS],
                    published_at=self.published_at(case, year),
                )
            )
        return notices

    # --- what follows a notice -------------------------------------------------------------------

    def channel_rows(self, notices: list[SearchNotice]) -> list[NoticeChannel]:
        rows = []
        for notice in notices:
            assert notice.published_at is not None
            for channel in notice.channels:
                out = notice.published_at + timedelta(minutes=self.rng.randint(1, 4))
                rows.append(
                    NoticeChannel(
                        notice=notice,
                        channel=channel,
                        status=ChannelStatus.PUBLISHED
                        if notice.withdrawn_at is None
                        else ChannelStatus.WITHDRAWN,
                        published_at=out,
                        withdrawal_started_at=notice.withdrawn_at,
                        withdrawn_at=notice.withdrawn_at + timedelta(seconds=40)
                        if notice.withdrawn_at
                        else None,
                    )
                )
        return rows

    def recipients(self, notices: list[SearchNotice]) -> list[Recipient]:
        """The app for every public notice once it existed; the poster partners in 2021."""
        rows = []
        app = self.app
        for notice in notices:
            assert notice.published_at is not None
            day = timezone.localtime(notice.published_at).date()
            if notice.kind == NoticeKind.PUBLIC and app is not None and day >= app.joined_on:
                rows.append(self._recipient(notice, app))
        rows += self.poster_partners_2021(notices)
        return rows

    def _recipient(self, notice: SearchNotice, partner: Partner) -> Recipient:
        assert notice.published_at is not None
        sent = notice.published_at + timedelta(minutes=self.rng.randint(1, 5))
        confirmed = sent + timedelta(minutes=self.rng.randint(3, 240))
        return Recipient(
            notice=notice,
            channel=Channel.PARTNERS,
            kind=RecipientKind.PARTNER,
            partner=partner,
            confirmed_at=confirmed if self.rng.random() < 0.8 else None,
            created_at=sent,
        )

    def poster_partners_2021(self, notices: list[SearchNotice]) -> list[Recipient]:
        start, end = self._bounds(2021)
        partners = list(
            Partner.objects.filter(kind=PartnerKind.POSTERS, joined_on__lt=date(2021, 7, 1))
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=date(2022, 1, 1)))
            .order_by("joined_on", "id")[:POSTER_PARTNERS_2021]
        )
        # After 1 July every one of them had joined; the most worrying public notices first.
        late = [
            n
            for n in notices
            if n.kind == NoticeKind.PUBLIC
            and n.published_at is not None
            and datetime(2021, 7, 1, tzinfo=self.zone) <= n.published_at < end
        ]
        if not partners or not late:
            return []
        rows = [self._recipient(late[i % len(late)], p) for i, p in enumerate(partners)]
        # Some partners a second time, for the next notice (one partner at most once a notice).
        repeats = partners[: POSTER_PARTNER_TIMES_2021 - len(partners)]
        rows += [self._recipient(late[(i + 1) % len(late)], p) for i, p in enumerate(repeats)]
        return rows

    def stats(self, by_year: dict[int, list[SearchNotice]]) -> list[ChannelStat]:
        rows = []
        reach: dict[int, int] = {}
        interactions: dict[int, int] = {}
        # Reach and interactions: fixed sums per group where the reports fix them.
        cross = by_year[2021][CAMPAIGNS[2021][0] - 1]  # the 2021 notice on a 2020 case
        public = {
            year: [n for n in notices if n.kind == NoticeKind.PUBLIC]
            for year, notices in by_year.items()
        }
        groups: list[tuple[list[SearchNotice], int | None, int | None]] = []
        same_2021 = [n for n in public[2021] if n is not cross]
        groups.append(
            (
                same_2021,
                REACH_AVG[2021] * len(same_2021),
                INTERACTIONS_AVG[2021] * len(same_2021),
            )
        )
        cross_reach = REACH_TOTAL_2021 - REACH_AVG[2021] * len(same_2021)
        cross_interactions = INTERACTIONS_TOTAL_2021 - INTERACTIONS_AVG[2021] * len(same_2021)
        assert cross_reach > 0 and cross_interactions > 0
        reach[id(cross)], interactions[id(cross)] = cross_reach, cross_interactions
        cases_2020 = len(public[2020]) + 1  # the cross notice's case is a 2020 disappearance
        groups.append(
            (
                public[2020],
                REACH_AVG[2020] * cases_2020 - cross_reach,
                INTERACTIONS_AVG[2020] * cases_2020 - cross_interactions,
            )
        )
        for year in (2019, 2022, 2023, 2024, 2025):
            groups.append((public[year], None, None))
        for notices, reach_sum, interactions_sum in groups:
            count = len(notices)
            reach_sum = reach_sum or count * self.rng.randint(380_000, 620_000)
            interactions_sum = interactions_sum or count * self.rng.randint(28_000, 45_000)
            for notice, r, i in zip(
                notices,
                _split(self.rng, reach_sum, count),
                _split(self.rng, interactions_sum, count),
                strict=True,
            ):
                reach[id(notice)], interactions[id(notice)] = r, i
        views_2025 = _split(self.rng, VIEWS_FB_IG_2025, 2 * len(public[2025]))
        shares_2025 = _split(self.rng, SHARES_FB_2025, len(public[2025]))
        for year, notices in public.items():
            for index, notice in enumerate(notices):
                assert notice.published_at is not None
                recorded = min(notice.published_at + timedelta(days=30), self.now)
                r, i = reach[id(notice)], interactions[id(notice)]
                if year == 2025:
                    fb_views, ig_views = views_2025[2 * index], views_2025[2 * index + 1]
                    fb_shares = shares_2025[index]
                else:
                    fb_views, ig_views = int(r * 1.6), int(r * 0.4)
                    fb_shares = max(1, i // 20)
                rows.append(
                    ChannelStat(
                        notice=notice,
                        network=StatNetwork.FACEBOOK,
                        views=fb_views,
                        shares=fb_shares,
                        reach=r,
                        interactions=i,
                        source=StatSource.IMPORTED,
                        recorded_at=recorded,
                    )
                )
                rows.append(
                    ChannelStat(
                        notice=notice,
                        network=StatNetwork.INSTAGRAM,
                        views=ig_views,
                        shares=0,
                        reach=int(ig_views * 0.7),
                        interactions=i // 6,
                        source=StatSource.IMPORTED,
                        recorded_at=recorded,
                    )
                )
        return rows

    def photos(self, notices: list[SearchNotice]) -> int:
        """Generated photos and their page and feed renditions for the notices still published."""
        from beacon.alerts.renditions import rendition_from_photo
        from beacon.matching.synthetic import synthetic_jpeg

        live = [n for n in notices if n.status == NoticeStatus.PUBLISHED]
        for index, notice in enumerate(live):
            photo = NoticePhoto.objects.create(
                notice=notice,
                image=ContentFile(synthetic_jpeg(SEED + index, size=(600, 800)), name="photo.jpg"),
                position=1,
                uploaded_by=self.preparer,
                uploaded_at=notice.created_at,
            )
            rendition_from_photo(
                notice=notice, photo=photo, kind=RenditionKind.PAGE, size=PAGE_PHOTO_SIZE
            )
            rendition_from_photo(
                notice=notice, photo=photo, kind=RenditionKind.FEED, size=FEED_PHOTO_SIZE
            )
        return len(live)

    def load(self) -> int:
        by_year = {year: self.plan_year(year) for year in CAMPAIGNS}
        notices = [n for year_notices in by_year.values() for n in year_notices]
        SearchNotice.objects.bulk_create(notices, batch_size=500)
        NoticeChannel.objects.bulk_create(self.channel_rows(notices), batch_size=1000)
        Recipient.objects.bulk_create(self.recipients(notices), batch_size=1000)
        ChannelStat.objects.bulk_create(self.stats(by_year), batch_size=1000)
        if self.photos(notices):
            from beacon.alerts.feedstate import feed_changed

            feed_changed()
        return len(notices)


def load_campaigns(out=lambda *_: None) -> bool:
    """Create the demo's search campaigns on the demo's cases unless they are there; True if
    created. Run after the demo's cases and its network (beacon.demo.network.load_network)."""
    if AuditRecord.objects.filter(object_type=LOAD_OBJECT_TYPE, object_id=LOAD_OBJECT_ID).exists():
        return False
    with transaction.atomic():
        written = CampaignDemo().load()
        audit(
            actor=None,
            action=AuditAction.CREATE,
            fields=["notices", "channels", "recipients", "stats"],
            object_type=LOAD_OBJECT_TYPE,
            object_id=LOAD_OBJECT_ID,
        )
    out(f"search campaigns: {written} notices")
    return True
