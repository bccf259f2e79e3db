"""The civil hotline's API: every role against every endpoint, a URL worked from report to removal,
field-level 422s that write nothing, 409 on a stale version, and a queue whose cost does not grow
with the page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beacon.cases.tests.test_api import API, bearer, call, locs  # noqa: F401 (fixture)
from beacon.cases.tests.test_exploitation import exploitation
from beacon.core.models import AuditRecord, OutboxMessage
from beacon.reports import services
from beacon.reports.models import Assessment, Notice, Report, UrlItem, VictimReferral
from beacon.reports.tests.helpers import ILLEGAL, reported_item

HOTLINE = f"{API}/hotline"
URL = "https://abuse-host.example.org/gallery/1?id=42"


def assessment(**overrides) -> dict:
    return {**ILLEGAL, "version": 1, **overrides}


def written() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        Assessment.objects.count(),
        Notice.objects.count(),
        OutboxMessage.objects.count(),
        VictimReferral.objects.count(),
        VictimReferral.objects.filter(case__isnull=False).count(),
        AuditRecord.objects.exclude(action="denied").count(),
        tuple(UrlItem.objects.order_by("pk").values_list("version", "status")),
        tuple(Notice.objects.order_by("pk").values_list("version", "removal_confirmed_at")),
    )


@pytest.fixture
def telegram_item(cast):
    """A URL seen on Telegram (which has a trusted-flagger channel), as the public reports it."""
    return reported_item(URL, where_seen="social_media", platform_key="telegram")


def _assessed(actor, item, **values) -> UrlItem:
    item.refresh_from_db()
    services.assessment_record(
        actor=actor, item_id=item.pk, expected_version=item.version, **{**ILLEGAL, **values}
    )
    item.refresh_from_db()
    return item


@pytest.fixture
def world(cast, team, telegram_item):
    """One URL of each stage: new, assessed with actions to confirm (twice), notified with a victim
    referred; and an exploitation case of carla's (tess leads her team) to link to the referral."""
    analyst = cast["analyst"]
    new = reported_item("https://host-new.example.org/a")
    assessed = _assessed(analyst, reported_item("https://host-assessed.example.org/b"))
    hard = _assessed(analyst, reported_item("https://host-hard.example.org/c"))
    notified = _assessed(analyst, telegram_item, identifiable_victim=True)
    services.actions_confirm(
        actor=analyst,
        item_id=notified.pk,
        expected_version=notified.version,
        actions=["hotline", "platform", "victim_referral"],
    )
    return {
        "new": new,
        "assessed": assessed,
        "hard": hard,
        "notice": Notice.objects.filter(item=notified, kind="hotline").get(),
        "referral": VictimReferral.objects.get(item=notified),
        "case": exploitation(cast["case_manager"], facts={"victim_age": 15}),
    }


def requests(world) -> dict[str, tuple]:
    """Every endpoint, with a request that would succeed for a role allowed to make it."""
    new, assessed, hard = world["new"], world["assessed"], world["hard"]
    notice, referral = world["notice"], world["referral"]
    return {
        "queue": ("get", f"{HOTLINE}/items", None),
        "item": ("get", f"{HOTLINE}/items/{new.pk}", None),
        "assess": ("post", f"{HOTLINE}/items/{new.pk}/assessments", assessment()),
        "second_opinion": (
            "post",
            f"{HOTLINE}/items/{hard.pk}/second-opinion",
            {"version": hard.version},
        ),
        "actions": (
            "post",
            f"{HOTLINE}/items/{assessed.pk}/actions",
            {"version": assessed.version, "actions": ["hotline"]},
        ),
        "notice": ("get", f"{HOTLINE}/notices/{notice.pk}", None),
        "reply": (
            "post",
            f"{HOTLINE}/notices/{notice.pk}/reply",
            {"version": notice.version, "acknowledged_at": timezone.now().isoformat()},
        ),
        "referrals": ("get", f"{HOTLINE}/referrals", None),
        "link": ("post", f"{HOTLINE}/referrals/{referral.pk}/case", {"case_id": world["case"].pk}),
        "workload": ("get", f"{HOTLINE}/workload", None),
    }


