"""The civil hotline's figures (abuse-image reports), each defined once and computed from the
records, for any period [start, end) and per local calendar year.

Three groups, as the issue and the reports ask:

- `period_figures`: the numbers of the annual report's abuse-image section (reports received,
  web pages, assessable, illegal, social media and its platforms, notices, critical flags,
  victim referrals, sent to police, median times to notice and to removal);
- `inhope_figures`: INHOPE-style statistics of the illegal URLs assessed in the period (hosting
  country, site type, classification, age group, share removed within 3 and within 7 days);
- `dsa_article_22`: the trusted flagger's yearly report that Article 22(3) of the Digital
  Services Act asks for (platform notices by provider, by type of illegal content, by action
  taken, critical ones, median time to decision); aggregates only, no URL, no personal data.

What is counted per *report* and what per *URL*: the annual reports count reports ("meldingen");
a report is assessable when at least one of its URLs' current assessment says accessible, and
illegal when at least one is classified baseline or national. The current assessment is the one
that counts (`UrlItem.current_assessment`: a second opinion, once given, replaces the first).
Notices, referrals and takedowns are per URL (an item is noticed once per kind, however many
reports name it).

Shares carry one decimal rounded half up from the exact fraction (`_pct`, as for the other
sections). Medians are computed in Python over the rows of one query (the hotline has a few
thousand URLs a year), in hours with one decimal.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from beacon.figures import matching
from beacon.figures.engine import (
    AnyFigure,
    Figure,
    Median,
    Share,
    Source,
    evaluate_between,
    evaluate_per_year,
)
from beacon.figures.rounding import median_hours
from beacon.figures.rounding import pct as _pct
from beacon.reports.choices import ILLEGAL, NoticeKind, WhereSeen
from beacon.reports.models import Notice, Platform, Report, ReportUrl, UrlItem, VictimReferral

# "57 dossiers aan de politie bezorgd" (2025): every notice that went to the national police,
# for its own investigation (hosted in the country) or to pass to INTERPOL (hosted abroad where
# no INHOPE hotline is): both are files handed to the police.
POLICE_KINDS = (NoticeKind.POLICE, NoticeKind.POLICE_INTERPOL)
# The platform reporters pick when theirs is not listed: not ranked among the top platforms.
OTHER_PLATFORM = "other"
TOP_PLATFORMS_PUBLISHED = 4
UNKNOWN = "unknown"


def _in(field: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _names(platform_ids) -> dict[int | None, str]:
    names: dict[int | None, str] = {
        p.pk: p.name for p in Platform.objects.filter(pk__in=[i for i in platform_ids if i])
    }
    names[None] = UNKNOWN
    return names


# --- the annual report's numbers --------------------------------------------------------------


def ranked(counts: dict[str, int]) -> dict[str, int]:
    """Most first, ties by key."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _with_item(condition: Q) -> Exists:
    """The report names at least one URL matching `condition` (on the URL item)."""
    return Exists(ReportUrl.objects.filter(report=OuterRef("pk")).filter(condition))


ACCESSIBLE = Q(item__current_assessment__accessible=True)
ILLEGAL_ITEM = Q(item__current_assessment__classification__in=ILLEGAL)
SELF_GENERATED = ILLEGAL_ITEM & Q(item__current_assessment__self_generated=True)

# Where the figures of this section sit in the published JSON: the per-year table
# `abuse_image_hotline.reports_received`, and `abuse_image_hotline.<year>_breakdown` of the year
# reported (BREAKDOWN, as `case_details` stands for `case_details_<year>`).
SECTION = "abuse_image_hotline."
BREAKDOWN = "abuse_image_hotline.breakdown."

REPORTS = Source(
    key="hotline_reports",
    label=_("Civil hotline reports, by the moment they were received"),
    queryset=Report.objects.all,
    date_field="received_at",
    detail_permission="reports.view_urlitem",
)
REPORT_URLS = Source(
    key="hotline_report_urls",
    label=_("URLs named by civil hotline reports, by the moment the report was received"),
    queryset=ReportUrl.objects.all,
    date_field="report__received_at",
    detail_permission="reports.view_urlitem",
)
NOTICES = Source(
    key="hotline_notices",
    label=_("Notices about reported URLs, by the moment they were decided"),
    queryset=Notice.objects.all,
    date_field="created_at",
    detail_permission="reports.view_notice",
)
REFERRALS = Source(
    key="hotline_victim_referrals",
    label=_("Victims referred to case managers, by the moment they were referred"),
    queryset=VictimReferral.objects.all,
    date_field="referred_at",
    detail_permission="reports.view_victimreferral",
)
URLS_NOTICED = Source(
    key="hotline_urls_noticed",
    label=_("Reported URLs, by the moment of their first notice"),
    queryset=UrlItem.objects.all,
    date_field="first_notice_at",
    detail_permission="reports.view_urlitem",
)
URLS_REMOVED = Source(
    key="hotline_urls_removed",
    label=_("Reported URLs, by the moment they were found removed"),
    queryset=UrlItem.objects.all,
    date_field="removed_at",
    detail_permission="reports.view_urlitem",
)


