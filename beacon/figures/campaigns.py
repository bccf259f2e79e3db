"""Search campaigns' figures (published key `search_campaigns`), computed from the notices.

A campaign is a search notice, counted in the calendar year (local time) it was published
(`SearchNotice.published_at`; withdrawn notices count, drafts never published do not); a
notice's recipients and network figures (ChannelStat) count in the year their notice was
published. Every figure but the two averages is a catalogue figure (`catalogue_figures`, key
`search_campaigns.<name>`) with its drill-down to the notices, recipient rows or network
figures it counts, and the section asks them per year (`evaluate_per_year`: one aggregate query
per kind of record, grouped by year):

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
  in the catalogue as `search_campaigns.poster_partners_engaged.partners` and `.times`;
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
  not a whole number of notices apart). Not catalogue figures (see `per_disappearance`).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, StatNetwork
from beacon.alerts.models import ChannelStat, NoticeChannel, Recipient, SearchNotice
from beacon.figures.engine import AnyFigure, Figure, Source, Total, evaluate_per_year
from beacon.figures.rounding import mean
from beacon.network.models import PartnerKind

PREFIX = "search_campaigns."

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
ENGAGED = "poster_partners_engaged"
KEYS = (
    *NOTICE_COUNTS,
    ENGAGED,
    *(key for key, _networks, _field in STAT_SUMS),
    *(key for key, _field in PER_DISAPPEARANCE),
)

NOTICES = Source(
    key="search_notices",
    label=_("Search notices, by the moment they were published"),
    queryset=SearchNotice.objects.all,
    date_field="published_at",
    detail_permission="alerts.view_searchnotice",
)
RECIPIENTS = Source(
    key="search_notice_recipients",
    label=_("Recipients of search notices, by the moment the notice was published"),
    queryset=Recipient.objects.all,
    date_field="notice__published_at",
    detail_permission="alerts.view_searchnotice",
)
STATS = Source(
    key="search_notice_network_figures",
    label=_("Network figures of search notices, by the moment the notice was published"),
    queryset=ChannelStat.objects.all,
    date_field="notice__published_at",
    detail_permission="alerts.view_searchnotice",
)


def _went_out(channel: str) -> Q:
    """The notice's `channel` went out (was not skipped by a withdrawal that came first)."""
    return Q(
        Exists(
            NoticeChannel.objects.filter(notice=OuterRef("pk"), channel=channel).exclude(
                status=ChannelStatus.SKIPPED
            )
        )
    )


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs:
    notices by the moment they were published (withdrawn ones too; drafts never published are
    not), the partners and the network figures of those notices (see the module's docstring;
    not the per-disappearance averages)."""
    figures: list[AnyFigure] = [
        Figure(
            key=f"{PREFIX}total",
            label=_("Search campaigns"),
            definition=_("Search notices published in the period, public and discrete."),
            source=NOTICES,
        ),
        Figure(
            key=f"{PREFIX}public_poster_campaigns_social_networks_childrescue",
            label=_("Public poster campaigns"),
            definition=_("Of the notices published in the period, the public ones."),
            source=NOTICES,
            where=Q(kind=NoticeKind.PUBLIC),
        ),
        Figure(
            key=f"{PREFIX}discrete_vignette_campaigns",
            label=_("Discrete vignette campaigns"),
            definition=_(
                "Of the notices published in the period, the discrete ones (vignettes to trusted "
                "partners only)."
            ),
            source=NOTICES,
            where=Q(kind=NoticeKind.DISCRETE),
        ),
        Figure(
            key=f"{PREFIX}poster_volunteer_campaigns",
            label=_("Campaigns with the volunteers"),
            definition=_(
                "Of the notices published in the period, those that called on the volunteers "
                "(the volunteers channel went out: not skipped by a withdrawal that came first)."
            ),
            source=NOTICES,
            where=_went_out(Channel.VOLUNTEERS),
        ),
        Figure(
            key=f"{PREFIX}digital_screen_partner_activations",
            label=_("Digital screen activations"),
            definition=_(
                "Of the notices published in the period, those that went on the feed the "
                "partners' digital screens poll."
            ),
            source=NOTICES,
            where=_went_out(Channel.FEED),
        ),
        Figure(
            key=f"{PREFIX}childrescue_app_activations",
            label=_("ChildRescue app activations"),
            definition=_(
                "Of the notices published in the period, those that reached a partner app."
            ),
            source=NOTICES,
            where=Q(
                Exists(
                    Recipient.objects.filter(notice=OuterRef("pk"), partner__kind=PartnerKind.APP)
                )
            ),
        ),
        Figure(
            key=f"{PREFIX}{ENGAGED}.partners",
            label=_("Poster partners engaged"),
            definition=_(
                "Poster partners (shops and the like) reached by the notices published in the "
                "period, each counted once."
            ),
            source=RECIPIENTS,
            where=Q(partner__kind=PartnerKind.POSTERS),
            distinct="partner",
        ),
        Figure(
            key=f"{PREFIX}{ENGAGED}.times",
            label=_("Poster partners engaged, times"),
            definition=_(
                "Poster partners reached by the notices published in the period, once per "
                "notice (a partner reached by two notices counts twice)."
            ),
            source=RECIPIENTS,
            where=Q(partner__kind=PartnerKind.POSTERS),
        ),
    ]
    labels = {
        "notice_views_facebook_instagram": (
            _("Notice views on Facebook and Instagram"),
            _("Views on Facebook and Instagram of the notices published in the period."),
        ),
        "notice_shares_facebook": (
            _("Notice shares on Facebook"),
            _("Shares on Facebook of the notices published in the period."),
        ),
        "facebook_reach_total": (
            _("Facebook reach"),
            _("Reach on Facebook of the notices published in the period."),
        ),
        "facebook_interactions_total": (
            _("Facebook interactions"),
            _("Interactions on Facebook with the notices published in the period."),
        ),
    }
    for key, networks, field in STAT_SUMS:
        label, definition = labels[key]
        figures.append(
            Total(
                key=f"{PREFIX}{key}",
                label=label,
                definition=definition,
                source=STATS,
                field_name=field,
                where=Q(network__in=networks),
            )
        )
    return figures


# The per-disappearance averages are not catalogue figures: each is a mean of per-case sums (a
# case's reach summed over its notices, averaged over the cases), i.e. a Total divided by a
# distinct count, which no figure kind computes (a Mean averages one field over records), and
# the records are placed by their case's opening, not by their notice's publication like the
# section's other network figures. So they are computed here, year by year, as before.


def _bounds(year: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _stats_of_cases_opened(year: int) -> QuerySet[ChannelStat]:
    start, end = _bounds(year)
    return ChannelStat.objects.filter(
        network=StatNetwork.FACEBOOK,
        notice__case__opened_at__gte=start,
        notice__case__opened_at__lt=end,
    )


def per_disappearance(year: int) -> dict[str, float | None]:
    """The averages of `year` (see the module's docstring): one decimal, half up; None for a
    year without a case with Facebook figures."""
    per_case = _stats_of_cases_opened(year).aggregate(
        cases=Count("notice__case", distinct=True),
        reach=Sum("reach"),
        interactions=Sum("interactions"),
    )
    return {key: mean(per_case[field], per_case["cases"]) for key, field in PER_DISAPPEARANCE}


def search_campaigns(first: int, last: int) -> dict:
    """The section `search_campaigns`: every key, per year from `first` to `last`, from the
    catalogue's figures (three grouped queries) and the averages (one query a year)."""
    values = {
        key.removeprefix(PREFIX): per_year
        for key, per_year in evaluate_per_year(catalogue_figures(), first, last).items()
    }
    years = [str(year) for year in range(first, last + 1)]
    averages = {year: per_disappearance(int(year)) for year in years}
    section: dict = {}
    for key in KEYS:
        if key == ENGAGED:
            section[key] = {
                year: {
                    "partners": values[f"{ENGAGED}.partners"][year],
                    "times": values[f"{ENGAGED}.times"][year],
                }
                for year in years
            }
        elif key in values:
            section[key] = values[key]
        else:
            section[key] = {year: averages[year][key] for year in years}
    return section