ANALYST_WORK = {"queue", "item", "assess", "second_opinion", "actions", "notice", "reply"}
REFERRALS = {"referrals", "link"}
ALLOWED = {
    "administrator": ANALYST_WORK | REFERRALS | {"workload"},
    "analyst": ANALYST_WORK,
    "case_manager": REFERRALS,
    "team_lead": REFERRALS | {"workload"},
    "nobody": set(),
    "statistics_reader": set(),
    "first_responder": set(),
    "finance": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_every_role_against_every_endpoint(client, bearer, cast, world, role):  # noqa: F811
    headers = bearer(role)  # creating the token is audited
    endpoints = requests(world)
    for name, (method, url, body) in endpoints.items():
        if name in ALLOWED[role]:
            continue
        before, denied = written(), AuditRecord.objects.filter(action="denied").count()
        response = call(client, method, url, headers, body)
        assert response.status_code == 403, (name, response.json())
        assert response.json()["detail"] == "You do not have permission to do this."
        assert written() == before, name
        refusal = AuditRecord.objects.filter(action="denied").order_by("pk").last()
        assert AuditRecord.objects.filter(action="denied").count() == denied + 1
        assert refusal is not None and refusal.actor == cast[role]
    for name, (method, url, body) in endpoints.items():
        if name not in ALLOWED[role]:
            continue
        response = call(client, method, url, headers, body)
        assert response.status_code in (200, 201), (name, response.json())


def test_a_url_is_worked_from_report_to_removal(client, bearer, cast, telegram_item):  # noqa: F811
    Report.objects.update(description="Seen in a channel, shared by a stranger.")
    reported_item(URL, where_seen="web_page")  # the same URL reported again: a repeat
    headers = bearer("analyst")
    queue = call(client, "get", f"{HOTLINE}/items", headers).json()
    assert [i["id"] for i in queue["items"]] == [telegram_item.pk]
    listed = queue["items"][0]
    assert (listed["url"], listed["report_count"], listed["platform"], listed["status"]) == (
        URL,
        2,
        "telegram",
        "new",
    )
    assert queue["next_after"] is None

    url = f"{HOTLINE}/items/{telegram_item.pk}"
    item = call(client, "get", url, headers).json()
    assert [(r["where_seen"], r["platform"]) for r in item["reports"]] == [
        ("social_media", "telegram"),
        ("web_page", None),
    ]
    assert item["reports"][0]["description"] == "Seen in a channel, shared by a stranger."
    assert (item["version"], item["assessments"], item["notices"]) == (1, [], [])
    assert AuditRecord.objects.filter(
        action="view", object_type="reports.urlitem", object_id=str(telegram_item.pk)
    ).exists()

    assessed = call(
        client,
        "post",
        f"{url}/assessments",
        headers,
        assessment(hosting_country="nl", identifiable_victim=True, self_generated=False),
    )
    assert assessed.status_code == 201, assessed.json()
    state = assessed.json()["item"]
    assert state["proposed_actions"] == ["hotline", "platform", "victim_referral"]
    assert (state["status"], state["version"], state["hosting_country"]) == ("assessed", 2, "NL")
    assert assessed.json()["assessment"]["analyst"] == "anna"
    assert assessed.json()["assessment"]["self_generated"] is False

    confirmed = call(
        client,
        "post",
        f"{url}/actions",
        headers,
        {"version": 2, "actions": state["proposed_actions"], "critical": True},
    )
    assert confirmed.status_code == 200, confirmed.json()
    answer = confirmed.json()
    assert (answer["item"]["status"], answer["item"]["version"]) == ("actioned", 3)
    notices = {n["kind"]: n for n in answer["notices"]}
    assert set(notices) == {"hotline", "platform"}
    assert (notices["hotline"]["recipient"], notices["hotline"]["recipient_country"]) == (
        "Offlimits",
        "NL",
    )
    assert notices["platform"]["trusted_flagger"] and notices["platform"]["critical"]
    assert not notices["hotline"]["critical"]
    assert [n["delivery"]["status"] for n in answer["notices"]] == ["pending", "pending"]
    assert answer["referral"]["item_id"] == telegram_item.pk
    assert answer["referral"]["case_id"] is None
    assert {(m.reference, m.status, m.destination) for m in OutboxMessage.objects.all()} == {
        (notices["hotline"]["reference"], "pending", "notices@hotline-nl.example.org"),
        (notices["platform"]["reference"], "pending", "dsa-notices@telegram.example.org"),
    }

    item = call(client, "get", url, headers).json()
    assert [n["reference"] for n in item["notices"]] == [n["reference"] for n in answer["notices"]]
    assert (item["actions"], item["decided_by"]) == (
        ["hotline", "platform", "victim_referral"],
        "anna",
    )

    hotline = notices["hotline"]
    removed_at = timezone.now()
    replied = call(
        client,
        "post",
        f"{HOTLINE}/notices/{hotline['id']}/reply",
        headers,
        {
            "version": hotline["version"],
            "acknowledged_at": removed_at.isoformat(),
            "removal_confirmed_at": removed_at.isoformat(),
        },
    )
    assert replied.status_code == 200, replied.json()
    assert replied.json()["notice"]["version"] == 2
    assert replied.json()["notice"]["removal_confirmed_at"] is not None
    assert replied.json()["item"]["status"] == "removed"
    item = call(client, "get", url, headers).json()
    assert (item["status"], item["removal_source"], item["next_check_at"]) == (
        "removed",
        "confirmation",
        None,
    )
    assert item["removed_at"] is not None
    # Removed: no longer in the queue, but listed under its status.
    assert call(client, "get", f"{HOTLINE}/items", headers).json()["items"] == []
    removed = call(client, "get", f"{HOTLINE}/items?status=removed", headers).json()
    assert [i["id"] for i in removed["items"]] == [telegram_item.pk]

    # A case manager opens an exploitation case for the victim and links it.
    case = exploitation(cast["case_manager"], facts={"victim_age": 12})
    manager = bearer("case_manager")
    waiting = call(client, "get", f"{HOTLINE}/referrals", manager).json()
    assert [r["item_id"] for r in waiting] == [telegram_item.pk]
    assert "url" not in waiting[0]
    linked = call(
        client,
        "post",
        f"{HOTLINE}/referrals/{waiting[0]['id']}/case",
        manager,
        {"case_id": case.pk},
    )
    assert linked.status_code == 200, linked.json()
    assert (linked.json()["case_id"], linked.json()["case_number"]) == (case.pk, case.number)
    assert call(client, "get", f"{HOTLINE}/referrals", manager).json() == []
    everything = call(client, "get", f"{HOTLINE}/referrals?open_only=false", manager).json()
    assert [r["case_number"] for r in everything] == [case.number]

    # The team lead sees anna's day: one assessment, illegal.
    today = timezone.localdate().isoformat()
    workload = call(client, "get", f"{HOTLINE}/workload", bearer("team_lead")).json()
    assert workload == [{"day": today, "analyst": "anna", "assessments": 1, "illegal": 1}]


def test_nothing_about_a_reporter_but_what_they_saw(client, bearer, cast):  # noqa: F811
    from beacon.reports.intake import report_submit

    report = report_submit(
        urls=[URL],
        where_seen="other",
        description="In a shared folder.",
        contact_email="reporter-outcome@example.org",
        language="fr",
    )
    item = UrlItem.objects.get()
    answer = call(client, "get", f"{HOTLINE}/items/{item.pk}", bearer("administrator"))
    assert "reporter-outcome@example.org" not in answer.content.decode()
    (shown,) = answer.json()["reports"]
    assert set(shown) == {
        "number",
        "received_at",
        "where_seen",
        "platform",
        "platform_other",
        "description",
    }
    assert (shown["number"], shown["description"]) == (report.number, "In a shared folder.")


def test_close_what_is_not_illegal_and_tell_the_reporter(client, bearer, cast):  # noqa: F811
    item = reported_item(URL, contact_email="reporter-outcome@example.org")
    headers = bearer("analyst")
    url = f"{HOTLINE}/items/{item.pk}"
    assessed = call(
        client,
        "post",
        f"{url}/assessments",
        headers,
        {"version": 1, "accessible": True, "classification": "not_illegal"},
    )
    assert assessed.json()["item"]["proposed_actions"] == ["close"]
    wrong = call(client, "post", f"{url}/actions", headers, {"version": 2, "actions": ["police"]})
    assert wrong.status_code == 422 and locs(wrong) == [["body", "actions"]]
    closed = call(client, "post", f"{url}/actions", headers, {"version": 2, "actions": ["close"]})
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["item"]["status"], closed.json()["notices"]) == ("closed", [])
    assert closed.json()["referral"] is None
    told = OutboxMessage.objects.get()
    assert told.destination == "reporter-outcome@example.org"
    assert told.reference == Report.objects.get().number


