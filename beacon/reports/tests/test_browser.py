"""A real browser files a report as the public would, then an analyst works it: the URL is only
ever text, the assessment proposes the notices, and confirming them writes their outbox messages."""

import re

import pytest

from beacon.cases.tests.test_browser import ARTIFACTS, page  # noqa: F401 (fixture)
from beacon.core.models import OutboxMessage
from beacon.reports.models import Notice, Report, UrlItem
from conftest import PASSWORD

ABUSE_URL = "https://abuse-host.example.org/gallery/1"
IDN_URL = "https://bücher.example.org/x"
IDN_PUNYCODE = "xn--bcher-kva.example.org"


def attributes_naming(shown, text: str) -> list[str]:
    """Every href, src, action or formaction on the page shown that mentions `text`."""
    return shown.evaluate(
        """(text) => Array.from(document.querySelectorAll('[href],[src],[action],[formaction]'))
            .flatMap(el => ['href', 'src', 'action', 'formaction']
                .map(name => el.getAttribute(name)).filter(v => v && v.includes(text)))""",
        text,
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_public_reports_and_an_analyst_works_it(live_server, cast, page):  # noqa: F811
    # --- the public: no account, the form in their browser's language -----------------------
    page.goto(f"{live_server.url}/report/")
    page.wait_for_url(f"{live_server.url}/report/en/")
    page.fill("#id_urls", f"{ABUSE_URL}\n{IDN_URL}\n")
    page.click("label:text-is('a social media platform')")
    page.select_option("#id_platform", label="Telegram")
    page.fill("#id_description", "Two links posted in a public channel.")
    page.click("button:text('Send the report')")
    page.wait_for_url(re.compile(r".*/report/en/thanks/\?r=.*"))
    number = page.locator("p.number strong").inner_text()
    assert re.fullmatch(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}", number)
    assert page.context.cookies() == []  # the public pages set no cookie
    report = Report.objects.get()
    assert (report.number, report.where_seen, report.platform.key) == (
        number,
        "social_media",
        "telegram",
    )
    assert sorted(UrlItem.objects.values_list("host", flat=True)) == [
        "abuse-host.example.org",
        IDN_PUNYCODE,
    ]

    # --- the analyst: the queue, the URL as text, assess, confirm -----------------------------
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", cast["analyst"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/hotline/")  # analysts start on the queue
    page.click("nav >> text=Civil hotline")
    page.wait_for_url(f"{live_server.url}/hotline/")
    queue = page.locator("table.list tbody")
    assert queue.locator("tr").count() == 2
    assert IDN_PUNYCODE in queue.inner_text()
    assert attributes_naming(page, "example.org") == []

    item = UrlItem.objects.get(host="abuse-host.example.org")
    row = queue.locator("tr", has_text="abuse-host.example.org")
    row.locator(f"a:text-is('{item.pk}')").click()
    page.wait_for_url(f"{live_server.url}/hotline/urls/{item.pk}/")
    assert page.locator("#item-url").inner_text() == ABUSE_URL
    assert page.locator("#item-url").evaluate("el => el.closest('a')") is None
    assert attributes_naming(page, "abuse-host") == []
    assert number in page.inner_text("main")

    page.check("#id_accessible_0")  # yes, the analyst could see it
    page.select_option("#id_classification", "baseline")
    page.select_option("#id_age_group", "pre_pubescent")
    page.select_option("#id_gender", "female")
    page.select_option("#id_content_type", "image")
    page.select_option("#id_site_type", "social_network")
    page.fill("#id_hosting_country", "NL")
    page.click("button:text('Save assessment')")
    page.wait_for_selector("#actions")
    proposed = page.locator("#actions p").first.inner_text()
    assert "INHOPE hotline" in proposed and "DSA Article 16" in proposed
    assert page.locator("#actions input[name=actions]:checked").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hotline-proposed.png"), full_page=True)
    page.click("button:text('Confirm the actions')")
    page.wait_for_selector(".notice")

    notices = list(Notice.objects.filter(item=item).order_by("kind"))
    assert [(n.kind, n.recipient_country) for n in notices] == [("hotline", "NL"), ("platform", "")]
    assert {m.status for m in OutboxMessage.objects.all()} == {"pending"}
    text = page.inner_text("main")
    for notice in notices:
        assert notice.reference in text
    assert attributes_naming(page, "abuse-host") == []
    item.refresh_from_db()
    assert (item.status, item.actions) == ("actioned", ["hotline", "platform"])
    page.screenshot(path=str(ARTIFACTS / "hotline-item.png"), full_page=True)
    assert page.outside_requests == []
