"""The demo's civil hotline: synthetic public reports 2019-2025 whose records give the published
figures (shared/reference/published-figures.json, `abuse_image_hotline`), and a few dozen new
URLs reported today for the analysts' queue.

Nothing here is real: every URL is on a reserved name (*.example.org), every address in a
documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), no content exists behind
any of them. Every notice's outbox message is already delivered (one successful attempt) and no
URL has a check due (`next_check_at` is None), so neither the outbox worker nor the "is it still
online?" checks ever touch the network for demo records.

Per year the plan fixes what the figures count (reports received, web pages, social media,
assessable, illegal, self-generated, critical platform notices, victim referrals, notices to the
police); the rest is drawn from a seeded random generator of its own, so the other parts of the
demo keep their records. Rows go in as plain tuples with their primary keys chosen here
(`insert_rows`), so that reports, URLs, assessments, notices and outbox rows can refer to each
other without a round trip per row.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import exp, log
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import AuditAction, AuditRecord, DeliveryAttempt, OutboxMessage
from beacon.demo.rows import insert_rows
from beacon.reports.choices import (
    Action,
    AgeGroup,
    Classification,
    ContentType,
    Inaccessible,
    ItemStatus,
    NoticeKind,
    PlatformDecision,
    RemovalSource,
    ReportStatus,
    SiteType,
    VictimGender,
    WhereSeen,
)
from beacon.reports.models import (
    Assessment,
    MemberHotline,
    Notice,
    Platform,
    Report,
    ReportUrl,
    UrlItem,
    VictimReferral,
    url_digest,
)
from beacon.reports.reference import notice_settings

SEED = 116111
MARK_TYPE, MARK_ID = "demo.hotline", "2019-2025"


@dataclass(frozen=True)
class YearPlan:
    """What the year's figures count (published where the reports give it, invented otherwise)."""

    received: int
    webpages: int
    social_media: int
    assessable: int
    illegal: int
    self_generated: int
    critical: int
    referrals: int
    police: int
    platforms: dict[str, int]  # social-media reports per platform (2025 exact, else weights)