def test_a_second_opinion_comes_from_another_analyst(client, bearer, cast, telegram_item):  # noqa: F811
    anna, alice = bearer("analyst"), bearer("administrator")
    url = f"{HOTLINE}/items/{telegram_item.pk}"
    early = call(client, "post", f"{url}/second-opinion", anna, {"version": 1})
    assert early.status_code == 422 and locs(early) == [["body", "__all__"]]
    call(client, "post", f"{url}/assessments", anna, assessment(classification="national"))
    asked = call(client, "post", f"{url}/second-opinion", anna, {"version": 2})
    assert asked.status_code == 200, asked.json()
    assert (asked.json()["item"]["status"], asked.json()["item"]["version"]) == (
        "second_opinion",
        3,
    )
    assert (
        call(client, "get", f"{HOTLINE}/items/{telegram_item.pk}", anna).json()[
            "second_opinion_requested_by"
        ]
        == "anna"
    )
    waiting = call(client, "post", f"{url}/actions", anna, {"version": 3, "actions": ["hotline"]})
    assert waiting.status_code == 422 and locs(waiting) == [["body", "__all__"]]
    before = written()
    herself = call(client, "post", f"{url}/assessments", anna, assessment(version=3))
    assert herself.status_code == 422 and locs(herself) == [["body", "__all__"]]
    assert "another analyst" in herself.json()["detail"][0]["msg"]
    assert written() == before
    second = call(
        client,
        "post",
        f"{url}/assessments",
        alice,
        assessment(version=3, classification="national"),
    )
    assert second.status_code == 201, second.json()
    assert second.json()["assessment"]["second_opinion"] is True
    assert second.json()["item"]["status"] == "assessed"
    history = call(client, "get", f"{HOTLINE}/items/{telegram_item.pk}", anna).json()
    assert [(a["analyst"], a["classification"]) for a in history["assessments"]] == [
        ("anna", "national"),
        ("alice", "national"),
    ]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"accessible": None}, "accessible"),
        ({"accessible": "perhaps"}, "accessible"),
        ({"classification": ""}, "classification"),
        ({"classification": "awful"}, "classification"),
        ({"age_group": ""}, "age_group"),
        ({"gender": "x"}, "gender"),
        ({"content_type": ""}, "content_type"),
        ({"site_type": "shop"}, "site_type"),
        ({"hosting_country": ""}, "hosting_country"),
        ({"hosting_country": "NLD"}, "hosting_country"),
        ({"hosting_country": "1Z"}, "hosting_country"),
        ({"inaccessible_reason": "gone"}, "inaccessible_reason"),
        ({"accessible": False, "classification": "", "age_group": "", "gender": ""}, "?"),
        ({"self_generated": "perhaps"}, "self_generated"),
        ({"identifiable_victim": "maybe"}, "identifiable_victim"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"version": "one"}, "version"),
    ],
)
def test_bad_assessments_are_422s_located_on_their_field(
    client,
    bearer,  # noqa: F811
    cast,
    telegram_item,
    overrides,
    loc,
):
    data = assessment(**overrides)
    expected = [["body", loc]]
    if loc == "?":
        # Inaccessible without a reason, and with fields only an accessible URL has.
        expected = [["body", f] for f in ("inaccessible_reason", "content_type", "site_type")]
    if overrides.get("accessible") is None and "accessible" in overrides:
        del data["accessible"]
    headers = bearer("analyst")
    before = written()
    response = call(
        client, "post", f"{HOTLINE}/items/{telegram_item.pk}/assessments", headers, data
    )
    assert response.status_code == 422, response.json()
    assert sorted(locs(response)) == sorted(expected)
    assert written() == before


