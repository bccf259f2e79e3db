"""The line API: log, open a case from a call, end with a version, errors in the usual shapes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
from beacon.cases.tests.test_api import API, bearer, call, locs  # noqa: F401 (fixture)
from beacon.cases.tests.test_exploitation import exploitation
from beacon.core.models import AuditRecord
from beacon.line.models import Call
from beacon.people.models import Person

CALLS = f"{API}/line/calls"


def body(**overrides) -> dict:
    data = {
        "channel": "116800",
        "caller_kind": "witness",
        "topic_kind": "case_category",
        "topic_category": "runaway",
        "note": "Saw the girl on the poster at the station",
    }
    data.update(overrides)
    return data


def written() -> tuple[int, ...]:
    return (
        Call.objects.count(),
        Case.objects.count(),
        Person.objects.count(),
        TimelineEntry.objects.count(),
        AuditRecord.objects.exclude(action="denied").count(),
    )


def test_log_a_tip_about_a_case_end_it_and_read_the_board(client, bearer, open_case):  # noqa: F811
    headers = bearer("first_responder")
    created = call(client, "post", CALLS, headers, body(case_id=open_case.pk))
    assert created.status_code == 201, created.json()
    tip = created.json()
    assert (tip["case_id"], tip["flagged"], tip["ended_at"], tip["taken_by"]) == (
        open_case.pk,
        True,
        None,
        "fred",
    )
    assert call(client, "get", f"{CALLS}/{tip['id']}", headers).json() == tip
    board = call(client, "get", f"{API}/line/board", headers).json()
    assert (board["open_calls"], board["calls_today"], board["flagged_tips"]) == (1, 1, 1)
    assert board["calls_116000_today"] == 0  # a tip on 116 800 is not a call to 116 000
    assert len(board["per_hour"]) == 24 and sum(board["per_hour"]) == 1
    ended = call(client, "post", f"{CALLS}/{tip['id']}/end", headers, {"version": 1})
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert ended.json()["version"] == 2
    again = call(client, "post", f"{CALLS}/{tip['id']}/end", headers, {"version": 2})
    assert again.status_code == 422 and locs(again) == [["body", "ended_at"]]
    assert call(client, "get", f"{API}/line/board", headers).json()["open_calls"] == 0


def test_a_stale_version_is_a_409_and_changes_nothing(client, bearer):  # noqa: F811
    headers = bearer("first_responder")
    tip = call(client, "post", CALLS, headers, body(topic_kind="out_of_scope", topic_category=None))
    url = f"{CALLS}/{tip.json()['id']}"
    fixed = call(client, "patch", url, headers, {"version": 1, "note": "Hung up"})
    assert fixed.status_code == 200 and fixed.json()["version"] == 2
    for method, path, data in (
        ("patch", url, {"version": 1, "note": "Mine"}),
        ("post", f"{url}/end", {"version": 1}),
    ):
        stale = call(client, method, path, headers, data)
        assert stale.status_code == 409 and "changed this call" in stale.json()["detail"]
    stored = Call.objects.get()
    assert (stored.note, stored.version, stored.ended_at) == ("Hung up", 2, None)


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"ended_at": "before"}, ["body", "ended_at"]),
        ({"started_at": "future"}, ["body", "started_at"]),
        ({"topic_category": None}, ["body", "topic_category"]),
        ({"topic_kind": "out_of_scope"}, ["body", "topic_category"]),
        ({"topic_category": "legacy_international_parental_abduction"}, ["body", "topic_category"]),
        ({"note": "a\x00b"}, ["body", "note"]),
        ({"channel": "carrier_pigeon"}, ["body", "channel"]),
        ({"callback_due_at": "before"}, ["body", "callback_due_at"]),
        ({"case_id": 999_999}, ["body", "case_id"]),
        ({"started_at": "not a time"}, ["body", "started_at"]),
    ],
)
def test_bad_calls_are_422s_located_on_their_field(client, bearer, overrides, loc):  # noqa: F811
    start = timezone.now() - timedelta(hours=1)
    data = body(started_at=start.isoformat())
    for name, value in overrides.items():
        if value == "before":
            value = (start - timedelta(minutes=1)).isoformat()
        elif value == "future":
            value = (timezone.now() + timedelta(minutes=10)).isoformat()
        data[name] = value
    headers = bearer("first_responder")  # creating the token is audited
    before = written()
    response = call(client, "post", CALLS, headers, data)
    assert response.status_code == 422, response.json()
    assert locs(response) == [loc]
    assert written() == before


def test_open_a_case_from_a_call(client, bearer):  # noqa: F811
    response = call(
        client,
        "post",
        CALLS,
        bearer("first_responder"),
        body(
            channel="116000",
            caller_kind="parent",
            note="Daughter did not come back from training",
            open_case={
                "person": {
                    "first_name": "Finn",
                    "last_name": "Example",
                    "date_of_birth": "2011-01-01",
                },
                "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
                "last_seen_place": "Sports hall",
            },
        ),
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json()["case_id"] == case.pk and not response.json()["flagged"]
    assert (case.reporter_kind, case.channel, case.summary, case.person.first_name) == (
        "parent",
        "116000",
        "Daughter did not come back from training",
        "Finn",
    )
    assert TimelineEntry.objects.filter(case=case, kind="call").count() == 1


def test_opening_a_case_from_a_bad_call_locates_every_error_and_saves_nothing(client, bearer):  # noqa: F811
    start = timezone.now() - timedelta(hours=1)
    headers = bearer("first_responder")
    before = written()
    response = call(
        client,
        "post",
        CALLS,
        headers,
        body(
            channel="116000",
            started_at=start.isoformat(),
            ended_at=(start - timedelta(minutes=1)).isoformat(),
            open_case={
                "person": {"first_name": "", "last_name": "Example", "estimated_age": 10},
                "last_seen_at": (timezone.now() + timedelta(hours=2)).isoformat(),
            },
        ),
    )
    assert response.status_code == 422
    assert sorted(locs(response)) == [
        ["body", "ended_at"],
        ["body", "open_case", "last_seen_at"],
        ["body", "open_case", "person", "first_name"],
    ]
    assert written() == before
    both = call(
        client,
        "post",
        CALLS,
        headers,
        body(case_id=1, open_case={"person": {"first_name": "A", "last_name": "B"}}),
    )
    assert both.status_code == 422 and locs(both) == [["body", "open_case"]]


def test_a_call_is_linked_to_a_case_with_a_patch_but_not_to_one_the_user_may_not_open(
    client,
    bearer,  # noqa: F811
    cast,
    open_case,
):
    restricted = exploitation(cast["case_manager"], facts={"victim_age": 15})
    headers = bearer("first_responder")
    created = call(client, "post", CALLS, headers, body()).json()
    url = f"{CALLS}/{created['id']}"
    hidden = call(client, "patch", url, headers, {"version": 1, "case_id": restricted.pk})
    assert hidden.status_code == 422 and locs(hidden) == [["body", "case_id"]]
    assert hidden.json()["detail"][0]["msg"] == "No such case."
    linked = call(client, "patch", url, headers, {"version": 1, "case_id": open_case.pk})
    assert linked.status_code == 200 and linked.json()["case_id"] == open_case.pk
    assert linked.json()["flagged"] is True  # a 116 800 tip about a missing child


def test_acknowledge_a_tip_and_mark_a_callback_done(client, bearer, open_case):  # noqa: F811
    start = timezone.now() - timedelta(hours=1)
    tip = call(
        client,
        "post",
        CALLS,
        bearer("first_responder"),
        body(
            case_id=open_case.pk,
            started_at=start.isoformat(),
            callback_due_at=(start + timedelta(minutes=10)).isoformat(),
        ),
    ).json()
    url = f"{CALLS}/{tip['id']}"
    denied = call(client, "post", f"{url}/acknowledge", bearer("first_responder"))
    assert denied.status_code == 403
    read = call(client, "post", f"{url}/acknowledge", bearer("case_manager"))
    assert read.status_code == 200 and read.json()["flag_acknowledged_at"] is not None
    board = call(client, "get", f"{API}/line/board", bearer("case_manager")).json()
    assert (board["flagged_tips"], board["callbacks_due"]) == (0, 1)
    done = call(client, "post", f"{url}/callback-done", bearer("first_responder"), {"version": 1})
    assert done.status_code == 200 and done.json()["callback_done_at"] is not None
    board = call(client, "get", f"{API}/line/board", bearer("case_manager")).json()
    assert board["callbacks_due"] == 0


def test_the_list_is_paged_by_cursor_and_filtered(client, bearer, cast):  # noqa: F811
    from beacon.line.services import call_log

    start = timezone.now() - timedelta(hours=5)
    for minutes in range(55):
        call_log(
            actor=cast["first_responder"],
            channel="chat" if minutes % 5 == 0 else "116000",
            caller_kind="child",
            topic_kind="out_of_scope",
            started_at=start + timedelta(minutes=minutes),
            ended_at=start + timedelta(minutes=minutes, seconds=30),
        )
    headers = bearer("case_manager")
    first = call(client, "get", CALLS, headers).json()
    assert len(first["items"]) == 50 and first["next_cursor"]
    second = call(client, "get", f"{CALLS}?cursor={first['next_cursor']}", headers).json()
    assert len(second["items"]) == 5 and second["next_cursor"] is None
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert ids == list(Call.objects.order_by("-started_at", "-id").values_list("pk", flat=True))
    chats = call(client, "get", f"{CALLS}?channel=chat", headers).json()
    assert len(chats["items"]) == 11
    forged = call(client, "get", f"{CALLS}?cursor=nonsense", headers)
    assert forged.status_code == 422 and locs(forged) == [["query", "cursor"]]
    assert call(client, "get", f"{CALLS}/999999", headers).status_code == 404


def test_roles_off_the_line_get_403_and_the_refusal_is_audited(client, bearer, cast):  # noqa: F811
    from beacon.line.services import call_log

    existing = call_log(
        actor=cast["first_responder"],
        channel="116000",
        caller_kind="child",
        topic_kind="out_of_scope",
    )
    tokens = {role: bearer(role) for role in ("finance", "analyst", "statistics_reader")}
    manager = bearer("case_manager")
    before = written()
    for headers in tokens.values():
        denied = AuditRecord.objects.filter(action="denied").count()
        assert call(client, "get", f"{API}/line/board", headers).status_code == 403
        assert call(client, "get", CALLS, headers).status_code == 403
        assert call(client, "get", f"{CALLS}/{existing.pk}", headers).status_code == 403
        assert call(client, "post", CALLS, headers, body()).status_code == 403
        ended = call(client, "post", f"{CALLS}/{existing.pk}/end", headers, {"version": 1})
        assert ended.status_code == 403
        assert AuditRecord.objects.filter(action="denied").count() == denied + 5
    logging = call(client, "post", CALLS, manager, body())
    assert logging.status_code == 403  # case managers read the line; responders log it
    assert written() == before
    existing.refresh_from_db()
    assert existing.version == 1 and existing.ended_at is None


def test_the_openapi_schema_documents_the_line(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/line/calls",
        "/api/v1/line/calls/{call_id}",
        "/api/v1/line/calls/{call_id}/end",
        "/api/v1/line/calls/{call_id}/callback-done",
        "/api/v1/line/calls/{call_id}/acknowledge",
        "/api/v1/line/board",
    } <= set(paths)
    logging = paths["/api/v1/line/calls"]["post"]
    assert logging["summary"].startswith("Log a call") and "422" in logging["responses"]
    assert "409" in paths["/api/v1/line/calls/{call_id}/end"]["post"]["responses"]
