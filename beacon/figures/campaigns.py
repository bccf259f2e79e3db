"""Search campaigns' figures (published key `search_campaigns`), computed from the notices.

A campaign is a search notice, counted in the calendar year (local time) it was published
(`SearchNotice.published_at`; withdrawn notices count, drafts never published do not). Each
figure is the aggregate of a list of records that `campaign_records(key, year)` returns, the
same queryset the figure is computed from, so a figure can always be traced to its notices,
recipients or network figures:

- `total`: notices published in the year, public and discrete;
- `public_poster_campaigns_social_networks_childrescue`: of them, the public ones (the 2021
  report's "publieke affichagecampagnes (sociale netwerken/ChildRescue)");
- `discrete_vignette_campaigns`: the discrete ones (vignettes to trusted partners only);
- `poster_volunteer_campaigns`: notices that called on the volunteers (a volunteers channel
  that went out, i.e. not skipped by a withdrawal that came first);
- `digital_screen_partner_activations`: notices that went on the feed the screens poll;
- `childrescue_app_activations`: notices that reached a partner of kind `app` (a recipient row);
- `poster_partners_engaged`: recipient rows of poster partners of the year's notices:
  `partners` distinct partners, `times` rows (one partner reached by two notices is 2 times);
- `notice_views_facebook_instagram`: views on Facebook and Instagram (ChannelStat) of the
  year's notices; `notice_shares_facebook`: shares on Facebook; `facebook_reach_total`,
  `facebook_interactions_total`: Facebook reach and interactions;
- `facebook_reach_per_disappearance_avg`, `facebook_interactions_per_disappearance_avg`: per
  disappearance, i.e. per case opened in the year (as every per-disappearance count of the
  reports: new case files of the year) that has Facebook figures on any of its notices, the
  mean of the case's Facebook reach (interactions) summed over its notices; one decimal, half
  up (beacon.figures.rounding). It differs from total / notices by design: a notice published
  on 2 January for a case opened on 30 December is in the new year's totals and in the old
  year's average (the 2021 report's own figures, 36,515,902 reach and 572,617 on average, are
  not a whole number of notices apart).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, StatNetwork
from beacon.alerts.models import ChannelStat, NoticeChannel, Recipient, SearchNotice
from beacon.cases.models import Case
from beacon.figures.rounding import mean
from beacon.network.models import PartnerKind

NOTICE_COUNTS = (
    "total",
    "public_poster_campaigns_social_networks_childrescue",
    "discrete_vignette_campaigns",
    "poster_volunteer_campaigns",
    "digital_screen_partner_activations",
    "childrescue_app_activations",
)
# (key, networks, ChannelStat field summed)
STAT_SUMS = (
    (
        "notice_views_facebook_instagram",
        (StatNetwork.FACEBOOK, StatNetwork.INSTAGRAM),
        "views",
    ),
    ("notice_shares_facebook", (StatNetwork.FACEBOOK,), "shares"),
    ("facebook_reach_total", (StatNetwork.FACEBOOK,), "reach"),
    ("facebook_interactions_total", (StatNetwork.FACEBOOK,), "interactions"),
)
# (key, ChannelStat field averaged per case)
PER_DISAPPEARANCE = (
    ("facebook_reach_per_disappearance_avg", "reach"),
    ("facebook_interactions_per_disappearance_avg", "interactions"),
)
KEYS = (
    *NOTICE_COUNTS,
    "poster_partners_engaged",
    *(key for key, _networks, _field in STAT_SUMS),
    *(key for key, _field in PER_DISAPPEARANCE),
)


def _bounds(year: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def notices_published(year: int) -> QuerySet[SearchNotice]:
    """Notices published in the year (local time), whatever became of them since."""
    start, end = _bounds(year)
    return SearchNotice.objects.filter(published_at__gte=start, published_at__lt=end)


def _went_out(channel: str) -> Exists:
    return Exists(
        NoticeChannel.objects.filter(notice=OuterRef("pk"), channel=channel).exclude(
            status=ChannelStatus.SKIPPED
        )
    )


def _stats_of_cases_opened(year: int) -> QuerySet[ChannelStat]:
    start, end = _bounds(year)
    return ChannelStat.objects.filter(
        network=StatNetwork.FACEBOOK,
        notice__case__opened_at__gte=start,
        notice__case__opened_at__lt=end,
    )


def campaign_records(key: str, year: int) -> QuerySet:
    """The records a figure of `year` is computed from: notices for the counts, recipient rows
    for the partners reached, network figures (ChannelStat) for views, shares, reach and
    interactions (for the averages: those of the notices of cases opened in the year)."""
    notices = notices_published(year)
    if key == "total":
        return notices
    if key == "public_poster_campaigns_social_networks_childrescue":
        return notices.filter(kind=NoticeKind.PUBLIC)
    if key == "discrete_vignette_campaigns":
        return notices.filter(kind=NoticeKind.DISCRETE)
    if key == "poster_volunteer_campaigns":
        return notices.filter(_went_out(Channel.VOLUNTEERS))
    if key == "digital_screen_partner_activations":
        return notices.filter(_went_out(Channel.FEED))
    if key == "childrescue_app_activations":
        return notices.filter(
            Exists(Recipient.objects.filter(notice=OuterRef("pk"), partner__kind=PartnerKind.APP))
        )
    if key == "poster_partners_engaged":
        return Recipient.objects.filter(notice__in=notices, partner__kind=PartnerKind.POSTERS)
    for name, networks, _field in STAT_SUMS:
        if key == name:
            return ChannelStat.objects.filter(notice__in=notices, network__in=networks)
    for name, _field in PER_DISAPPEARANCE:
        if key == name:
            return _stats_of_cases_opened(year)
    raise KeyError(key)


def cases_with_facebook_figures(year: int) -> QuerySet[Case]:
    """The disappearances an average of `year` is taken over."""
    return Case.objects.filter(pk__in=_stats_of_cases_opened(year).values("notice__case"))


def year_figures(year: int) -> dict:
    """Every figure of one year (see the module's docstring)."""
    counts = notices_published(year).aggregate(
        total=Count("id"),
        public=Count("id", filter=Q(kind=NoticeKind.PUBLIC)),
        discrete=Count("id", filter=Q(kind=NoticeKind.DISCRETE)),
    )
    figures: dict = {
        "total": counts["total"],
        "public_poster_campaigns_social_networks_childrescue": counts["public"],
        "discrete_vignette_campaigns": counts["discrete"],
    }
    for key in NOTICE_COUNTS[3:]:
        figures[key] = campaign_records(key, year).count()
    engaged = campaign_records("poster_partners_engaged", year).aggregate(
        partners=Count("partner", distinct=True), times=Count("id")
    )
    figures["poster_partners_engaged"] = engaged
    for key, _networks, field in STAT_SUMS:
        figures[key] = campaign_records(key, year).aggregate(n=Sum(field))["n"] or 0
    per_case = _stats_of_cases_opened(year).aggregate(
        cases=Count("notice__case", distinct=True),
        reach=Sum("reach"),
        interactions=Sum("interactions"),
    )
    for key, field in PER_DISAPPEARANCE:
        figures[key] = mean(per_case[field], per_case["cases"])
    return figures


def search_campaigns(first: int, last: int) -> dict:
    """The section `search_campaigns`: every key, per year from `first` to `last`."""
    years = {year: year_figures(year) for year in range(first, last + 1)}
    return {key: {str(year): years[year][key] for year in years} for key in KEYS}


def catalogue_figures() -> list:
    """This section's notice counts in the catalogue (beacon.figures.catalogue): notices by the
    moment they were published (withdrawn ones too; drafts never published are not)."""
    from django.utils.translation import gettext_lazy as _

    from beacon.figures.engine import Figure, Source

    notices = Source(
        key="search_notices",
        label=_("Search notices, by the moment they were published"),
        queryset=SearchNotice.objects.all,
        date_field="published_at",
        detail_permission="alerts.view_searchnotice",
    )
    return [
        Figure(
            key="search_campaigns.total",
            label=_("Search campaigns"),
            definition=_("Search notices published in the period, public and discrete."),
            source=notices,
        ),
        Figure(
            key="search_campaigns.public_poster_campaigns_social_networks_childrescue",
            label=_("Public poster campaigns"),
            definition=_("Of the notices published in the period, the public ones."),
            source=notices,
            where=Q(kind=NoticeKind.PUBLIC),
        ),
        Figure(
            key="search_campaigns.discrete_vignette_campaigns",
            label=_("Discrete vignette campaigns"),
            definition=_(
                "Of the notices published in the period, the discrete ones (vignettes to trusted "
                "partners only)."
            ),
            source=notices,
            where=Q(kind=NoticeKind.DISCRETE),
        ),
    ]