def test_an_inaccessible_url_is_closed_with_its_reason(client, bearer, cast, telegram_item):  # noqa: F811
    headers = bearer("analyst")
    url = f"{HOTLINE}/items/{telegram_item.pk}"
    victim = call(
        client,
        "post",
        f"{url}/assessments",
        headers,
        {
            "version": 1,
            "accessible": False,
            "inaccessible_reason": "gone",
            "identifiable_victim": True,
        },
    )
    assert victim.status_code == 422 and locs(victim) == [["body", "identifiable_victim"]]
    gone = call(
        client,
        "post",
        f"{url}/assessments",
        headers,
        {"version": 1, "accessible": False, "inaccessible_reason": "geo_blocked"},
    )
    assert gone.status_code == 201, gone.json()
    assert gone.json()["item"]["proposed_actions"] == ["close"]
    assert gone.json()["assessment"]["inaccessible_reason"] == "geo_blocked"


@pytest.fixture
def assessed_item(cast, telegram_item):
    return _assessed(cast["analyst"], telegram_item, identifiable_victim=True)


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"actions": []}, "actions"),
        ({"actions": ["teleport"]}, "actions"),
        ({"actions": "hotline"}, "actions"),
        ({"actions": ["close", "hotline"]}, "actions"),
        ({"actions": ["police", "hotline"]}, "actions"),
        ({"actions": ["hotline"], "critical": True}, "critical"),
        ({"critical": "very"}, "critical"),
        ({"explanation": "a\x00b"}, "explanation"),
        ({"referral_note": "a\x00b"}, "referral_note"),
        ({"version": None}, "version"),
    ],
)
def test_bad_confirmations_are_422s_and_write_no_notice(
    client,
    bearer,  # noqa: F811
    assessed_item,
    overrides,
    loc,
):
    data = {"version": assessed_item.version, "actions": ["hotline", "platform", "victim_referral"]}
    data.update(overrides)
    if data["version"] is None:
        del data["version"]
    headers = bearer("analyst")
    before = written()
    response = call(client, "post", f"{HOTLINE}/items/{assessed_item.pk}/actions", headers, data)
    assert response.status_code == 422, response.json()
    assert locs(response) == [["body", loc]]
    assert written() == before


