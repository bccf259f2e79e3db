"""A real browser logs a call on the line, opens a case from it, then logs a second call about
that case found by the child's name."""

from datetime import timedelta

import pytest
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401 (fixture)
from beacon.line.models import Call

NOTE = "Mother calls: her daughter did not come home from school"


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
    page.fill("#id_note", NOTE)
    page.fill("#id_first_name", "Lou")
    page.fill("#id_last_name", "Browsertest")
    page.fill("#id_date_of_birth", "2012-03-03")
    page.select_option("#id_gender", "female")
    seen = timezone.localtime(timezone.now() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_last_seen_at", seen)
    page.fill("#id_last_seen_place", "School gate, Exampleville")
    assert page.input_value("#id_ended_at") == ""
    page.click("#end-call")  # the call is over: its end is now
    page.wait_for_function("document.getElementById('id_ended_at').value !== ''")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "line-call.png"), full_page=True)
    page.click("text=Log the call and open the case")

    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.is_visible("text=Calls about this case")
    timeline = page.locator("section.card", has=page.locator("h2", has_text="Timeline"))
    assert timeline.locator("li", has_text=NOTE).count() == 1
    assert "contact on the line" in timeline.inner_text()
    call = Call.objects.get()
    assert call.ended_at is not None and call.ended_at >= call.started_at
    assert (call.case_id, call.language, case.summary, case.person.first_name) == (
        case.pk,
        "fr",
        NOTE,
        "Lou",
    )

    # A second call about the same child: the case is found by her name and picked.
    page.click("text=Log a call about this case")
    assert page.input_value("#id_case_number") == case.number
    page.fill("#id_case_number", "")
    page.fill("#id_case_number", "browsert")
    page.click(f"#case-results button:has-text('{case.number}')")
    assert page.input_value("#id_case_number") == case.number
    page.select_option("#id_channel", "116800")
    page.select_option("#id_caller_kind", "witness")
    page.select_option("#id_topic", "cat:runaway")
    page.fill("#id_note", "Seen at the tram stop")
    page.click("text=Log the call")
    page.wait_for_url(f"{live_server.url}/line/")
    assert page.inner_text("#today-count") == "2"
    assert page.inner_text("#open-count") == "1"  # the tip was not ended
    assert page.inner_text("#tips-count") == "1"
    assert TimelineEntry.objects.filter(case=case, kind="tip").count() == 1
    assert page.outside_requests == []
