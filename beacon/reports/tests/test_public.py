"""The public report form as a browser uses it: languages, filing, every bad input of the issue
(message shown, nothing written, what was typed shown again), the honeypot, the rate limit."""

import html
import re
from typing import Any

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from beacon.core.models import AuditRecord
from beacon.reports.models import Report, ReportUrl, UrlItem
from beacon.reports.tests.helpers import public_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The counts live in the process's cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def written() -> tuple[int, ...]:
    return (
        Report.objects.count(),
        UrlItem.objects.count(),
        ReportUrl.objects.count(),
        AuditRecord.objects.count(),
        DBTaskResult.objects.count(),
    )


def form_data(**overrides) -> dict[str, Any]:
    return public_form(**overrides)


def post(client, lang: str = "en", **overrides):
    return client.post(f"/report/{lang}/", form_data(**overrides))


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def textarea(response, name: str) -> str:
    match = re.search(
        rf'<textarea name="{name}"[^>]*>\n(.*?)</textarea>', response.content.decode(), re.S
    )
    assert match, name
    return html.unescape(match.group(1))


def test_report_redirects_to_the_browsers_language_or_the_organisations(client, settings):
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="de-BE,de;q=0.9")["Location"] == (
        "/report/de/"
    )
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="fr")["Location"] == "/report/fr/"
    settings.LANGUAGE_CODE = "nl"
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="ja")["Location"] == "/report/nl/"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/report/xx/").status_code == 404
    assert client.post("/report/xx/", form_data()).status_code == 404
    assert written() == (0, 0, 0, 0, 0)


def test_the_form_offers_every_field_and_sets_no_cookie(client):
    response = client.get("/report/en/")

    assert response.status_code == 200
    page = text_of(response)
    for name in ("urls", "where_seen", "platform", "platform_other", "description"):
        assert f'name="{name}"' in page
    assert 'name="contact_email"' in page and 'type="email"' in page
    # Where it was seen: the five choices as radio buttons.
    assert page.count('type="radio" name="where_seen"') == 5
    # The platforms are the active ones, with "another platform" last.
    options = re.findall(r'<option value="([^"]*)"', page)
    assert options[0] == "" and options[-1] == "other"
    assert {"telegram", "tiktok", "instagram", "whatsapp"} <= set(options)
    # The honeypot is there, out of sight.
    assert 'class="trap" aria-hidden="true"' in page and 'name="website"' in page
    # Its own look, not the staff UI's.
    assert "beacon/public.css" in page and "beacon/beacon.css" not in page
    assert "Log out" not in page
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


def test_inactive_platforms_are_not_offered(client):
    from beacon.reports.models import Platform

    Platform.objects.filter(key="reddit").update(active=False)

    options = re.findall(r'<option value="([^"]*)"', text_of(client.get("/report/en/")))
    assert "reddit" not in options


def test_a_report_is_filed_and_its_number_shown(client):
    response = post(
        client,
        urls="https://bücher.example/a\r\n\r\nhttp://198.51.100.20/b",
        where_seen="social_media",
        platform="other",
        platform_other="Some forum",
        description="Seen in a group",
        contact_email="reporter@example.org",
    )

    assert response.status_code == 302
    assert response.cookies == {}
    report = Report.objects.get()
    assert report.language == "en"
    assert report.platform_other == "Some forum"
    assert report.contact_email == "reporter@example.org"
    assert sorted(report.report_urls.values_list("item__url", flat=True)) == [
        "http://198.51.100.20/b",
        "https://xn--bcher-kva.example/a",
    ]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert report.number in text_of(thanks)
    assert "What happens next" in text_of(thanks)
    assert thanks.cookies == {}


def test_the_confirmation_page_needs_its_signed_number(client):
    post(client)
    number = Report.objects.get().number

    assert client.get("/report/en/thanks/").status_code == 404
    assert client.get(f"/report/en/thanks/?r={number}").status_code == 404
    assert client.get("/report/en/thanks/?r=UiIsdGFtcGVyZWQ:1:abc").status_code == 404