PLATFORM_WEIGHTS_EARLY = {
    "facebook": 30,
    "instagram": 22,
    "snapchat": 14,
    "telegram": 10,
    "tiktok": 8,
    "x": 7,
    "youtube": 5,
    "discord": 2,
    "reddit": 1,
    "other": 1,
}
PLATFORM_WEIGHTS_LATE = {
    "telegram": 24,
    "instagram": 20,
    "snapchat": 18,
    "tiktok": 16,
    "facebook": 10,
    "x": 5,
    "youtube": 3,
    "discord": 2,
    "reddit": 1,
    "other": 1,
}
PLAN = {
    2019: YearPlan(1414, 1180, 113, 780, 320, 35, 12, 40, 30, PLATFORM_WEIGHTS_EARLY),
    2020: YearPlan(2056, 1690, 185, 1130, 470, 55, 20, 55, 40, PLATFORM_WEIGHTS_EARLY),
    # 2021: 26% of the assessable reports illegal; 79 self-generated, 15% of the illegal ones.
    2021: YearPlan(2147, 1740, 258, 2000, 520, 79, 30, 60, 45, PLATFORM_WEIGHTS_EARLY),
    2022: YearPlan(1832, 1450, 238, 1000, 420, 60, 40, 62, 44, PLATFORM_WEIGHTS_LATE),
    2023: YearPlan(2421, 1850, 339, 1330, 570, 85, 55, 70, 50, PLATFORM_WEIGHTS_LATE),
    # 2024: social media 16% of the reports (304 of 1,899).
    2024: YearPlan(1899, 1480, 304, 1030, 450, 70, 70, 78, 52, PLATFORM_WEIGHTS_LATE),
    # 2025 as published: 1,195 web pages, 484 on social media (Telegram, TikTok, Snapchat,
    # Instagram first), 921 assessable, 409 illegal (44%), 91 critical flags, 85 victims
    # supported, 57 files to the police.
    2025: YearPlan(
        1742,
        1195,
        484,
        921,
        409,
        62,
        91,
        85,
        57,
        {
            "telegram": 150,
            "tiktok": 112,
            "snapchat": 81,
            "instagram": 62,
            "facebook": 28,
            "x": 17,
            "youtube": 12,
            "discord": 10,
            "reddit": 6,
            "other": 6,
        },
    ),
}
OTHER_WHERE = [WhereSeen.MESSAGING, WhereSeen.PEER_TO_PEER, WhereSeen.OTHER]
# Where illegal content reported from a web page is hosted (INHOPE members; BE is the
# organisation's own country: a notice to the police).
HOTLINE_COUNTRIES = {"NL": 40, "US": 22, "DE": 10, "FR": 8, "GB": 5, "LU": 4, "CA": 3, "PL": 3}
NON_MEMBER_COUNTRIES = ["RU", "SC", "PA", "BZ", "MD"]
PLATFORM_HOSTING = {"US": 70, "IE": 15, "NL": 10, "DE": 5}
WEB_SITE_TYPES = {
    SiteType.IMAGE_HOST: 35,
    SiteType.WEBSITE: 20,
    SiteType.FILE_HOST: 12,
    SiteType.FORUM: 10,
    SiteType.LINK_SITE: 6,
    SiteType.IMAGE_STORE: 5,
    SiteType.BLOG: 4,
    SiteType.BANNER_SITE: 3,
    SiteType.REDIRECTOR: 2,
    SiteType.WEB_ARCHIVE: 2,
    SiteType.SEARCH_PROVIDER: 1,
}
ILLEGAL_CLASS, LEGAL_CLASS, CLOSED_CLASS = "I", "A", "X"
REPEAT_SHARE = 0.05  # reports naming a URL already reported that year
EXTRA_URL_SHARE = 0.08  # reports naming a second URL
SECOND_OPINION_SHARE = 0.03  # illegal URLs assessed twice
TODAY_REPORTS = 30


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _hours(rng: random.Random, median: float, spread: float, low: float, high: float) -> float:
    """Log-normal hours around `median`, kept within [low, high]: most quick, a long tail."""
    return min(high, max(low, exp(rng.gauss(log(median), spread))))


@dataclass
class ReportRow:
    pk: int
    number: str
    received_at: datetime
    where_seen: str
    platform: Platform | None
    kind: str  # I, A or X: illegal, assessable but not illegal, not assessable
    self_generated: bool
    items: list["ItemRow"] = field(default_factory=list)


@dataclass
class ItemRow:
    pk: int
    url: str
    host: str
    kind: str
    self_generated: bool
    first_reported_at: datetime
    platform: Platform | None
    social: bool
    last_reported_at: datetime | None = None
    report_count: int = 1
    notice_kind: str = ""
    critical: bool = False
    referral: bool = False


class Ids:
    """The next free primary key of each table, chosen before writing."""

    def __init__(self, *models):
        self.next = {
            model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for model in models
        }

    def take(self, model) -> int:
        pk = self.next[model]
        self.next[model] = pk + 1
        return pk