def _report_figures() -> dict[str, Figure]:
    """The counts of reports, by their name in the published breakdown."""

    def count(name: str, label, definition, where: Q | None = None) -> Figure:
        key = f"{SECTION}{name}" if name == "reports_received" else f"{BREAKDOWN}{name}"
        return Figure(
            key=key, label=label, definition=definition, source=REPORTS, where=where or Q()
        )

    return {
        "reports_received": count(
            "reports_received",
            _("Reports of abuse images received"),
            _(
                "Reports the civil hotline received from the public in the period, however many "
                "URLs each names and whatever their assessment."
            ),
        ),
        "webpages": count(
            "webpages",
            _("of which seen on a web page"),
            _("Reports received in the period whose reporter saw the images on a web page."),
            Q(where_seen=WhereSeen.WEB_PAGE),
        ),
        "social_media": count(
            "social_media",
            _("of which seen on social media"),
            _(
                "Reports received in the period whose reporter saw the images on a social media "
                "platform."
            ),
            Q(where_seen=WhereSeen.SOCIAL_MEDIA),
        ),
        "assessable": count(
            "assessable",
            _("Assessable reports"),
            _(
                "Reports received in the period naming at least one URL whose current assessment "
                "says the analysts could see the content (not gone, behind a password or pay "
                "wall, or geo-blocked)."
            ),
            Q(_with_item(ACCESSIBLE)),
        ),
        "illegal": count(
            "illegal",
            _("Reports of illegal content"),
            _(
                "Reports received in the period naming at least one URL whose current assessment "
                "classifies it illegal (baseline or national)."
            ),
            Q(_with_item(ILLEGAL_ITEM)),
        ),
        "self_generated_reports": count(
            "self_generated_reports",
            _("Reports of self-generated illegal content"),
            _(
                "Reports received in the period naming at least one illegal URL whose current "
                "assessment says the content is self-generated."
            ),
            Q(_with_item(SELF_GENERATED)),
        ),
    }


