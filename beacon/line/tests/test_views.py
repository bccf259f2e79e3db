"""The line's pages: the board for the roles that work the line, the one-screen log."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from beacon.cases.models import Case
from beacon.cases.tests.test_views import local, login
from beacon.line.models import Call


def form(**overrides) -> dict:
    data = {
        "channel": "116000",
        "started_at": local(timezone.now() - timedelta(minutes=4)),
        "end_now": "on",
        "language": "nl",
        "caller_kind": "parent",
        "topic": "cat:runaway",
        "note": "Father calls about his son",
        "action": "log",
        "gender": "unknown",
    }
    data.update(overrides)
    return data


def test_the_board_is_for_the_line_and_refreshes_itself(client, cast):
    page = login(client, cast["first_responder"]).get(reverse("line:board")).content.decode()
    assert 'hx-trigger="every 15s"' in page and "Calls per hour today" in page
    fragment = client.get(reverse("line:board"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="today-count"' in fragment
    client.logout()
    login(client, cast["finance"])
    assert client.get(reverse("line:board")).status_code == 403


def test_a_call_is_logged_on_one_screen_and_linked_by_case_number(client, cast, open_case):
    login(client, cast["first_responder"])
    response = client.post(reverse("line:new"), form(case_number=open_case.number))
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.case == open_case and call.ended_at is not None
    board = client.get(reverse("line:board")).content.decode()
    assert 'id="today-count">1<' in board


def test_an_unknown_case_number_and_a_bad_time_are_shown_on_their_fields(client, cast):
    login(client, cast["first_responder"])
    response = client.post(
        reverse("line:new"),
        form(
            case_number="MC-2099-000001",
            end_now="",
            ended_at=local(timezone.now() - timedelta(hours=2)),
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "No such case." in body or "before it starts" in body
    assert not Call.objects.exists()


def test_a_case_is_opened_from_the_call(client, cast):
    login(client, cast["first_responder"])
    response = client.post(
        reverse("line:new"),
        form(
            action="open_case",
            first_name="Wout",
            last_name="Example",
            date_of_birth="2012-02-02",
            gender="male",
            last_seen_at=local(timezone.now() - timedelta(hours=3)),
            last_seen_place="Park",
        ),
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert Call.objects.get().case == case
    page = client.get(response.url).content.decode()
    assert "Calls about this case" in page and "Father calls about his son" in page
