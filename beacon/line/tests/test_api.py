"""The line API: log, open a case from a call, end with a version, errors in the usual shapes."""

from datetime import timedelta

from django.utils import timezone

from beacon.cases.models import Case
from beacon.cases.tests.test_api import API, bearer, call, locs  # noqa: F401 (fixture)
from beacon.line.models import Call


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


def test_log_a_tip_about_a_case_and_end_it(client, bearer, open_case):  # noqa: F811
    headers = bearer("first_responder")
    created = call(client, "post", f"{API}/line/calls", headers, body(case_id=open_case.pk))
    assert created.status_code == 201, created.json()
    tip = created.json()
    assert (tip["case_id"], tip["flagged"], tip["ended_at"]) == (open_case.pk, True, None)
    ended = call(
        client,
        "patch",
        f"{API}/line/calls/{tip['id']}",
        headers,
        {"version": tip["version"], "ended_at": timezone.now().isoformat()},
    )
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    stale = call(
        client,
        "patch",
        f"{API}/line/calls/{tip['id']}",
        headers,
        {"version": tip["version"], "note": "again"},
    )
    assert stale.status_code == 409
    board = call(client, "get", f"{API}/line/board", headers).json()
    assert board["calls_today"] == 1 and board["flagged_tips"] == 1 and len(board["per_hour"]) == 24


def test_a_call_that_ends_before_it_starts_is_a_422_on_ended_at(client, bearer):  # noqa: F811
    start = timezone.now() - timedelta(hours=1)
    response = call(
        client,
        "post",
        f"{API}/line/calls",
        bearer("first_responder"),
        body(started_at=start.isoformat(), ended_at=(start - timedelta(minutes=1)).isoformat()),
    )
    assert response.status_code == 422 and ["body", "ended_at"] in locs(response)
    assert not Call.objects.exists()


def test_open_a_case_from_a_call(client, bearer):  # noqa: F811
    response = call(
        client,
        "post",
        f"{API}/line/calls",
        bearer("first_responder"),
        body(
            channel="116000",
            caller_kind="parent",
            open_case={
                "person": {
                    "first_name": "Finn",
                    "last_name": "Example",
                    "date_of_birth": "2011-01-01",
                },
                "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            },
        ),
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json()["case_id"] == case.pk and case.reporter_kind == "parent"


def test_roles_off_the_line_get_403(client, bearer):  # noqa: F811
    for role in ("finance", "analyst", "statistics_reader"):
        assert call(client, "get", f"{API}/line/board", bearer(role)).status_code == 403
        assert call(client, "post", f"{API}/line/calls", bearer(role), body()).status_code == 403
    assert not Call.objects.exists()