def test_no_member_hotline_or_no_platform_channel_is_refused(client, bearer, cast):  # noqa: F811
    item = _assessed(cast["analyst"], reported_item(URL), hosting_country="AQ")
    assert item.proposed_actions == ["police_interpol"]
    headers = bearer("analyst")
    for actions in (["hotline"], ["police_interpol", "platform"]):
        before = written()
        response = call(
            client,
            "post",
            f"{HOTLINE}/items/{item.pk}/actions",
            headers,
            {"version": item.version, "actions": actions},
        )
        assert response.status_code == 422 and locs(response) == [["body", "actions"]]
        assert written() == before
    interpol = call(
        client,
        "post",
        f"{HOTLINE}/items/{item.pk}/actions",
        headers,
        {"version": item.version, "actions": ["police_interpol"]},
    )
    assert [n["kind"] for n in interpol.json()["notices"]] == ["police_interpol"]


@pytest.fixture
def notice(cast, assessed_item):
    services.actions_confirm(
        actor=cast["analyst"],
        item_id=assessed_item.pk,
        expected_version=assessed_item.version,
        actions=["hotline", "platform"],
    )
    return Notice.objects.get(item=assessed_item, kind="platform")


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"acknowledged_at": "2026-01-01T10:00:00"}, "acknowledged_at"),
        ({"acknowledged_at": "not a time"}, "acknowledged_at"),
        ({"acknowledged_at": "future"}, "acknowledged_at"),
        ({"removal_confirmed_at": "before"}, "removal_confirmed_at"),
        ({"decided_at": "before", "decision": "removed"}, "decided_at"),
        ({"decision": "vanished", "decided_at": "now"}, "decision"),
        ({"decision": "removed"}, "decided_at"),
        ({"action_note": "a\x00b"}, "action_note"),
        ({}, "__all__"),
        ({"version": "two", "action_note": "ok"}, "version"),
    ],
)
def test_bad_replies_are_422s_located_on_their_field(client, bearer, notice, overrides, loc):  # noqa: F811
    times = {
        "now": timezone.now(),
        "future": timezone.now() + timedelta(minutes=10),
        "before": notice.created_at - timedelta(minutes=1),
    }
    data = {"version": notice.version}
    for name, value in overrides.items():
        data[name] = times[value].isoformat() if value in times else value
    headers = bearer("analyst")
    before = written()
    response = call(client, "post", f"{HOTLINE}/notices/{notice.pk}/reply", headers, data)
    assert response.status_code == 422, response.json()
    assert locs(response) == [["body", loc]]
    assert written() == before


