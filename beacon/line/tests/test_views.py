"""The line's pages: the board for the roles that work the line, the one-screen log, the case
search, and the calls on the case page."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
from beacon.cases.tests.test_exploitation import exploitation
from beacon.cases.tests.test_views import local, login
from beacon.core.models import AuditRecord
from beacon.line.models import Call
from beacon.line.services import call_log
from beacon.people.models import Person


def form(**overrides) -> dict:
    data = {
        "channel": "116000",
        # Four minutes ago, but today (local): a run just after midnight counts it today too.
        "started_at": local(
            max(
                timezone.now() - timedelta(minutes=4),
                timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
            )
        ),
        "ended_at": local(timezone.now()),
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
    assert f'href="{reverse("line:board")}"' in page  # the nav link
    fragment = client.get(reverse("line:board"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="today-count"' in fragment
    client.logout()
    login(client, cast["case_manager"])
    assert client.get(reverse("line:board")).status_code == 200
    assert client.get(reverse("line:new")).status_code == 403  # reads the line, does not log
    for role in ("finance", "analyst", "statistics_reader"):
        client.logout()
        login(client, cast[role])
        assert client.get(reverse("line:board")).status_code == 403


def test_the_form_starts_now_and_the_end_call_button_fills_in_now(client, cast):
    login(client, cast["first_responder"])
    page = client.get(reverse("line:new")).content.decode()
    assert 'name="started_at" value="' + local(timezone.now())[:13] in page
    assert f'hx-get="{reverse("line:now")}"' in page
    field = client.get(reverse("line:now"), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="ended_at"' in field and 'id="id_ended_at"' in field
    assert local(timezone.now())[:13] in field  # the date and hour of now, local


def test_a_call_is_logged_on_one_screen_and_linked_by_case_number(client, cast, open_case):
    login(client, cast["first_responder"])
    response = client.post(reverse("line:new"), form(case_number=open_case.number.lower()))
    assert response.status_code == 302 and response.url == reverse("line:board")
    call = Call.objects.get()
    assert call.case == open_case and call.ended_at is not None and call.language == "nl"
    assert TimelineEntry.objects.filter(case=open_case, kind="call").count() == 1
    board = client.get(reverse("line:board")).content.decode()
    assert 'id="today-count">1<' in board and 'id="open-count">0<' in board


def test_an_open_call_is_ended_from_the_board(client, cast):
    login(client, cast["first_responder"])
    assert client.post(reverse("line:new"), form(ended_at="")).status_code == 302
    call = Call.objects.get()
    assert call.is_open
    board = client.get(reverse("line:board")).content.decode()
    assert 'id="open-count">1<' in board and reverse("line:end", args=[call.pk]) in board
    client.post(reverse("line:end", args=[call.pk]), {"version": "1"})
    call.refresh_from_db()
    assert call.ended_at is not None and call.version == 2
    # A second click (an older copy of the board) changes nothing and says why.
    response = client.post(reverse("line:end", args=[call.pk]), {"version": "1"}, follow=True)
    assert "The call has already ended." in response.content.decode()
    assert Call.objects.get().version == 2


def test_bad_input_is_shown_on_its_fields_and_nothing_is_saved(client, cast, open_case):
    login(client, cast["first_responder"])
    before = (Call.objects.count(), TimelineEntry.objects.count(), AuditRecord.objects.count())
    start = timezone.now() - timedelta(hours=1)
    response = client.post(
        reverse("line:new"),
        form(
            started_at=local(start),
            ended_at=local(start - timedelta(hours=1)),
            case_number=open_case.number,
            note="bell\x07",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "before it starts" in " ".join(errors["ended_at"])
    assert "note" in errors
    response = client.post(reverse("line:new"), form(case_number="MC-2099-000001"))
    assert response.context["form"].errors["case_number"] == ["No such case."]
    response = client.post(reverse("line:new"), form(topic="internet_safety", ended_at=""))
    assert response.status_code == 302  # another topic needs no category
    assert before[0] + 1 == Call.objects.count()
    assert TimelineEntry.objects.count() == before[1]


def test_the_case_search_finds_by_number_or_name_only_cases_the_user_may_open(
    client, cast, open_case
):
    restricted = exploitation(cast["case_manager"], facts={"victim_age": 15})
    login(client, cast["first_responder"])
    url = reverse("line:case_search")
    by_name = client.get(url, {"case_number": "lotte"}, HTTP_HX_REQUEST="true").content.decode()
    assert open_case.number in by_name and "Lotte Testperson" in by_name
    by_number = client.get(url, {"case_number": open_case.number}).content.decode()
    assert open_case.number in by_number
    hidden = client.get(url, {"case_number": restricted.number}).content.decode()
    assert restricted.number not in hidden and "No case found" in hidden
    assert "Test" not in client.get(url, {"case_number": "t"}).content.decode()  # too short
    client.logout()
    login(client, cast["case_manager"])
    assert client.get(url, {"case_number": "lotte"}).status_code == 403


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
    assert (case.person.first_name, case.summary) == ("Wout", "Father calls about his son")
    page = client.get(response.url).content.decode()
    assert "Calls about this case" in page and "Father calls about his son" in page


def test_opening_a_case_from_a_bad_call_shows_every_error_and_saves_nothing(client, cast):
    login(client, cast["first_responder"])
    before = (Call.objects.count(), Case.objects.count(), Person.objects.count())
    response = client.post(
        reverse("line:new"),
        form(
            action="open_case",
            first_name="",
            last_name="Example",
            date_of_birth="2012-02-02",
            last_seen_at=local(timezone.now() + timedelta(hours=3)),
            note="\x1b",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"first_name", "last_seen_at", "note"} <= set(errors)
    assert (Call.objects.count(), Case.objects.count(), Person.objects.count()) == before


def test_a_flagged_tip_shows_on_the_case_page_until_its_manager_reads_it(client, cast, open_case):
    tip = call_log(
        actor=cast["first_responder"],
        case=open_case,
        channel="116800",
        caller_kind="witness",
        topic_kind="case_category",
        topic_category="runaway",
        note="Seen near the harbour",
    )
    url = reverse("cases:detail", args=[open_case.pk])
    acknowledge = reverse("line:acknowledge", args=[tip.pk])
    login(client, cast["first_responder"])
    page = client.get(url).content.decode()
    assert "new tip, not yet read" in page and acknowledge not in page  # may not change the case
    assert client.post(acknowledge).status_code == 403
    client.logout()
    login(client, cast["case_manager"])
    page = client.get(url).content.decode()
    assert "new tip, not yet read" in page and acknowledge in page
    assert client.post(acknowledge).url == url
    tip.refresh_from_db()
    assert tip.flag_acknowledged_by == cast["case_manager"]
    page = client.get(url).content.decode()
    assert "new tip, not yet read" not in page and "Read by carla" in page
