"""Search campaigns' figures: on a small hand-built set of notices, and (slower: the whole demo)
on the demo's synthetic campaigns, which must give the published values."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus, StatNetwork
from beacon.alerts.models import ChannelStat, NoticeChannel, Recipient, RecipientKind
from beacon.alerts.tests.factories import notice_make
from beacon.cases.models import Case
from beacon.figures.campaigns import KEYS, campaign_records, search_campaigns
from beacon.figures.definitions import figures_for_year
from beacon.network.models import Partner, PartnerKind

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def case_of(case, opened: datetime) -> Case:
    """A copy of `case` opened at `opened` (one case per disappearance)."""
    copy = Case.objects.get(pk=case.pk)
    copy.pk = None
    copy.number = f"{case.number}-{opened:%Y%m%d%H%M}"
    copy.opened_at = opened
    copy.save()
    return copy


def stat(notice, network, **values) -> ChannelStat:
    return ChannelStat.objects.create(notice=notice, network=network, **values)


@pytest.fixture
def campaigns(open_case):
    """2024-2025 campaigns: the edges of the year in local time, every channel and partner kind."""
    app = Partner.objects.create(name="App", kind=PartnerKind.APP)
    shops = [Partner.objects.create(name=f"Shop {i}", kind=PartnerKind.POSTERS) for i in range(3)]
    guards = Partner.objects.create(name="Guards", kind=PartnerKind.COMMUNITY_GUARDS)
    late_2024 = case_of(open_case, at(2024, 12, 31, 20))
    cases = [case_of(open_case, at(2025, 1 + i, 10)) for i in range(4)]
    public_channels = [Channel.PAGE, Channel.SOCIAL, Channel.VOLUNTEERS, Channel.FEED]
    # 31 December 23:30 in Brussels is 22:30 UTC: 2024. 1 January 00:30 is still 2024 in UTC.
    last_of_2024 = notice_make(
        late_2024, published_at=at(2024, 12, 31, 23, 30), channels=[Channel.PAGE]
    )
    first_of_2025 = notice_make(
        late_2024,
        published_at=at(2025, 1, 1, 0, 30),
        status=NoticeStatus.WITHDRAWN,
        channels=public_channels,
    )
    second = notice_make(cases[0], published_at=at(2025, 2, 1), channels=public_channels)
    volunteers_skipped = notice_make(
        cases[1], published_at=at(2025, 3, 1), channels=[Channel.PAGE, Channel.VOLUNTEERS]
    )
    NoticeChannel.objects.filter(notice=volunteers_skipped, channel=Channel.VOLUNTEERS).update(
        status=ChannelStatus.SKIPPED
    )
    discrete = notice_make(cases[2], kind=NoticeKind.DISCRETE, published_at=at(2025, 4, 1))
    notice_make(cases[3], status=NoticeStatus.APPROVED)  # never published: in no figure
    for notice in (first_of_2025, second):
        Recipient.objects.create(
            notice=notice, channel=Channel.PARTNERS, kind=RecipientKind.PARTNER, partner=app
        )
    for notice, shop in ((first_of_2025, shops[0]), (second, shops[0]), (second, shops[1])):
        Recipient.objects.create(
            notice=notice, channel=Channel.PARTNERS, kind=RecipientKind.PARTNER, partner=shop
        )
    Recipient.objects.create(  # 2024's: not in 2025's partners
        notice=last_of_2024, channel=Channel.PARTNERS, kind=RecipientKind.PARTNER, partner=shops[2]
    )
    Recipient.objects.create(
        notice=discrete, channel=Channel.PARTNERS, kind=RecipientKind.PARTNER, partner=guards
    )
    stat(last_of_2024, StatNetwork.FACEBOOK, views=1, shares=1, reach=100, interactions=10)
    stat(first_of_2025, StatNetwork.FACEBOOK, views=1000, shares=30, reach=5000, interactions=400)
    stat(first_of_2025, StatNetwork.INSTAGRAM, views=500, shares=7, reach=999, interactions=99)
    stat(first_of_2025, StatNetwork.X, views=70, shares=7, reach=70, interactions=7)
    stat(second, StatNetwork.FACEBOOK, views=200, shares=5, reach=1001, interactions=51)
    return {"first_of_2025": first_of_2025, "second": second, "late_2024": late_2024}


@pytest.mark.django_db
def test_the_section_counts_the_years_campaigns(campaigns):
    section = search_campaigns(2024, 2025)
    assert list(section) == list(KEYS)
    assert {key: values["2025"] for key, values in section.items()} == {
        "total": 4,
        "public_poster_campaigns_social_networks_childrescue": 3,
        "discrete_vignette_campaigns": 1,
        "poster_volunteer_campaigns": 2,  # the skipped volunteers channel called nobody
        "digital_screen_partner_activations": 2,
        "childrescue_app_activations": 2,
        "poster_partners_engaged": {"partners": 2, "times": 3},
        "notice_views_facebook_instagram": 1700,
        "notice_shares_facebook": 35,
        "facebook_reach_total": 6001,
        "facebook_interactions_total": 451,
        # Per case opened in 2025 with Facebook figures: only `second`'s (the notice of
        # 1 January is about a case opened in 2024).
        "facebook_reach_per_disappearance_avg": 1001.0,
        "facebook_interactions_per_disappearance_avg": 51.0,
    }
    assert section["total"]["2024"] == 1
    assert section["poster_partners_engaged"]["2024"] == {"partners": 1, "times": 1}
    # The 2024 case's two notices: one disappearance, its reach summed over both.
    assert section["facebook_reach_per_disappearance_avg"]["2024"] == 5100.0
    assert section["facebook_interactions_per_disappearance_avg"]["2024"] == 410.0


@pytest.mark.django_db
def test_every_figure_is_the_aggregate_of_its_records(campaigns):
    notices = campaign_records("total", 2025)
    assert campaigns["first_of_2025"] in notices and campaigns["second"] in notices
    assert campaign_records("childrescue_app_activations", 2025).count() == 2
    rows = campaign_records("poster_partners_engaged", 2025)
    assert sorted(r.partner.name for r in rows) == ["Shop 0", "Shop 0", "Shop 1"]
    views = campaign_records("notice_views_facebook_instagram", 2025)
    assert sorted(views.values_list("network", flat=True)) == ["facebook", "facebook", "instagram"]
    averaged = campaign_records("facebook_reach_per_disappearance_avg", 2024)
    assert {s.notice.case_id for s in averaged} == {campaigns["late_2024"].pk}
    with pytest.raises(KeyError):
        campaign_records("screens", 2025)


@pytest.mark.django_db
def test_a_year_without_campaigns_has_zeros_and_no_average(db):
    section = search_campaigns(2019, 2019)
    assert section["total"] == {"2019": 0}
    assert section["poster_partners_engaged"] == {"2019": {"partners": 0, "times": 0}}
    assert section["facebook_reach_per_disappearance_avg"] == {"2019": None}


@pytest.mark.django_db
def test_the_figures_command_prints_the_section(campaigns, capsys):
    assert figures_for_year(2025, 2024)["search_campaigns"]["total"] == {"2024": 1, "2025": 4}
    call_command("figures", year=2025, since=2024, format="json")
    assert '"search_campaigns"' in capsys.readouterr().out
