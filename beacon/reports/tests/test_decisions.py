"""The decision rules, one case each: what Beacon proposes after an assessment."""

from dataclasses import replace

import pytest

from beacon.reports.decisions import Situation, propose

HOTLINES = frozenset({"NL", "DE", "US"})


BASE = Situation(
    accessible=True,
    classification="baseline",
    hosting_country="BE",
    home_country="BE",
    hotline_countries=HOTLINES,
    platform_has_channel=False,
    identifiable_victim=False,
)


def situation(**given) -> Situation:
    return replace(BASE, **given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, ["police"]),
        ({"classification": "national"}, ["police"]),
        ({"hosting_country": "nl"}, ["hotline"]),
        ({"hosting_country": "KP"}, ["police_interpol"]),
        ({"hosting_country": ""}, []),
        ({"hosting_country": "US", "platform_has_channel": True}, ["hotline", "platform"]),
        ({"identifiable_victim": True}, ["police", "victim_referral"]),
        (
            {"hosting_country": "KP", "platform_has_channel": True, "identifiable_victim": True},
            ["police_interpol", "platform", "victim_referral"],
        ),
        ({"classification": "not_illegal", "platform_has_channel": True}, ["close"]),
        ({"accessible": False, "classification": ""}, ["close"]),
    ],
)
def test_proposal(given, expected):
    assert propose(situation(**given)) == expected