class HotlineDemo:
    def __init__(self, *, analyst: User, senior: User, out=print):
        self.rng = random.Random(SEED)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.analysts = [analyst] * 6 + [senior]
        self.analyst, self.senior = analyst, senior
        self.out = out
        self.platforms = {p.key: p for p in Platform.objects.all()}
        self.hotlines = {h.country: h for h in MemberHotline.objects.filter(active=True)}
        # The same recipients and legal provision as the services' notices (the reference file).
        reference = notice_settings()
        self.police = reference["police"]
        self.legal_provision = reference["legal_provision"]
        self.numbers = set(Report.objects.values_list("number", flat=True))
        self.references = set(Notice.objects.values_list("reference", flat=True))
        self.ids = Ids(
            Report, UrlItem, ReportUrl, Assessment, Notice, OutboxMessage, DeliveryAttempt
        )
        self.rows: dict[type, list[tuple]] = {}

    # --- entry point ----------------------------------------------------------------------------

    def load(self) -> None:
        """The years once (their completion mark is an audit record written with them), and
        today's new URLs whenever today has no report yet."""
        written = False
        if not AuditRecord.objects.filter(object_type=MARK_TYPE, object_id=MARK_ID).exists():
            for year, plan in PLAN.items():
                self.year(year, plan)
            written = True
        if self.today():
            written = True
        if not written:
            self.out("  civil hotline: already loaded, today's reports already in the queue")
            return
        self.flush()
        if not AuditRecord.objects.filter(object_type=MARK_TYPE, object_id=MARK_ID).exists():
            audit(
                actor=None,
                action=AuditAction.CREATE,
                fields=["reports", "urls", "assessments", "notices", "referrals"],
                object_type=MARK_TYPE,
                object_id=MARK_ID,
            )
        self.out(f"  civil hotline: {Report.objects.count()} reports")

    # --- helpers ------------------------------------------------------------------------------

    def add(self, model, row: tuple) -> None:
        self.rows.setdefault(model, []).append(row)

    def number(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            code = "".join(self.rng.choice(alphabet) for _ in range(8))
            number = f"R-{code[:4]}-{code[4:]}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def reference(self) -> str:
        while True:
            reference = f"BCN-{self.rng.getrandbits(48):012X}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def moment(self, year: int, last_day: int) -> datetime:
        day = date(year, 1, 1) + timedelta(days=self.rng.randint(0, last_day))
        # Fewer reports at night, most in the evening.
        hour = self.rng.choices(range(24), [1] * 7 + [3] * 10 + [5] * 5 + [2] * 2)[0]
        clock = time(hour, self.rng.randint(0, 59), self.rng.randint(0, 59))
        return datetime.combine(day, clock, tzinfo=self.zone)

    def address(self) -> str:
        prefix = self.rng.choice(["192.0.2", "198.51.100", "203.0.113"])
        return f"{prefix}.{self.rng.randint(1, 254)}"

    def token(self) -> str:
        return f"{self.rng.getrandbits(40):010x}"

    def new_item(self, report: ReportRow, kind: str, self_generated: bool) -> ItemRow:
        pk = self.ids.take(UrlItem)
        social = report.where_seen == WhereSeen.SOCIAL_MEDIA and report.platform is not None
        if social and report.platform is not None:
            host = f"social-{report.platform.key}.example.org"
            url = f"https://{host}/post/{self.token()}"
        elif report.where_seen == WhereSeen.PEER_TO_PEER:
            host = f"files-{pk}.example.org"
            url = f"https://{host}/share/{self.token()}"
        else:
            host = f"host-{pk}.example.org"
            url = f"https://{host}/p/{self.token()}"
        return ItemRow(
            pk=pk,
            url=url,
            host=host,
            kind=kind,
            self_generated=self_generated,
            first_reported_at=report.received_at,
            platform=report.platform if social else None,
            social=social,
        )

    # --- one year -------------------------------------------------------------------------------

    def year(self, year: int, plan: YearPlan) -> None:
        rng = self.rng
        last_day = (date(year, 12, 31) - date(year, 1, 1)).days
        where = (
            [WhereSeen.WEB_PAGE] * plan.webpages
            + [WhereSeen.SOCIAL_MEDIA] * plan.social_media
            + [
                rng.choice(OTHER_WHERE)
                for _ in range(plan.received - plan.webpages - plan.social_media)
            ]
        )
        platform_keys = self.platform_keys(plan)
        social_index = [i for i, w in enumerate(where) if w == WhereSeen.SOCIAL_MEDIA]
        # Illegal reports: enough on trusted-flagger platforms for the year's critical flags.
        flaggable = [i for i in social_index if platform_keys[i] != "other"]
        social_illegal = max(
            round(plan.illegal * plan.social_media / plan.received), plan.critical + 12
        )
        illegal = set(rng.sample(flaggable, social_illegal))
        others = [i for i in range(plan.received) if where[i] != WhereSeen.SOCIAL_MEDIA]
        illegal |= set(rng.sample(others, plan.illegal - social_illegal))
        rest = [i for i in range(plan.received) if i not in illegal]
        assessable = set(rng.sample(rest, plan.assessable - plan.illegal))
        self_generated = set(rng.sample(sorted(illegal), plan.self_generated))

        reports = []
        for i in range(plan.received):
            kind = (
                ILLEGAL_CLASS if i in illegal else LEGAL_CLASS if i in assessable else CLOSED_CLASS
            )
            # Reports that led to action come early enough for it to fall in the same year.
            received = self.moment(year, last_day - 3 if kind == ILLEGAL_CLASS else last_day)
            platform = (
                self.platforms.get(platform_keys.get(i, ""))
                if where[i] == WhereSeen.SOCIAL_MEDIA
                else None
            )
            reports.append(
                ReportRow(
                    pk=self.ids.take(Report),
                    number=self.number(),
                    received_at=received,
                    where_seen=where[i],
                    platform=platform,
                    kind=kind,
                    self_generated=i in self_generated,
                )
            )
        reports.sort(key=lambda r: r.received_at)
        items: list[ItemRow] = []
        pool: dict[tuple, list[ItemRow]] = {}
        for report in reports:
            key = (report.kind, report.self_generated, report.where_seen, report.platform)
            earlier = pool.get(key)
            if earlier and rng.random() < REPEAT_SHARE:
                item = rng.choice(earlier)
                item.report_count += 1
                item.last_reported_at = report.received_at
            else:
                item = self.new_item(report, report.kind, report.self_generated)
                pool.setdefault(key, []).append(item)
                items.append(item)
            report.items.append(item)
            if rng.random() < EXTRA_URL_SHARE:
                # A second URL never makes the report more than it is (not illegal, and not
                # assessable when the report is not).
                lower = (
                    CLOSED_CLASS
                    if report.kind == CLOSED_CLASS or rng.random() < 0.5
                    else LEGAL_CLASS
                )
                extra = self.new_item(report, lower, False)
                items.append(extra)
                report.items.append(extra)
        self.assign_actions(items, plan)
        for item in items:
            self.write_item(item)
        for report in reports:
            self.write_report(report)

    def platform_keys(self, plan: YearPlan) -> dict[int, str]:
        """Platform of each social-media report (index in the year's list): exact counts when
        the plan gives them (2025), else drawn from its weights."""
        start = plan.webpages
        if sum(plan.platforms.values()) == plan.social_media:
            keys = [key for key, n in plan.platforms.items() for _ in range(n)]
            self.rng.shuffle(keys)
        else:
            keys = [_weighted(self.rng, plan.platforms) for _ in range(plan.social_media)]
        return {start + offset: key for offset, key in enumerate(keys)}

    def assign_actions(self, items: list[ItemRow], plan: YearPlan) -> None:
        """Which illegal URL gets which notice: a platform notice for those on a platform with a
        trusted-flagger channel (the year's critical ones among them), the police for the year's
        count of the others (hosted here, or abroad where no INHOPE hotline is), the hosting
        country's hotline for the rest; the year's victim referrals among all."""
        rng = self.rng
        illegal = [item for item in items if item.kind == ILLEGAL_CLASS]
        on_platform = [i for i in illegal if i.social and i.platform and i.platform.trusted_flagger]
        elsewhere = [i for i in illegal if i not in on_platform]
        for item in on_platform:
            item.notice_kind = NoticeKind.PLATFORM
        for item in rng.sample(on_platform, plan.critical):
            item.critical = True
        police = rng.sample(elsewhere, plan.police)
        for item in police:
            item.notice_kind = (
                NoticeKind.POLICE if rng.random() < 0.65 else NoticeKind.POLICE_INTERPOL
            )
        for item in elsewhere:
            item.notice_kind = item.notice_kind or NoticeKind.HOTLINE
        for item in rng.sample(illegal, plan.referrals):
            item.referral = True

    # --- writing rows -------------------------------------------------------------------------

    def write_report(self, report: ReportRow) -> None:
        closed = max(i.first_reported_at for i in report.items) + timedelta(days=2)
        self.add(
            Report,
            (
                report.pk,
                report.number,
                report.received_at,
                report.where_seen,
                report.platform.pk if report.platform else None,
                self.rng.choice(["nl", "nl", "fr", "fr", "en", "de"]),
                ReportStatus.CLOSED,
                min(closed, timezone.now()),
            ),
        )
        for position, item in enumerate(report.items):
            self.add(ReportUrl, (self.ids.take(ReportUrl), report.pk, item.pk, position))

    def hosting(self, item: ItemRow) -> str:
        if item.social:
            return _weighted(self.rng, PLATFORM_HOSTING)
        if item.notice_kind == NoticeKind.POLICE:
            return settings.ORGANISATION_COUNTRY
        if item.notice_kind == NoticeKind.POLICE_INTERPOL:
            return self.rng.choice(NON_MEMBER_COUNTRIES)
        if item.notice_kind == NoticeKind.HOTLINE:
            return _weighted(
                self.rng,
                {c: w for c, w in HOTLINE_COUNTRIES.items() if c in self.hotlines} or {"NL": 1},
            )
        return _weighted(self.rng, {**HOTLINE_COUNTRIES, "BE": 6})

    def assessment_values(self, item: ItemRow, country: str) -> dict:
        rng = self.rng
        if item.kind == CLOSED_CLASS:
            reason = rng.choices(
                [
                    Inaccessible.GONE,
                    Inaccessible.PASSWORD,
                    Inaccessible.PAYWALL,
                    Inaccessible.GEO_BLOCKED,
                    Inaccessible.OTHER,
                ],
                [50, 20, 12, 8, 10],
            )[0]
            return {"accessible": False, "inaccessible_reason": reason}
        site = SiteType.SOCIAL_NETWORK if item.social else _weighted(rng, WEB_SITE_TYPES)
        values = {
            "accessible": True,
            "site_type": site,
            "hosting_country": country,
            "content_type": rng.choices(
                [ContentType.IMAGE, ContentType.VIDEO, ContentType.DRAWN, ContentType.TEXT],
                [60, 28, 9, 3],
            )[0],
        }
        if item.kind == LEGAL_CLASS:
            values["classification"] = Classification.NOT_ILLEGAL
            return values
        values.update(
            classification=Classification.BASELINE
            if rng.random() < 0.7
            else Classification.NATIONAL,
            age_group=rng.choices(
                [AgeGroup.PRE_PUBESCENT, AgeGroup.PUBESCENT, AgeGroup.INFANT], [52, 38, 10]
            )[0],
            gender=rng.choices(
                [VictimGender.FEMALE, VictimGender.MALE, VictimGender.BOTH, VictimGender.UNKNOWN],
                [62, 22, 8, 8],
            )[0],
            self_generated=item.self_generated,
            commercial=rng.random() < 0.1,
            identifiable_victim=item.referral,
        )
        return values

    ASSESSMENT_FIELDS = (
        "id", "item", "analyst", "assessed_at", "accessible", "inaccessible_reason",
        "classification", "age_group", "gender", "content_type", "self_generated", "commercial",
        "site_type", "hosting_country", "identifiable_victim", "second_opinion", "note",
    )  # fmt: skip

    def assessment_row(self, pk, item_pk, analyst, at, values, second_opinion=False) -> tuple:
        return (
            pk,
            item_pk,
            analyst.pk,
            at,
            values["accessible"],
            values.get("inaccessible_reason", ""),
            values.get("classification", ""),
            values.get("age_group", ""),
            values.get("gender", ""),
            values.get("content_type", ""),
            values.get("self_generated"),
            values.get("commercial"),
            values.get("site_type", ""),
            values.get("hosting_country", ""),
            values.get("identifiable_victim", False),
            second_opinion,
            "",
        )

    def write_item(self, item: ItemRow) -> None:
        rng = self.rng
        country = self.hosting(item)
        assessed_at = item.first_reported_at + timedelta(hours=_hours(rng, 8, 0.8, 0.3, 40))
        analyst = rng.choice(self.analysts)
        values = self.assessment_values(item, country)
        assessment_pk = self.ids.take(Assessment)
        if item.kind == ILLEGAL_CLASS and rng.random() < SECOND_OPINION_SHARE:
            # A hard case: a first opinion (nationally illegal), then a second that replaces it.
            first = {**values, "classification": Classification.NATIONAL}
            self.add(
                Assessment,
                self.assessment_row(
                    assessment_pk, item.pk, self.senior, assessed_at - timedelta(hours=2), first
                ),
            )
            assessment_pk = self.ids.take(Assessment)
            self.add(
                Assessment,
                self.assessment_row(
                    assessment_pk, item.pk, self.analyst, assessed_at, values, True
                ),
            )
        else:
            self.add(
                Assessment,
                self.assessment_row(assessment_pk, item.pk, analyst, assessed_at, values),
            )
        actions = [item.notice_kind] if item.notice_kind else [Action.CLOSE]
        if item.referral:
            actions.append(Action.VICTIM_REFERRAL)
        decided_at = assessed_at + timedelta(hours=_hours(rng, 1, 0.8, 0.1, 6))
        noticed_at = decided_at if item.notice_kind else None
        removed_at = removal_source = None
        status = ItemStatus.CLOSED
        if item.notice_kind:
            removed_at = self.write_notice(item, decided_at, analyst, country)
            status = ItemStatus.REMOVED if removed_at else ItemStatus.ACTIONED
            if removed_at:
                removal_source = (
                    RemovalSource.CONFIRMATION
                    if item.social or rng.random() < 0.3
                    else RemovalSource.CHECK
                )
        if item.referral:
            self.add(
                VictimReferral,
                (
                    item.pk,
                    decided_at,
                    analyst.pk,
                    decided_at + timedelta(hours=_hours(rng, 20, 0.7, 1, 120)),
                ),
            )
        self.add(
            UrlItem,
            (
                item.pk,
                item.url,
                url_digest(item.url),
                item.host,
                item.first_reported_at,
                item.last_reported_at or item.first_reported_at,
                item.report_count,
                status,
                item.platform.pk if item.platform else None,
                [self.address()],
                country,
                country,
                item.first_reported_at + timedelta(seconds=20),
                assessment_pk,
                actions,
                actions,
                decided_at,
                analyst.pk,
                noticed_at,
                removed_at,
                removal_source or "",
                None,  # next_check_at: no demo URL is ever checked over the network
                removed_at
                if status == ItemStatus.REMOVED
                else decided_at
                if status == ItemStatus.CLOSED
                else None,
            ),
        )

    def write_notice(
        self, item: ItemRow, at: datetime, analyst: User, country: str
    ) -> datetime | None:
        """The notice, its delivered outbox message and the successful attempt; returns when the
        content was removed (None: still online)."""
        rng = self.rng
        kind = item.notice_kind
        platform = item.platform if kind == NoticeKind.PLATFORM else None
        hotline = self.hotlines.get(country) if kind == NoticeKind.HOTLINE else None
        if platform is not None:
            recipient, channel, destination = (
                platform.name,
                platform.notice_channel,
                platform.notice_address,
            )
        elif hotline is not None:
            recipient, channel, destination = (
                hotline.name,
                hotline.notice_channel,
                hotline.notice_address,
            )
        else:
            recipient, channel, destination = (
                self.police["name"],
                self.police["notice_channel"],
                self.police["notice_address"],
            )
        channel = channel or "email"
        notice_pk = self.ids.take(Notice)
        message_pk = self.ids.take(OutboxMessage)
        reference = self.reference()
        delivered_at = at + timedelta(seconds=rng.randint(5, 90))
        self.add(
            OutboxMessage,
            (
                message_pk, at, channel, destination or self.police["notice_address"],
                f"Notice {reference}", f"Notice {reference} about one reported URL (demo).",
                uuid.UUID(int=rng.getrandbits(128)).hex, reference, "reports.notice",
                str(notice_pk), "delivered", 1, at, delivered_at,
            ),
        )  # fmt: skip
        self.add(
            DeliveryAttempt,
            (self.ids.take(DeliveryAttempt), message_pk, at, delivered_at, True,
             202 if channel == "http" else 250),
        )  # fmt: skip
        decision, decided_at, acknowledged_at = "", None, None
        removed_at: datetime | None = None
        if kind == NoticeKind.PLATFORM:
            acknowledged_at = delivered_at + timedelta(minutes=rng.randint(1, 90))
            decision = rng.choices(
                [PlatformDecision.REMOVED, PlatformDecision.DISABLED, PlatformDecision.RESTRICTED,
                 PlatformDecision.NO_ACTION, ""],
                [78, 10, 3, 5, 4],
            )[0]  # fmt: skip
            if decision:
                decided_at = acknowledged_at + timedelta(
                    hours=_hours(rng, 10 if item.critical else 26, 0.9, 0.2, 300)
                )
            if decision in (PlatformDecision.REMOVED, PlatformDecision.DISABLED):
                removed_at = decided_at
        elif rng.random() < 0.9:
            removed_at = at + timedelta(hours=_hours(rng, 40, 1.0, 1, 900))
        if removed_at is not None and removed_at >= timezone.now():
            removed_at = None  # not yet: still online
        confirmed = removed_at if kind == NoticeKind.PLATFORM else None
        # The hotline's country; the police's own; none for a platform.
        recipient_country = (
            country
            if kind == NoticeKind.HOTLINE
            else ""
            if platform is not None
            else settings.ORGANISATION_COUNTRY
        )
        self.add(
            Notice,
            (
                notice_pk, reference, item.pk, kind, recipient,
                recipient_country,
                hotline.pk if hotline else None, platform.pk if platform else None,
                "Synthetic demo notice: the URL shows child sexual abuse material.",
                self.legal_provision,
                platform is not None and platform.trusted_flagger, item.critical, at, analyst.pk,
                message_pk, acknowledged_at, decision, decided_at, confirmed,
            ),
        )  # fmt: skip
        return removed_at

    # --- today ----------------------------------------------------------------------------------

    def today(self) -> bool:
        """A few dozen URLs reported in the last hours, still new in the analysts' queue (three
        of them reported twice); False when a report has come in today already."""
        now = timezone.now()
        day_start = datetime.combine(timezone.localdate(), time.min, tzinfo=self.zone)
        if Report.objects.filter(received_at__gte=day_start).exists():
            return False
        rng = self.rng
        # Within today (the last ten hours at most), even just after midnight.
        span = max(0, min(600, int((now - day_start).total_seconds() // 60)))
        moments = sorted(
            now - timedelta(minutes=rng.randint(0, span), seconds=1) for _ in range(TODAY_REPORTS)
        )
        items: list[ItemRow] = []
        for index, received in enumerate(moments):
            where = rng.choices(
                [WhereSeen.WEB_PAGE, WhereSeen.SOCIAL_MEDIA, rng.choice(OTHER_WHERE)], [65, 28, 7]
            )[0]
            platform = (
                self.platforms.get(_weighted(rng, PLATFORM_WEIGHTS_LATE))
                if where == WhereSeen.SOCIAL_MEDIA
                else None
            )
            report = ReportRow(
                pk=self.ids.take(Report), number=self.number(), received_at=received,
                where_seen=where, platform=platform, kind="", self_generated=False,
            )  # fmt: skip
            if index >= TODAY_REPORTS - 3 and items:
                item = items[index - (TODAY_REPORTS - 3)]  # the same URL reported again
                item.report_count += 1
                item.last_reported_at = received
            else:
                item = self.new_item(report, "", False)
                items.append(item)
            self.add(
                Report,
                (report.pk, report.number, received, where, platform.pk if platform else None,
                 rng.choice(["nl", "fr", "en"]), ReportStatus.NEW, None),
            )  # fmt: skip
            self.add(ReportUrl, (self.ids.take(ReportUrl), report.pk, item.pk, 0))
        for item in items:
            country = _weighted(rng, {**HOTLINE_COUNTRIES, "BE": 6})
            self.add(
                UrlItem,
                (
                    item.pk, item.url, url_digest(item.url), item.host, item.first_reported_at,
                    item.last_reported_at or item.first_reported_at, item.report_count,
                    ItemStatus.NEW, item.platform.pk if item.platform else None,
                    [self.address()], country, "",
                    item.first_reported_at + timedelta(seconds=20), None, [], [], None, None,
                    None, None, "", None, None,
                ),
            )  # fmt: skip
        return True

    # --- flush --------------------------------------------------------------------------------

    COLUMNS = {
        OutboxMessage: (
            "id", "created_at", "channel", "destination", "subject", "body", "idempotency_key",
            "reference", "object_type", "object_id", "status", "attempts", "next_attempt_at",
            "delivered_at",
        ),
        DeliveryAttempt: ("id", "message", "started_at", "finished_at", "ok", "status_code"),
        Report: (
            "id", "number", "received_at", "where_seen", "platform", "language", "status",
            "closed_at",
        ),
        UrlItem: (
            "id", "url", "url_hash", "host", "first_reported_at", "last_reported_at",
            "report_count", "status", "platform", "resolved_ips", "proposed_country",
            "hosting_country", "hosting_checked_at", "current_assessment", "proposed_actions",
            "actions", "decided_at", "decided_by", "first_notice_at", "removed_at",
            "removal_source", "next_check_at", "closed_at",
        ),
        ReportUrl: ("id", "report", "item", "position"),
        Assessment: ASSESSMENT_FIELDS,
        Notice: (
            "id", "reference", "item", "kind", "recipient", "recipient_country", "hotline",
            "platform", "explanation", "legal_provision", "trusted_flagger", "critical",
            "created_at", "created_by", "outbox_message", "acknowledged_at", "decision",
            "decided_at", "removal_confirmed_at",
        ),
        VictimReferral: ("item", "referred_at", "referred_by", "handled_at"),
    }  # fmt: skip

    def flush(self) -> None:
        """Write every row, in an order where each refers only to rows already there (a URL's
        current assessment is written after it: foreign keys are checked at commit), then move
        PostgreSQL's sequences past the keys chosen here and refresh the planner's statistics."""
        for model, columns in self.COLUMNS.items():
            rows = self.rows.pop(model, [])
            if rows:
                insert_rows(model, columns, rows)
        models = list(self.COLUMNS)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def load_hotline_demo(users: dict[str, User], out=print) -> None:
    """The civil hotline's demo records (idempotent; today's queue is added on a later day)."""
    HotlineDemo(analyst=users["demo-analyst"], senior=users["demo-admin"], out=out).load()
