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


def runaway(actor, *, person=None, days_ago: float = 0, at=None):
    return case_open(
        actor=actor,
        category="runaway",
        person=person,
        person_data=None
        if person
        else {"first_name": "Zoë", "last_name": "Signaal", "date_of_birth": date(2010, 8, 8)},
        last_seen_at=at or timezone.now() - timedelta(days=days_ago),
        channel="116000",
        reporter_kind="institution",
    )


def flags(rule_key: str) -> list[RiskFlag]:
    return list(RiskFlag.objects.filter(rule__key=rule_key))


@pytest.mark.parametrize(
    ("first_before_third", "flagged"),
    [
        (timedelta(days=89), True),
        (timedelta(days=90), True),  # the window's first moment is inside it
        (timedelta(days=90, seconds=1), False),
        (timedelta(days=91), False),
    ],
)
def test_third_runaway_within_90_days(case_manager, first_before_third, flagged):
    third_seen = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    first = runaway(case_manager, at=third_seen - first_before_third)
    runaway(case_manager, person=first.person, days_ago=30)
    assert flags("third_runaway_in_90_days") == []  # two episodes: no flag
    third = runaway(case_manager, person=first.person, at=third_seen)
    raised = flags("third_runaway_in_90_days")
    assert bool(raised) is flagged
    if flagged:
        assert raised[0].case == third
        assert raised[0].explanation_data["cases"] == [
            first.number,
            raised[0].explanation_data["cases"][1],
            third.number,
        ]
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


# --- each kind at its boundary, and the explanation -----------------------------------------


def test_the_explanation_names_the_rule_the_count_the_window_and_the_cases(case_manager):
    first = runaway(case_manager, days_ago=50)
    second = runaway(case_manager, person=first.person, days_ago=20)
    third = runaway(case_manager, person=first.person, days_ago=1)
    [flag] = flags("third_runaway_in_90_days")
    assert flag.rule.name == "Third runaway episode within 90 days"
    assert flag.explanation == (
        f"3rd runaway episode within 90 days: cases {first.number}, {second.number}, {third.number}"
    )
    from django.utils import translation

    with translation.override("nl"):
        assert flag.rule.name == "Derde keer weggelopen binnen 90 dagen"


def test_other_categories_do_not_count_as_runaway_episodes(case_manager):
    first = runaway(case_manager, days_ago=20)
    runaway(case_manager, person=first.person, days_ago=10)
    case_open(
        actor=case_manager,
        category="family_context",
        subkind="other_family_disappearance",
        person=first.person,
        last_seen_at=timezone.now() - timedelta(days=1),
        channel="116000",
        reporter_kind="parent",
    )
    assert flags("third_runaway_in_90_days") == []


@pytest.mark.parametrize(("runaways", "flagged"), [(1, False), (2, True)])
def test_exploitation_after_repeated_running_away_at_its_boundary(cast, runaways, flagged):
    manager = cast["case_manager"]
    person = runaway(manager, days_ago=300).person
    for n in range(runaways - 1):
        runaway(manager, person=person, days_ago=200 - n)
    case = exploitation(manager, person=person, facts={"victim_age": 15})
    assert [f.case for f in flags("exploitation_after_repeated_running_away")] == (
        [case] if flagged else []
    )


def test_a_runaway_with_only_a_closed_exploitation_case_raises_nothing(cast):
    from beacon.cases.services import case_close

    manager = cast["case_manager"]
    case = exploitation(manager, facts={"victim_age": 15})
    case_close(
        actor=manager,
        case=case,
        expected_version=case.version,
        outcome="help_completed",
        found_at=None,
    )
    runaway(manager, person=case.person, days_ago=1)
    assert flags("runaway_with_open_exploitation") == []
    reopened_person = case.person
    open_again = exploitation(manager, person=reopened_person, facts={"victim_age": 15})
    again = runaway(manager, person=reopened_person, days_ago=0.5)
    [flag] = flags("runaway_with_open_exploitation")
    assert flag.case == again
    assert flag.explanation == (
        f"runaway episode {again.number} while exploitation case {open_again.number} is open"
    )


def test_each_rule_switched_off_raises_nothing(cast):
    RiskRule.objects.update(active=False)
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=30)
    runaway(manager, person=first.person, days_ago=20)
    runaway(manager, person=first.person, days_ago=10)
    exploitation(manager, person=first.person, facts={"victim_age": 15})
    runaway(manager, person=first.person, days_ago=1)
    assert RiskFlag.objects.count() == 0