def test_a_platform_decision_is_recorded_against_its_notice(client, bearer, notice):  # noqa: F811
    decided = timezone.now()
    response = call(
        client,
        "post",
        f"{HOTLINE}/notices/{notice.pk}/reply",
        bearer("administrator"),
        {
            "version": 1,
            "decision": "disabled",
            "decided_at": decided.isoformat(),
            "action_note": "Access disabled in the EU.",
        },
    )
    assert response.status_code == 200, response.json()
    got = response.json()["notice"]
    assert (got["decision"], got["action_note"], got["version"]) == (
        "disabled",
        "Access disabled in the EU.",
        2,
    )
    assert response.json()["item"]["status"] == "actioned"  # no removal yet
    read = call(client, "get", f"{HOTLINE}/notices/{notice.pk}", bearer("analyst")).json()
    assert read == got


def test_a_stale_version_is_a_409_and_changes_nothing(client, bearer, cast, notice):  # noqa: F811
    headers = bearer("analyst")
    item = notice.item
    item.refresh_from_db()
    fresh = UrlItem.objects.create(
        url="https://fresh.example.org/x",
        url_hash="f" * 64,
        host="fresh.example.org",
        first_reported_at=timezone.now(),
        last_reported_at=timezone.now(),
        version=3,
    )
    stale = [
        ("post", f"{HOTLINE}/items/{fresh.pk}/assessments", assessment(version=2)),
        ("post", f"{HOTLINE}/items/{fresh.pk}/second-opinion", {"version": 2}),
        (
            "post",
            f"{HOTLINE}/items/{item.pk}/actions",
            {"version": item.version - 1, "actions": ["hotline"]},
        ),
        (
            "post",
            f"{HOTLINE}/notices/{notice.pk}/reply",
            {"version": 0, "acknowledged_at": timezone.now().isoformat()},
        ),
    ]
    for method, url, data in stale:
        before = written()
        response = call(client, method, url, headers, data)
        assert response.status_code == 409, (url, response.json())
        assert "since you opened it" in response.json()["detail"]
        assert written() == before


def test_unknown_records_are_404s(client, bearer, cast):  # noqa: F811
    anna, carla = bearer("analyst"), bearer("case_manager")
    for method, url, headers, data in (
        ("get", f"{HOTLINE}/items/999999", anna, None),
        ("post", f"{HOTLINE}/items/999999/assessments", anna, assessment()),
        ("post", f"{HOTLINE}/items/999999/actions", anna, {"version": 1, "actions": ["close"]}),
        ("get", f"{HOTLINE}/notices/999999", anna, None),
        ("post", f"{HOTLINE}/notices/999999/reply", anna, {"version": 1, "action_note": "x"}),
        ("post", f"{HOTLINE}/referrals/999999/case", carla, {"case_id": 1}),
    ):
        response = call(client, method, url, headers, data)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}