def _notice_figures() -> dict[str, Figure]:
    """The counts of notices, by their name in `period_figures`."""
    kinds = {
        NoticeKind.POLICE: (
            _("Notices to the national police"),
            _("Notices to the national police for its own investigation decided in the period."),
        ),
        NoticeKind.HOTLINE: (
            _("Notices to INHOPE member hotlines"),
            _(
                "Notices to the INHOPE member hotline of the country hosting the URL decided in "
                "the period."
            ),
        ),
        NoticeKind.POLICE_INTERPOL: (
            _("Notices to the national police, for INTERPOL"),
            _(
                "Notices to the national police to pass to INTERPOL (hosted where no INHOPE "
                "hotline is) decided in the period."
            ),
        ),
        NoticeKind.PLATFORM: (
            _("Notices to platforms (DSA Article 16)"),
            _("Notices to platforms under Article 16 of the DSA decided in the period."),
        ),
    }
    figures = {
        f"notices_{kind}": Figure(
            key=f"{BREAKDOWN}notices_{kind}",
            label=label,
            definition=definition,
            source=NOTICES,
            where=Q(kind=kind),
        )
        for kind, (label, definition) in kinds.items()
    }
    figures["trusted_partner_flags"] = Figure(
        key=f"{BREAKDOWN}trusted_partner_flags",
        label=_("Critical notices to platforms"),
        definition=_(
            "Notices to platforms decided in the period that were marked critical, for "
            "immediate removal."
        ),
        source=NOTICES,
        where=Q(kind=NoticeKind.PLATFORM, critical=True),
    )
    figures["sent_to_police"] = Figure(
        key=f"{BREAKDOWN}sent_to_police",
        label=_("Files sent to the police"),
        definition=_(
            "Notices to the national police decided in the period, for its own investigation "
            "or to pass to INTERPOL."
        ),
        source=NOTICES,
        where=Q(kind__in=POLICE_KINDS),
    )
    return figures


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs: the
    counts of reports (by the moment they were received, local time), the distinct URLs they
    name, the shares the reports give, notices (by the moment they were decided), victim
    referrals and the median times to notice and to removal. Each number of `period_figures`
    but the top platforms is one of them."""
    reports = _report_figures()
    notices = _notice_figures()
    share_of_assessable = Share(
        key=f"{BREAKDOWN}illegal_share_of_assessable_pct",
        # xgettext:no-python-format
        label=_("Illegal, % of assessable reports"),
        definition=_("Reports of illegal content as a share of the assessable reports."),
        part=reports["illegal"],
        whole=reports["assessable"],
    )
    social_media_share = Share(
        key=f"{BREAKDOWN}social_media_share_pct",
        # xgettext:no-python-format
        label=_("Seen on social media, % of reports"),
        definition=_("Reports seen on social media as a share of the reports received."),
        part=reports["social_media"],
        whole=reports["reports_received"],
    )
    self_generated_share = Share(
        key=f"{BREAKDOWN}self_generated_share_pct",
        # xgettext:no-python-format
        label=_("Self-generated, % of illegal reports"),
        definition=_(
            "Reports of self-generated illegal content as a share of the reports of illegal "
            "content."
        ),
        part=reports["self_generated_reports"],
        whole=reports["illegal"],
    )
    urls = Figure(
        key=f"{BREAKDOWN}urls",
        label=_("Distinct URLs reported"),
        definition=_(
            "Distinct URLs named by the reports received in the period: a URL reported twice "
            "counts once."
        ),
        source=REPORT_URLS,
        distinct="item",
    )
    victim_support = Figure(
        key=f"{BREAKDOWN}victim_support",
        label=_("Victims referred for specialised support"),
        definition=_(
            "URLs showing an identifiable victim that the analysts referred to the case "
            "managers in the period."
        ),
        source=REFERRALS,
    )
    to_notice = Median(
        key=f"{BREAKDOWN}median_hours_to_notice",
        label=_("Median hours from report to notice"),
        definition=_(
            "Over the URLs first noticed in the period, the median time from the URL's first "
            "report to its first notice, in hours."
        ),
        of=Figure(
            key=f"{BREAKDOWN}median_hours_to_notice:urls",
            label=_("URLs first noticed"),
            definition=_("URLs whose first notice went out in the period."),
            source=URLS_NOTICED,
        ),
        from_field="first_reported_at",
        to_field="first_notice_at",
    )
    to_removal = Median(
        key=f"{BREAKDOWN}median_hours_to_removal",
        label=_("Median hours from notice to removal"),
        definition=_(
            "Over the URLs found removed in the period after a notice, the median time from "
            "the URL's first notice to its removal, in hours; a URL gone before any notice is "
            "not a takedown and is left out."
        ),
        of=Figure(
            key=f"{BREAKDOWN}median_hours_to_removal:urls",
            label=_("URLs removed after a notice"),
            definition=_("URLs found removed in the period after their first notice."),
            source=URLS_REMOVED,
            where=Q(first_notice_at__isnull=False, removed_at__gte=F("first_notice_at")),
        ),
        from_field="first_notice_at",
        to_field="removed_at",
    )
    return [
        reports["reports_received"],
        urls,
        reports["webpages"],
        reports["social_media"],
        social_media_share,
        reports["assessable"],
        reports["illegal"],
        share_of_assessable,
        reports["self_generated_reports"],
        self_generated_share,
        *notices.values(),
        victim_support,
        to_notice,
        to_removal,
    ]


def _name(key: str) -> str:
    """A catalogue key's name in `period_figures` (its last part)."""
    return key.rsplit(".", 1)[-1]


def _evaluate(start: datetime, end: datetime, names: tuple[str, ...] = ()) -> dict:
    """This section's catalogue figures (only `names`, when given) over [start, end), by name."""
    figures = [f for f in catalogue_figures() if not names or _name(f.key) in names]
    return {_name(key): value for key, value in evaluate_between(figures, start, end).items()}


REPORT_NAMES = (
    "reports_received",
    "webpages",
    "social_media",
    "assessable",
    "illegal",
    "self_generated_reports",
)