def test_a_longer_window_in_the_data_flags_what_the_default_does_not(case_manager):
    RiskRule.objects.filter(key="third_runaway_in_90_days").update(
        params={"episodes": 3, "within_days": 180, "category_keys": ["runaway"]}
    )
    first = runaway(case_manager, days_ago=150)
    runaway(case_manager, person=first.person, days_ago=100)
    third = runaway(case_manager, person=first.person, days_ago=1)
    [flag] = flags("third_runaway_in_90_days")
    assert flag.case == third and "within 180 days" in flag.explanation


# --- rules as data: the file ------------------------------------------------------------------


def test_the_rules_file_is_loaded_and_an_unknown_kind_stops_loudly(db, tmp_path, monkeypatch):
    import json

    from django.core.exceptions import ImproperlyConfigured

    from beacon.risk.reference import DEFAULT_FILE, load_rules

    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["rules"][0]["params"]["episodes"] = 4
    data["rules"][1]["active"] = False
    changed = tmp_path / "rules.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("BEACON_RISK_RULES_FILE", str(changed))
    load_rules()
    assert RiskRule.objects.get(key="third_runaway_in_90_days").params["episodes"] == 4
    assert not RiskRule.objects.get(key="runaway_with_open_exploitation").active
    data["rules"].append({"key": "x", "kind": "astrology", "names": {"en": "X"}})
    changed.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="astrology"):
        load_rules()
    assert not RiskRule.objects.filter(key="x").exists()


# --- the command --------------------------------------------------------------------------------


def test_the_command_raises_for_a_rule_switched_on_later_from_a_day_on(case_manager):
    import io

    RiskRule.objects.update(active=False)
    first = runaway(case_manager, days_ago=40)
    runaway(case_manager, person=first.person, days_ago=30)
    third = runaway(case_manager, person=first.person, days_ago=20)
    assert RiskFlag.objects.count() == 0
    RiskRule.objects.filter(key="third_runaway_in_90_days").update(active=True)
    out = io.StringIO()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    call_command("risk_evaluate", since=date.fromisoformat(tomorrow), stdout=out)
    assert RiskFlag.objects.count() == 0 and "New flags: 0." in out.getvalue()
    call_command("risk_evaluate", stdout=out)
    assert [f.case for f in RiskFlag.objects.all()] == [third]
    call_command("risk_evaluate", stdout=out)
    assert RiskFlag.objects.count() == 1


# --- who sees and handles flags ---------------------------------------------------------------


@pytest.fixture
def other_lead(cast):
    """Tom leads another team (without carla): may not open carla's exploitation cases."""
    from beacon.core.models import Team
    from conftest import make_user

    tom = make_user("tom", "team_lead")
    Team.objects.create(name="Other team", lead=tom)
    return tom


def test_another_team_lead_sees_runaway_flags_but_none_naming_carlas_exploitation_case(
    cast, team, other_lead
):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=200)
    runaway(manager, person=first.person, days_ago=100)
    exploitation(manager, person=first.person, facts={"victim_age": 15}, assigned_to=manager)
    other = runaway(manager, days_ago=30)
    runaway(manager, person=other.person, days_ago=20)
    runaway(manager, person=other.person, days_ago=1)
    keys = {f.rule.key for f in selectors.flag_list(user=cast["team_lead"])}
    assert keys == {"exploitation_after_repeated_running_away", "third_runaway_in_90_days"}
    assert [f.rule.key for f in selectors.flag_list(user=other_lead)] == [
        "third_runaway_in_90_days"
    ]
    hidden = RiskFlag.objects.get(rule__key="exploitation_after_repeated_running_away")
    with pytest.raises(RiskFlag.DoesNotExist):
        selectors.flag_get(user=other_lead, pk=hidden.pk)
    with pytest.raises(RiskFlag.DoesNotExist):
        flag_acknowledge(actor=other_lead, flag=hidden)
    hidden.refresh_from_db()
    assert hidden.acknowledged_at is None