def test_a_referral_links_only_an_exploitation_case_the_user_may_open(
    client,
    bearer,  # noqa: F811
    cast,
    world,
    open_case,
):
    url = f"{HOTLINE}/referrals/{world['referral'].pk}/case"
    for role, case_id in (
        ("case_manager", open_case.pk),  # a disappearance, not an exploitation case
        ("case_manager", 999_999),
        ("case_manager", "KF-1"),
        ("other_case_manager", world["case"].pk),  # carla's restricted case, not colin's
    ):
        headers = bearer(role)  # creating the token is audited
        before = written()
        response = call(client, "post", url, headers, {"case_id": case_id})
        assert response.status_code == 422, response.json()
        assert locs(response) == [["body", "case_id"]]
        assert written() == before


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("status=lost", "status"),
        ("after=0", "after"),
        ("after=abc", "after"),
    ],
)
def test_bad_queue_queries_are_422s(client, bearer, cast, query, loc):  # noqa: F811
    response = call(client, "get", f"{HOTLINE}/items?{query}", bearer("analyst"))
    assert response.status_code == 422 and locs(response) == [["query", loc]]


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("from=2026-02-02&to=2026-02-01", "from"),
        ("from=2024-01-01&to=2025-12-31", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
    ],
)
def test_bad_workload_periods_are_422s(client, bearer, cast, query, loc):  # noqa: F811
    response = call(client, "get", f"{HOTLINE}/workload?{query}", bearer("team_lead"))
    assert response.status_code == 422 and locs(response) == [["query", loc]]


def test_the_queue_is_paged_by_id_and_costs_the_same_for_any_page(client, bearer, cast):  # noqa: F811
    from beacon.reports.selectors import QUEUE_PAGE

    headers = bearer("analyst")

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(client, "get", f"{HOTLINE}/items", headers)
        assert response.status_code == 200
        return len(captured.captured_queries)

    call(client, "get", f"{HOTLINE}/items", headers)  # the token's first use is recorded once
    reported_item(
        "https://host-0.example.org/x", where_seen="social_media", platform_key="telegram"
    )
    few = queries_for_a_page()
    for n in range(1, QUEUE_PAGE + 5):
        item = reported_item(f"https://host-{n}.example.org/x", platform_key="telegram")
        if n % 3 == 0:
            _assessed(cast["analyst"], item)
    assert queries_for_a_page() == few

    first = call(client, "get", f"{HOTLINE}/items", headers).json()
    assert len(first["items"]) == QUEUE_PAGE and first["next_after"] == first["items"][-1]["id"]
    second = call(client, "get", f"{HOTLINE}/items?after={first['next_after']}", headers).json()
    assert len(second["items"]) == 5 and second["next_after"] is None
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(UrlItem.objects.values_list("pk", flat=True))
    assessed = [i for i in first["items"] + second["items"] if i["status"] == "assessed"]
    assert {i["classification"] for i in assessed} == {"baseline"} and len(assessed) == 18


def test_the_openapi_schema_documents_the_hotline(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/hotline/items",
        "/api/v1/hotline/items/{item_id}",
        "/api/v1/hotline/items/{item_id}/assessments",
        "/api/v1/hotline/items/{item_id}/second-opinion",
        "/api/v1/hotline/items/{item_id}/actions",
        "/api/v1/hotline/notices/{notice_id}",
        "/api/v1/hotline/notices/{notice_id}/reply",
        "/api/v1/hotline/referrals",
        "/api/v1/hotline/referrals/{referral_id}/case",
        "/api/v1/hotline/workload",
    } <= set(paths)
    assessing = paths["/api/v1/hotline/items/{item_id}/assessments"]["post"]
    assert {"403", "409", "422"} <= set(assessing["responses"])
    workload = paths["/api/v1/hotline/workload"]["get"]
    assert {p["name"] for p in workload["parameters"]} == {"from", "to"}
    assert "civil hotline" in schema["info"]["description"]
    assert "contact_email" not in str(schema["components"]["schemas"])