def test_the_same_url_from_two_reporters_is_one_item_with_two_reports(client):
    post(client, urls="http://example.org/shared")
    post(client, urls="example.org/shared\nhttp://example.org/shared#again")

    item = UrlItem.objects.get()
    assert item.report_count == 2
    assert ReportUrl.objects.count() == 2


BAD_URLS = [
    ("", "Enter at least one URL."),
    ("   \n  ", "Enter at least one URL."),
    ("http://exa mple.org/", "Line 1: This is not a valid web address."),
    ("http://", "Line 1: This address has no host name"),
    ("http:///only/a/path", "Line 1: This address has no host name"),
    ("http://example.org/" + "a" * 2030, "Line 1: A URL can be at most 2048 characters long."),
    ("javascript:alert(document.cookie)", "Line 1: Only web addresses"),
    ("data:text/html,<b>x</b>", "Line 1: Only web addresses"),
    ("file:///etc/passwd", "Line 1: Only web addresses"),
    ("http://127.0.0.1/", "Line 1: This address points to a private or local network"),
    ("http://10.20.30.40/x", "Line 1: This address points to a private or local network"),
    ("http://169.254.169.254/", "Line 1: This address points to a private or local network"),
    ("http://[::1]/", "Line 1: This address points to a private or local network"),
    ("http://example.org/ok\n\nhttp://localhost/", "Line 3: This address points to a private"),
]


@pytest.mark.parametrize(("urls", "message"), BAD_URLS)
def test_a_bad_url_is_explained_and_everything_typed_is_kept(client, urls, message):
    typed = form_data(
        urls=urls,
        where_seen="messaging",
        platform="whatsapp",
        description="What I saw <b>there</b>",
        contact_email="reporter@example.org",
    )

    response = client.post("/report/en/", typed)

    assert response.status_code == 200
    errors = field_errors(response)
    assert list(errors) == ["urls"]
    assert errors["urls"][0].startswith(message)
    assert message in text_of(response)
    assert "Your report was not sent yet." in text_of(response)
    assert written() == (0, 0, 0, 0, 0)
    # Everything typed comes back as typed (text, never markup).
    assert textarea(response, "urls") == urls
    assert textarea(response, "description") == "What I saw <b>there</b>"
    assert "What I saw &lt;b&gt;there&lt;/b&gt;" in response.content.decode()
    assert 'value="reporter@example.org"' in response.content.decode()
    assert 'value="messaging" id="id_where_seen_2" checked' in response.content.decode()
    assert '<option value="whatsapp" selected>' in response.content.decode()


def test_more_than_50_urls_are_refused_and_kept(client):
    urls = "\n".join(f"http://example.org/{n}" for n in range(51))

    response = post(client, urls=urls)

    assert field_errors(response) == {
        "urls": ["A report can name at most 50 URLs; this one has 51."]
    }
    assert written() == (0, 0, 0, 0, 0)
    assert textarea(response, "urls") == urls


def test_a_bad_email_is_explained_and_kept(client):
    response = post(client, contact_email="not an address", description="kept")

    assert field_errors(response) == {
        "contact_email": ["Enter an e-mail address such as name@example.org."]
    }
    assert written() == (0, 0, 0, 0, 0)
    assert 'value="not an address"' in response.content.decode()
    assert textarea(response, "urls") == "http://example.org/a"


def test_missing_where_seen_and_an_unnamed_other_platform_are_explained(client):
    response = post(client, where_seen="", platform="other")

    assert field_errors(response) == {
        "where_seen": ["Choose where you saw it."],
        "platform_other": ["Name the platform."],
    }
    assert written() == (0, 0, 0, 0, 0)


def test_a_description_over_the_limit_is_explained(client):
    response = post(client, description="x" * 5001)

    assert field_errors(response) == {"description": ["At most 5000 characters (this has 5001)."]}
    assert written() == (0, 0, 0, 0, 0)


