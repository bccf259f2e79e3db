"""Risk signals: each rule at its boundary, rules as data, idempotence, who sees and handles flags."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from beacon.cases.services import case_open
from beacon.cases.tests.test_exploitation import exploitation
from beacon.risk import selectors
from beacon.risk.models import RiskFlag, RiskRule
from beacon.risk.services import flag_acknowledge, flag_clear, risk_evaluate


def runaway(actor, *, person=None, days_ago: float):
    return case_open(
        actor=actor,
        category="runaway",
        person=person,
        person_data=None
        if person
        else {"first_name": "Zoë", "last_name": "Signaal", "date_of_birth": date(2010, 8, 8)},
        last_seen_at=timezone.now() - timedelta(days=days_ago),
        channel="116000",
        reporter_kind="institution",
    )


def flags(rule_key: str) -> list[RiskFlag]:
    return list(RiskFlag.objects.filter(rule__key=rule_key))


@pytest.mark.parametrize(("first_days_ago", "flagged"), [(89, True), (90, True), (91, False)])
def test_third_runaway_within_90_days(case_manager, first_days_ago, flagged):
    first = runaway(case_manager, days_ago=first_days_ago)
    runaway(case_manager, person=first.person, days_ago=30)
    assert flags("third_runaway_in_90_days") == []  # two episodes: no flag
    third = runaway(case_manager, person=first.person, days_ago=0.01)
    raised = flags("third_runaway_in_90_days")
    assert bool(raised) is flagged
    if flagged:
        assert raised[0].case == third and len(raised[0].explanation_data["cases"]) == 3
        assert third.number in raised[0].explanation


def test_rules_are_data_a_changed_threshold_or_an_inactive_rule_changes_the_outcome(case_manager):
    RiskRule.objects.filter(key="third_runaway_in_90_days").update(
        params={"episodes": 2, "within_days": 90, "category_keys": ["runaway"]}
    )
    first = runaway(case_manager, days_ago=20)
    runaway(case_manager, person=first.person, days_ago=1)
    assert len(flags("third_runaway_in_90_days")) == 1
    RiskRule.objects.update(active=False)
    runaway(case_manager, person=first.person, days_ago=0.5)
    assert len(flags("third_runaway_in_90_days")) == 1


def test_evaluation_is_idempotent_and_the_command_adds_nothing_twice(case_manager):
    first = runaway(case_manager, days_ago=20)
    runaway(case_manager, person=first.person, days_ago=10)
    third = runaway(case_manager, person=first.person, days_ago=1)
    assert risk_evaluate(person=third.person, trigger_case=third) == []
    call_command("risk_evaluate", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RiskFlag.objects.count() == 1


def test_exploitation_and_running_away_raise_flags_both_ways(cast):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=200)
    runaway(manager, person=first.person, days_ago=100)
    case = exploitation(manager, person=first.person, facts={"victim_age": 15})
    assert [f.case for f in flags("exploitation_after_repeated_running_away")] == [case]
    again = runaway(manager, person=first.person, days_ago=0.1)
    assert [f.case for f in flags("runaway_with_open_exploitation")] == [again]


def test_flags_never_show_a_case_the_reader_may_not_open(cast, team):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=200)
    runaway(manager, person=first.person, days_ago=100)
    exploitation(manager, person=first.person, facts={"victim_age": 15})
    person = first.person
    assert len(selectors.flags_of_person(user=manager, person=person)) == 1
    assert selectors.flags_of_person(user=cast["other_case_manager"], person=person) == []
    assert len(selectors.flag_list(user=cast["team_lead"])) == 1  # leads carla's team
    with pytest.raises(PermissionDenied):
        selectors.flag_list(user=manager)  # the list is for team leads


def test_team_leads_acknowledge_and_clear_with_a_reason(cast, team):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=20)
    runaway(manager, person=first.person, days_ago=10)
    runaway(manager, person=first.person, days_ago=1)
    flag = RiskFlag.objects.get()
    with pytest.raises(PermissionDenied):
        flag_acknowledge(actor=manager, flag=flag)
    flag_acknowledge(actor=cast["team_lead"], flag=flag, note="Calling the youth centre")
    with pytest.raises(ValidationError):
        flag_clear(actor=cast["team_lead"], flag=flag, note="")
    flag_clear(actor=cast["team_lead"], flag=flag, note="Placement changed, plan agreed")
    flag.refresh_from_db()
    assert flag.acknowledged_by == cast["team_lead"] and flag.cleared_at is not None
    assert "Placement changed" in flag.note
    assert selectors.flag_list(user=cast["team_lead"]) == []
    assert len(selectors.flag_list(user=cast["team_lead"], status="cleared")) == 1


def test_the_flag_list_page_and_api(client, cast, team):
    from beacon.core.services import token_create
    from conftest import PASSWORD

    manager = cast["case_manager"]
    first = runaway(manager, days_ago=20)
    runaway(manager, person=first.person, days_ago=10)
    runaway(manager, person=first.person, days_ago=1)
    client.login(username="tess", password=PASSWORD)
    page = client.get("/risk/").content.decode()
    assert "Third runaway episode within 90 days" in page and "Zoë Signaal" in page
    _token, secret = token_create(actor=None, user=cast["team_lead"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    [flag] = client.get("/api/v1/risk/flags", **headers).json()
    answer = client.post(
        f"/api/v1/risk/flags/{flag['id']}/clear",
        {"note": ""},
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 422
    assert client.get("/api/v1/risk/flags", **_headers(cast["finance"])).status_code == 403


def _headers(user) -> dict:
    from beacon.core.services import token_create

    _token, secret = token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
