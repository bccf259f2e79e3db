"""Search campaigns' figures: on a small hand-built set of notices, and (slower: the whole demo)
on the demo's synthetic campaigns, which must give the published values."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus, StatNetwork
from beacon.alerts.models import ChannelStat, NoticeChannel, Recipient, RecipientKind
from beacon.alerts.tests.factories import notice_make
from beacon.cases.models import Case
from beacon.figures.campaigns import KEYS, PREFIX, catalogue_figures, search_campaigns
from beacon.figures.catalogue import catalogue
from beacon.figures.definitions import figures_for_year
from beacon.figures.engine import (
    Period,
    Total,
    drill_down_count,
    drill_down_total,
    evaluate,
    evaluate_per_year,
)
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


# Every catalogue figure of 2025 in the fixture, counted by hand.
BY_HAND_2025 = {
    "total": 4,
    "public_poster_campaigns_social_networks_childrescue": 3,
    "discrete_vignette_campaigns": 1,
    "poster_volunteer_campaigns": 2,
    "digital_screen_partner_activations": 2,
    "childrescue_app_activations": 2,
    "poster_partners_engaged.partners": 2,  # Shop 0 (twice) and Shop 1
    "poster_partners_engaged.times": 3,
    "notice_views_facebook_instagram": 1000 + 500 + 200,  # not X's 70
    "notice_shares_facebook": 30 + 5,
    "facebook_reach_total": 5000 + 1001,
    "facebook_interactions_total": 400 + 51,
}


def values_of(period: Period) -> dict:
    values = evaluate(catalogue_figures(), period)
    return {key.removeprefix(PREFIX): value for key, value in values.items()}


@pytest.mark.django_db
def test_every_number_but_the_averages_is_a_catalogue_figure(campaigns):
    assert values_of(Period.year(2025)) == BY_HAND_2025
    in_catalogue = catalogue()
    assert {key for key in in_catalogue if key.startswith(PREFIX)} == {
        f"{PREFIX}{key}" for key in BY_HAND_2025
    }
    # The averages are computed apart (a mean of per-case sums is no figure kind).
    assert not {key for key in in_catalogue if "per_disappearance" in key}


@pytest.mark.django_db
def test_a_notice_counts_in_the_local_year_it_was_published(campaigns):
    """23:30 UTC on 31 December is 00:30 on 1 January in Brussels: the next year, with its
    partners and network figures."""
    case = Case.objects.get(pk=campaigns["late_2024"].pk)
    new_year = notice_make(
        case,
        published_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        channels=[Channel.PAGE, Channel.VOLUNTEERS, Channel.FEED],
    )
    for kind in (PartnerKind.APP, PartnerKind.POSTERS):
        Recipient.objects.create(
            notice=new_year,
            channel=Channel.PARTNERS,
            kind=RecipientKind.PARTNER,
            partner=Partner.objects.create(name=f"New {kind}", kind=kind),
        )
    stat(new_year, StatNetwork.FACEBOOK, views=3, shares=2, reach=40, interactions=5)
    stat(new_year, StatNetwork.INSTAGRAM, views=7, shares=1, reach=1, interactions=1)
    assert values_of(Period.year(2025)) == BY_HAND_2025
    assert values_of(Period.year(2026)) == {
        "total": 1,
        "public_poster_campaigns_social_networks_childrescue": 1,
        "discrete_vignette_campaigns": 0,
        "poster_volunteer_campaigns": 1,
        "digital_screen_partner_activations": 1,
        "childrescue_app_activations": 1,
        "poster_partners_engaged.partners": 1,
        "poster_partners_engaged.times": 1,
        "notice_views_facebook_instagram": 10,
        "notice_shares_facebook": 2,
        "facebook_reach_total": 40,
        "facebook_interactions_total": 5,
    }
    # Grouped by year, the same.
    per_year = evaluate_per_year(catalogue_figures(), 2024, 2026)
    assert {key.removeprefix(PREFIX): v["2025"] for key, v in per_year.items()} == BY_HAND_2025
    assert per_year[f"{PREFIX}facebook_reach_total"] == {"2024": 100, "2025": 6001, "2026": 40}
    section = search_campaigns(2025, 2026)
    assert section["total"] == {"2025": 4, "2026": 1}
    assert section["poster_partners_engaged"]["2026"] == {"partners": 1, "times": 1}


@pytest.mark.django_db
def test_every_drill_down_adds_up_to_its_figure(campaigns):
    year = Period.year(2025)
    values = evaluate(catalogue_figures(), year)
    for figure in catalogue_figures():
        if isinstance(figure, Total):
            assert drill_down_total(figure, year) == values[figure.key], figure.key
        else:
            assert drill_down_count(figure, year) == values[figure.key], figure.key
    rows = catalogue()[f"{PREFIX}poster_partners_engaged.times"].records(*year.bounds)
    assert sorted(r.partner.name for r in rows) == ["Shop 0", "Shop 0", "Shop 1"]


@pytest.mark.django_db
def test_the_records_pages_show_no_child(campaigns, client, cast):
    client.force_login(cast["statistics_reader"])
    values = values_of(Period.year(2025))
    for figure in catalogue_figures():
        response = client.get(
            reverse("figures:records", args=[figure.key]),
            {"from": "2025-01-01", "to": "2025-12-31"},
        )
        assert response.status_code == 200, figure.key
        name = figure.key.removeprefix(PREFIX)
        if isinstance(figure, Total):
            assert response.context["summed"] == values[name], figure.key
        else:
            assert response.context["total"] == values[name], figure.key
        page = response.content.decode()
        assert "Lotte" not in page and "Testperson" not in page, figure.key
        # A notice (or the notice of a partner or network figure) by its public reference.
        for record in figure.records(*Period.year(2025).bounds):
            notice = getattr(record, "notice", record)
            assert notice.public_id in page, figure.key
        if figure.key.endswith("notice_views_facebook_instagram"):
            assert "Instagram" in page and '<td class="value">500</td>' in page


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