def test_an_internationalised_domain_is_accepted_as_punycode(client):
    assert post(client, urls="http://пример.test/страница").status_code == 302

    assert UrlItem.objects.get().url == (
        "http://xn--e1afmkfd.test/%D1%81%D1%82%D1%80%D0%B0%D0%BD%D0%B8%D1%86%D0%B0"
    )


def test_an_ip_literal_on_the_internet_is_accepted(client):
    assert post(client, urls="http://203.0.113.5/x\nhttp://[2001:db8::7]/y").status_code == 302

    assert sorted(UrlItem.objects.values_list("url", flat=True)) == [
        "http://203.0.113.5/x",
        "http://[2001:db8::7]/y",
    ]


def test_a_filled_honeypot_looks_filed_but_stores_nothing(client):
    response = post(client, website="http://spam.example.org/")

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert re.search(r"<strong>R-[A-Z2-9]{4}-[A-Z2-9]{4}</strong>", thanks.content.decode())
    assert written() == (0, 0, 0, 0, 0)


def test_a_body_over_the_size_limit_is_not_read(client):
    response = post(client, description="x" * 300_000)

    assert response.status_code == 413
    assert written() == (0, 0, 0, 0, 0)


def test_a_burst_beyond_the_rate_limit_gets_429_and_loses_nothing_submitted(client, settings):
    settings.HOTLINE_REPORT_RATE = (3, 600)
    assert post(client, urls="http://example.org/1").status_code == 302
    assert post(client, urls="javascript:1").status_code == 200  # refused ones count too
    assert post(client, urls="http://example.org/2").status_code == 302
    before = written()

    response = post(client, urls="http://example.org/3", description="still here")

    assert response.status_code == 429
    assert "Please wait a few minutes" in text_of(response)
    assert textarea(response, "urls") == "http://example.org/3"
    assert textarea(response, "description") == "still here"
    assert written() == before
    assert sorted(UrlItem.objects.values_list("url", flat=True)) == [
        "http://example.org/1",
        "http://example.org/2",
    ]
    # Another address is counted apart; showing the form is never limited.
    assert client.get("/report/en/").status_code == 200
    other = client.post("/report/en/", form_data(), REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 302


def test_the_rate_limit_can_be_switched_off(client, settings):
    settings.HOTLINE_REPORT_RATE = None

    for n in range(15):
        assert post(client, urls=f"http://example.org/{n}").status_code == 302
    assert Report.objects.count() == 15


def test_the_cache_holds_no_address(client, settings):
    settings.HOTLINE_REPORT_RATE = (5, 600)
    client.post("/report/en/", form_data(), REMOTE_ADDR="203.0.113.77")

    keys = list(cache._cache.keys())  # type: ignore[attr-defined]
    assert len(keys) == 1
    assert "203.0.113.77" not in keys[0]
    assert re.search(r"report-rate:[0-9a-f]{64}$", keys[0])


def test_the_form_speaks_the_language_of_its_path(client):
    response = client.get("/report/de/")

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert 'aria-label="Sprache"' in page
    # The switch: the other languages by path, the current one marked.
    assert '<span aria-current="true" lang="de">Deutsch</span>' in page
    for code in ("nl", "fr", "en"):
        assert f'href="/report/{code}/"' in page
    assert 'action="/report/de/"' in page


def test_messages_come_in_the_language_of_the_path(client):
    response = post(client, lang="de", description="bell\x07")

    assert field_errors(response) == {
        "description": ["Der Text darf keine Steuerzeichen enthalten (gefunden: U+0007)."]
    }
    assert post(client, lang="de").status_code == 302
    assert Report.objects.get().language == "de"


def test_urls_are_never_shown_as_links(client):
    response = post(
        client, urls='http://example.org/"><a href="http://example.org/x">x</a>\nhttp://'
    )

    page = response.content.decode()
    assert 'href="http://example.org' not in page
    assert "&lt;a href=" in page