def report_counts(start: datetime, end: datetime) -> dict[str, int]:
    """Reports received in [start, end) (`Report.received_at`), one aggregate query:

    - `reports_received`: every report;
    - `webpages`: those seen on a web page (`where_seen` web_page; the 2025 report's
      "het merendeel (1.195) webpagina's"); `social_media`: seen on a social media platform;
    - `assessable`: reports with at least one URL whose current assessment says accessible
      (the analysts could see the content; gone, password, pay wall, geo-blocked are not);
    - `illegal`: reports with at least one URL currently classified baseline or national;
    - `self_generated_reports`: of the illegal reports, those with an illegal URL assessed
      self-generated (the 2021 report's 79).
    The catalogue's figures (`catalogue_figures`).
    """
    return _evaluate(start, end, REPORT_NAMES)


def urls_reported(start: datetime, end: datetime) -> int:
    """Distinct URLs (items) named by the reports received in [start, end): a URL reported twice
    in the period counts once. One aggregate query (the catalogue's `urls`)."""
    return _evaluate(start, end, ("urls",))["urls"]


def top_platforms(start: datetime, end: datetime) -> list[tuple[str, int]]:
    """The platforms named by the social-media reports received in [start, end), most reported
    first, ties by name; (name, reports). The catch-all 'other' platform and reports naming none
    are not ranked. One grouped query."""
    rows = dict(
        Report.objects.filter(_in("received_at", start, end), where_seen=WhereSeen.SOCIAL_MEDIA)
        .exclude(platform=None)
        .exclude(platform__key=OTHER_PLATFORM)
        .values("platform")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("platform", "n")
    )
    names = _names(rows)
    return sorted(((names[pk], n) for pk, n in rows.items()), key=lambda row: (-row[1], row[0]))


def notice_counts(start: datetime, end: datetime) -> dict[str, int]:
    """Notices decided in [start, end) (`Notice.created_at`), one aggregate query:

    - `notices_<kind>`: per kind (police, hotline, police_interpol, platform);
    - `trusted_partner_flags`: platform notices marked critical (the 2025 report's "91 kritieke
      meldingen voor onmiddellijke verwijdering aan de platformen");
    - `sent_to_police`: notices to the national police, for its own investigation or for
      INTERPOL (see POLICE_KINDS).
    The catalogue's figures (`catalogue_figures`).
    """
    return _evaluate(start, end, tuple(_notice_figures()))


def victim_referrals(start: datetime, end: datetime) -> int:
    """URLs showing an identifiable victim referred to case managers in [start, end)
    (`VictimReferral.referred_at`; the 2025 report's 85 cases of "gespecialiseerde
    slachtofferondersteuning"). One query (the catalogue's `victim_support`)."""
    return _evaluate(start, end, ("victim_support",))["victim_support"]


def takedown_times(start: datetime, end: datetime) -> dict[str, float | None]:
    """Median hours, over the rows of one query each (computed in Python):

    - `median_hours_to_notice`: URLs first noticed in [start, end), from the URL's first report
      (`first_reported_at`) to its first notice (`first_notice_at`);
    - `median_hours_to_removal`: URLs found removed in [start, end) after a notice, from the
      first notice to the removal (`removed_at`); a URL gone before any notice went out is not
      a takedown and is left out.
    None when no URL qualifies. The catalogue's figures (`catalogue_figures`).
    """
    return _evaluate(start, end, ("median_hours_to_notice", "median_hours_to_removal"))


def period_figures(start: datetime, end: datetime) -> dict:
    """The abuse-image section's numbers for [start, end): every value of report_counts,
    notice_counts and takedown_times, `urls`, `victim_support`, the shares
    (`illegal_share_of_assessable_pct`, `social_media_share_pct` of reports received,
    `self_generated_share_pct` of illegal reports) and `top_platforms` [(name, reports)]."""
    return {**_evaluate(start, end), "top_platforms": top_platforms(start, end)}


# --- INHOPE-style statistics ------------------------------------------------------------------