def test_the_api_hides_a_flag_the_reader_may_not_open(client, cast, team, other_lead):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=200)
    runaway(manager, person=first.person, days_ago=100)
    exploitation(manager, person=first.person, facts={"victim_age": 15}, assigned_to=manager)
    flag = RiskFlag.objects.get()
    assert client.get("/api/v1/risk/flags", **_headers(other_lead)).json() == []
    answer = client.post(
        f"/api/v1/risk/flags/{flag.pk}/acknowledge",
        {"note": ""},
        content_type="application/json",
        **_headers(other_lead),
    )
    assert answer.status_code == 404
    mine = client.get("/api/v1/risk/flags?status=all", **_headers(cast["team_lead"])).json()
    assert [f["id"] for f in mine] == [flag.pk]
    assert mine[0]["explanation"].startswith("exploitation case ")
    assert (
        client.get("/api/v1/risk/flags?status=bogus", **_headers(cast["team_lead"])).status_code
        == 422
    )


def test_acknowledge_and_clear_need_the_permission_and_happen_once(client, cast, team):
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=20)
    runaway(manager, person=first.person, days_ago=10)
    runaway(manager, person=first.person, days_ago=1)
    flag = RiskFlag.objects.get()
    for role in ("case_manager", "first_responder", "analyst"):
        answer = client.post(
            f"/api/v1/risk/flags/{flag.pk}/clear",
            {"note": "no"},
            content_type="application/json",
            **_headers(cast[role]),
        )
        assert answer.status_code == 403, role
    with pytest.raises(PermissionDenied):
        flag_clear(actor=manager, flag=flag, note="no")  # permission before the note
    flag.refresh_from_db()
    assert (flag.acknowledged_at, flag.cleared_at, flag.note) == (None, None, "")
    lead = cast["team_lead"]
    flag_acknowledge(actor=lead, flag=flag)
    with pytest.raises(ValidationError):
        flag_acknowledge(actor=lead, flag=flag)
    flag_clear(actor=cast["administrator"], flag=flag, note="Plan agreed with the centre")
    with pytest.raises(ValidationError):
        flag_clear(actor=lead, flag=flag, note="again")
    flag.refresh_from_db()
    assert flag.cleared_by == cast["administrator"] and flag.note == "Plan agreed with the centre"
    from beacon.core.models import AuditRecord

    assert (
        AuditRecord.objects.filter(
            object_type="risk.riskflag", object_id=str(flag.pk), action="update"
        ).count()
        == 2
    )


def test_the_list_page_filters_and_its_queries_do_not_grow_with_the_flags(client, cast, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import PASSWORD

    manager = cast["case_manager"]

    def three_runaways():
        first = runaway(manager, days_ago=20)
        runaway(manager, person=first.person, days_ago=10)
        runaway(manager, person=first.person, days_ago=1)

    three_runaways()
    client.login(username="tess", password=PASSWORD)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/risk/").status_code == 200
    three_runaways()
    three_runaways()
    with CaptureQueriesContext(connection) as three:
        html = client.get("/risk/").content.decode()
    assert html.count("Third runaway episode within 90 days</td>") == 3
    assert len(three) == len(one)
    flag_acknowledge(actor=cast["team_lead"], flag=RiskFlag.objects.first())
    acknowledged = client.get("/risk/?status=acknowledged").content.decode()
    assert acknowledged.count("Third runaway episode within 90 days</td>") == 1
    unacknowledged = client.get("/risk/?status=unacknowledged&rule=third_runaway_in_90_days")
    assert unacknowledged.content.decode().count("within 90 days</td>") == 2
    assert (
        client.get("/risk/?rule=runaway_with_open_exploitation")
        .content.decode()
        .count("</td></tr>")
        == 1
    )  # the "No flags." row
    client.logout()
    client.login(username=cast["case_manager"].username, password=PASSWORD)
    assert client.get("/risk/").status_code == 403


def test_flags_go_with_their_cases_when_records_are_merged_and_unmerged(cast):
    from beacon.people.services import person_merge, person_merge_undo

    manager = cast["case_manager"]
    first = runaway(manager, days_ago=20)
    runaway(manager, person=first.person, days_ago=10)
    third = runaway(manager, person=first.person, days_ago=1)
    duplicate = first.person
    survivor = runaway(manager, days_ago=200).person
    record = person_merge(
        actor=manager,
        survivor=survivor,
        duplicate=duplicate,
        survivor_version=survivor.version,
        duplicate_version=duplicate.version,
        reason="Same girl",
    )
    assert [f.case for f in selectors.flags_of_person(user=manager, person=survivor)] == [third]
    assert [f.case.person for f in selectors.flag_list(user=cast["team_lead"])] == [survivor]
    person_merge_undo(actor=cast["administrator"], merge=record)
    assert selectors.flags_of_person(user=manager, person=survivor) == []
    assert len(selectors.flags_of_person(user=manager, person=duplicate)) == 1
