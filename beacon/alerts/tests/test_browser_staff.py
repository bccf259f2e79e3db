"""A real browser (Debian's Chromium driven by Playwright) walks a search notice through the staff
pages: carla prepares it from the case with a synthetic photo and submits it; tess approves,
publishes and withdraws it, and the withdrawal report follows the channels by itself (HTMX)."""

import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from beacon.alerts.choices import ChannelStatus, NoticeStatus
from beacon.alerts.models import NoticeChannel, Rendition, SearchNotice

# The `page` fixture (Chromium, offline check), the screenshots' folder and the log-in of the
# case tests.
from beacon.cases.tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401
from conftest import synthetic_photo

# Playwright's sync API runs an event loop in this thread; the ORM calls below are ours, not async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def run_tasks() -> None:
    """What the worker would do: publish the channels, purge the files. The in-memory test
    database locks a whole table while the live server answers the page's refresh; the worker's
    loop would simply try again, and so does this."""
    from django.db.utils import OperationalError
    from django_tasks_db.models import DBTaskResult

    for attempt in range(10):
        try:
            call_command(
                "db_worker",
                batch=True,
                queue_name="*",
                reload=False,
                startup_delay=False,
                verbosity=0,
            )
            break
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 9:
                raise
            time.sleep(0.2)
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert not failed.exists(), [(t.task_path, t.traceback) for t in failed]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shot(page, name: str) -> None:  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notice-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_notice_is_prepared_approved_published_and_withdrawn(
    live_server,
    cast,
    open_case,
    private_storage,
    settings,
    page,  # noqa: F811
):
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"
    base = live_server.url

    # Carla prepares the notice from the case.
    log_in(page, base, cast["case_manager"])
    page.goto(f"{base}/cases/{open_case.pk}/")
    page.click("text=Prepare a search notice")
    page.wait_for_url(f"{base}/notices/new/?case={open_case.pk}")
    assert page.input_value("#id_display_name") == "Lotte"
    # A discrete notice offers the vignette, not the public channels.
    page.check("input[name=kind][value=discrete]")
    assert page.is_visible("#id_channel_vignette") and not page.is_visible("#id_channel_page")
    page.check("input[name=kind][value=public]")
    assert not page.is_visible("#id_channel_vignette")
    page.check("#id_channel_feed")
    # Only the chosen languages' texts are asked for.
    assert page.is_visible("textarea[name=description_fr]")
    assert not page.is_visible("textarea[name=description_de]")
    page.fill(
        "textarea[name=description_nl]", "1,60 m, lang bruin haar, blauwe jas, witte sneakers."
    )
    page.fill(
        "textarea[name=description_fr]",
        "1,60 m, longs cheveux bruns, veste bleue, baskets blanches.",
    )
    page.check("input[name=still_missing]")
    shot(page, "1-form")
    page.click("button:text('Prepare the notice')")
    notice = SearchNotice.objects.get()
    page.wait_for_url(f"{base}/notices/{notice.pk}/")
    assert page.locator("#notice-status").inner_text() == "draft"

    # A synthetic photo (with GPS data the upload strips), then the authority's agreement.
    page.set_input_files(
        "#id_photo",
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": synthetic_photo()}],
    )
    page.click("button:text('Add the photo')")
    page.wait_for_selector(".notice-photos img")
    assert page.evaluate("document.querySelector('.notice-photos img').naturalWidth") > 0
    now = timezone.now()
    page.fill("#id_authority_name", "Public prosecutor, Testville")
    page.fill("#id_authority_agreed_by", "Magistrate on duty")
    page.fill("#id_authority_agreed_at", local(now - timedelta(minutes=30)))
    page.fill("#id_parents_informed_at", local(now - timedelta(minutes=20)))
    page.click("#agreement button:text('Record')")
    page.wait_for_selector("text=The authority's agreement is recorded.")
    page.click("button:text('Submit for approval')")
    page.wait_for_selector("#waiting-second-person")
    assert page.locator("#notice-status").inner_text() == "awaiting approval"
    assert page.locator("#approve").count() == 0  # no approve button for her own notice
    shot(page, "2-submitted")

    # Tess finds it in her queue, approves and publishes it.
    page.context.clear_cookies()
    log_in(page, base, cast["team_lead"])
    page.click("header >> text=Search notices")
    page.wait_for_selector("#approval-queue")
    shot(page, "3-queue")
    page.click(f"#approval-queue >> text={notice.public_id}")
    page.wait_for_url(f"{base}/notices/{notice.pk}/")
    shot(page, "3-to-approve-notice")
    page.click("#approve button:text('Approve')")
    page.wait_for_selector("text=Approved. The notice can now be published.")
    page.click("button:text('Publish now')")
    page.wait_for_selector("#report-live")  # channels going out: the report refreshes itself
    shot(page, "4-publishing")
    run_tasks()
    page.wait_for_selector("#channel-feed >> text=published")
    page.wait_for_selector("#report-live", state="detached")
    assert set(NoticeChannel.objects.values_list("status", flat=True)) == {ChannelStatus.PUBLISHED}
    shot(page, "5-published")

    # The withdrawal: a reason and a confirmation, then every channel at once.
    assert page.get_attribute("#id_confirm", "required") is not None
    page.fill("#id_reason", "found safe")
    page.check("#id_confirm")
    page.click("button:text('Withdraw everywhere')")
    page.wait_for_selector("text=Withdrawn from every channel.")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN
    run_tasks()  # the published files are deleted
    page.wait_for_selector("#report-live", state="detached")
    assert not Rendition.objects.filter(notice=notice, deleted_at__isnull=True).exists()
    report = page.locator("#withdrawal-report").inner_text()
    assert "Withdrawal report" in report
    assert page.locator("#channel-page").inner_text().count("withdrawn") >= 1
    shot(page, "6-withdrawn")
    assert page.outside_requests == []