def inhope_figures(start: datetime, end: datetime) -> dict:
    """INHOPE-style statistics of the URLs whose current assessment was made in [start, end)
    (`Assessment.assessed_at` of `UrlItem.current_assessment`):

    - `by_classification`: accessible URLs by classification (baseline, national, not illegal);
    - `by_hosting_country`, `by_site_type`, `by_age_group`: the illegal ones (baseline or
      national) by the hosting country the analyst confirmed on the URL (the assessment's when
      the URL has none), by site type and by victim age group ('unknown' when not recorded);
    - `illegal_noticed`: the illegal ones with at least one notice, and of them
      `removed_within_3_days_pct` / `removed_within_7_days_pct`: the share removed at most 3 / 7
      days after the URL was first reported (INHOPE measures from the report, so the time the
      hotline took to act counts too; a URL not removed yet counts as not removed).
    Two queries: one grouped, one aggregate.
    """
    assessed = UrlItem.objects.filter(
        _in("current_assessment__assessed_at", start, end), current_assessment__accessible=True
    )
    rows = (
        assessed.annotate(
            country=Coalesce(
                NullIf("hosting_country", Value("")),
                NullIf("current_assessment__hosting_country", Value("")),
            )
        )
        .values(
            "current_assessment__classification",
            "country",
            "current_assessment__site_type",
            "current_assessment__age_group",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    by_classification: dict[str, int] = {}
    by_country: dict[str, int] = {}
    by_site: dict[str, int] = {}
    by_age: dict[str, int] = {}
    for row in rows:
        classification = row["current_assessment__classification"]
        by_classification[classification] = by_classification.get(classification, 0) + row["n"]
        if classification not in ILLEGAL:
            continue
        for counts, value in (
            (by_country, row["country"]),
            (by_site, row["current_assessment__site_type"]),
            (by_age, row["current_assessment__age_group"]),
        ):
            key = value or UNKNOWN
            counts[key] = counts.get(key, 0) + row["n"]
    removal = (
        assessed.filter(
            current_assessment__classification__in=ILLEGAL, first_notice_at__isnull=False
        )
        .annotate(took=F("removed_at") - F("first_reported_at"))
        .aggregate(
            noticed=Count("id"),
            within_3=Count("id", filter=Q(took__lte=timedelta(days=3))),
            within_7=Count("id", filter=Q(took__lte=timedelta(days=7))),
        )
    )

    return {
        "by_classification": ranked(by_classification),
        "by_hosting_country": ranked(by_country),
        "by_site_type": ranked(by_site),
        "by_age_group": ranked(by_age),
        "illegal_noticed": removal["noticed"],
        "removed_within_3_days_pct": _pct(removal["within_3"], removal["noticed"]),
        "removed_within_7_days_pct": _pct(removal["within_7"], removal["noticed"]),
    }


# --- DSA Article 22: the trusted flagger's report ---------------------------------------------

NO_DECISION = "pending"


def dsa_article_22(start: datetime, end: datetime) -> dict:
    """What a trusted flagger publishes once a year (DSA Article 22(3)): the notices under
    Article 16 sent to platforms in [start, end) (`Notice.created_at`, kind platform).

    - `notices`, `critical`: all of them, and those marked critical;
    - `by_hosting_provider`: by platform (its name);
    - `by_type_of_illegal_content`: by the URL's current classification (baseline, national);
      `by_content_type`: by its content type (image, video, text, drawn or AI-generated);
    - `by_action_taken`: by the platform's decision (`Notice.decision`; 'pending' while none
      is recorded);
    - `median_hours_to_decision`: from the notice to the platform's decision, over the notices
      with one (computed in Python over one query's rows).
    Aggregates only: no URL, no report, no person. One grouped query and one for the times.
    """
    notices = Notice.objects.filter(_in("created_at", start, end), kind=NoticeKind.PLATFORM)
    rows = list(
        notices.values(
            "platform",
            "item__current_assessment__classification",
            "item__current_assessment__content_type",
            "decision",
        )
        .annotate(n=Count("id"), critical_n=Count("id", filter=Q(critical=True)))
        .order_by()
    )
    names = _names({row["platform"] for row in rows})
    total = critical = 0
    by_platform: dict[str, int] = {}
    by_type: dict[str, int] = {}
    by_content: dict[str, int] = {}
    by_action: dict[str, int] = {}
    for row in rows:
        total += row["n"]
        critical += row["critical_n"]
        for counts, key in (
            (by_platform, names[row["platform"]]),
            (by_type, row["item__current_assessment__classification"] or UNKNOWN),
            (by_content, row["item__current_assessment__content_type"] or UNKNOWN),
            (by_action, row["decision"] or NO_DECISION),
        ):
            counts[key] = counts.get(key, 0) + row["n"]
    decided = notices.filter(decided_at__isnull=False).values_list("created_at", "decided_at")

    return {
        "notices": total,
        "critical": critical,
        "by_hosting_provider": ranked(by_platform),
        "by_type_of_illegal_content": ranked(by_type),
        "by_content_type": ranked(by_content),
        "by_action_taken": ranked(by_action),
        "median_hours_to_decision": median_hours(
            [decided_at - created_at for created_at, decided_at in decided]
        ),
    }


# --- the annual report's section --------------------------------------------------------------


def reports_received_per_year(
    first: int, last: int, start: datetime, end: datetime, zone: ZoneInfo
) -> dict[str, int]:
    """Reports received per local calendar year from `first` to `last` (the catalogue's
    `reports_received`; `start`, `end` and `zone` are those years' bounds and the local zone,
    which the engine knows). One grouped query."""
    figure = _report_figures()["reports_received"]
    return evaluate_per_year([figure], first, last)[figure.key]


def year_breakdown(year: int, bounds: Callable[[int, int], tuple[datetime, datetime]]) -> dict:
    """The `<year>_breakdown` of the annual report, under the published keys of both reports
    (2025: webpages ... top_platforms; 2021: illegal_share_pct, self_generated_share_pct,
    self_generated_reports):

    - `illegal_share_pct` is the 2021 report's name for the illegal share of the assessable
      reports ("26% van deze geanalyseerde beelden"; 79 self-generated reports being 15% of the
      illegal ones only holds for a share of the assessed, not of all reports received);
    - `social_media_share_pct_<year - 1>`: the previous year's social-media share, from that
      year's records (the 2025 report compares with 16% in 2024);
    - `top_platforms`: the names of the four most reported platforms.
    `bounds(first, last)` gives the local years' [start, end)."""
    start, end = bounds(year, year)
    figures = period_figures(start, end)
    previous = _evaluate(*bounds(year - 1, year - 1), ("social_media_share_pct",))
    return {
        "reports_received": figures["reports_received"],
        "urls": figures["urls"],
        "webpages": figures["webpages"],
        "assessable": figures["assessable"],
        "illegal": figures["illegal"],
        "illegal_share_of_assessable_pct": figures["illegal_share_of_assessable_pct"],
        "illegal_share_pct": figures["illegal_share_of_assessable_pct"],
        "social_media": figures["social_media"],
        "social_media_share_pct": figures["social_media_share_pct"],
        f"social_media_share_pct_{year - 1}": previous["social_media_share_pct"],
        "trusted_partner_flags": figures["trusted_partner_flags"],
        "victim_support": figures["victim_support"],
        "sent_to_police": figures["sent_to_police"],
        "top_platforms": [name for name, _n in figures["top_platforms"][:TOP_PLATFORMS_PUBLISHED]],
        "self_generated_reports": figures["self_generated_reports"],
        "self_generated_share_pct": figures["self_generated_share_pct"],
        "median_hours_to_notice": figures["median_hours_to_notice"],
        "median_hours_to_removal": figures["median_hours_to_removal"],
    }


# --- the staff page's sections ----------------------------------------------------------------

REPORT_KEYS = (
    "reports_received",
    "urls",
    "webpages",
    "social_media",
    "social_media_share_pct",
    "assessable",
    "illegal",
    "illegal_share_of_assessable_pct",
    "self_generated_reports",
    "self_generated_share_pct",
    "trusted_partner_flags",
    "victim_support",
    "sent_to_police",
    "median_hours_to_notice",
    "median_hours_to_removal",
)


def figures_by_section(start: datetime, end: datetime) -> dict[str, dict]:
    """Every figure of the hotline's page for [start, end), as sections of `key: value` (the
    page's tables and the CSV's rows, in this order): `reports` (period_figures),
    `top_platforms`, `notices_by_kind`, `inhope` and its `inhope_by_*` breakdowns,
    `dsa_article_22` and its `dsa_by_*` breakdowns, `image_matching` (figures/matching.py)."""
    period = period_figures(start, end)
    inhope = inhope_figures(start, end)
    dsa = dsa_article_22(start, end)
    sections: dict[str, dict] = {
        "reports": {key: period[key] for key in REPORT_KEYS},
        "top_platforms": dict(period["top_platforms"]),
        "notices_by_kind": {kind: period[f"notices_{kind}"] for kind in NoticeKind.values},
        "inhope": {
            key: inhope[key]
            for key in ("illegal_noticed", "removed_within_3_days_pct", "removed_within_7_days_pct")
        },
    }
    for key, value in inhope.items():
        if isinstance(value, dict):
            sections[f"inhope_{key}"] = value
    sections["dsa_article_22"] = {
        key: dsa[key] for key in ("notices", "critical", "median_hours_to_decision")
    }
    for key, value in dsa.items():
        if isinstance(value, dict):
            sections[f"dsa_{key}"] = value
    sections["image_matching"] = matching.period_figures(start, end)
    return sections
