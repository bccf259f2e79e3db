"""A real browser logs a call on the line and opens a case from it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from beacon.cases.models import Case
from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401 (fixture)
from beacon.line.models import Call


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_responder_logs_a_call_and_opens_a_case_from_it(live_server, cast, page):  # noqa: F811
    log_in(page, live_server.url, cast["first_responder"])
    page.click("nav >> text=Line")
    page.wait_for_url(f"{live_server.url}/line/")
    page.click("text=Log a call")
    page.select_option("#id_channel", "116000")
    page.select_option("#id_language", "fr")
    page.select_option("#id_caller_kind", "parent")
    page.select_option("#id_topic", "cat:runaway")
    page.fill("#id_note", "Mother calls: her daughter did not come home from school")
    page.check("#id_end_now")
    page.fill("#id_first_name", "Lou")
    page.fill("#id_last_name", "Browsertest")
    page.fill("#id_date_of_birth", "2012-03-03")
    page.select_option("#id_gender", "female")
    seen = timezone.localtime(timezone.now() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_last_seen_at", seen)
    page.fill("#id_last_seen_place", "School gate, Exampleville")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "line-call.png"), full_page=True)
    page.click("text=Log the call and open the case")

    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.is_visible("text=Calls about this case")
    assert page.is_visible("text=Mother calls: her daughter did not come home from school")
    call = Call.objects.get()
    assert (call.case_id, call.language, case.summary) == (
        case.pk,
        "fr",
        "Mother calls: her daughter did not come home from school",
    )
    page.goto(f"{live_server.url}/line/")
    assert page.inner_text("#today-count") == "1"
    assert page.outside_requests == []
