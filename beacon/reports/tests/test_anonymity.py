"""Anonymity by construction: whatever a reporter's request carries (address, forwarded-for, user
agent, referrer, cookies) is found in no table, no log line and no error report afterwards.

Each test files reports in every way the form can end (filed, refused, honeypot, over the rate
limit, a failing view, a page not found) from a request full of marker values, then scans every
table with raw SQL, everything the loggers wrote, the mails to ADMINS and the cache.
"""

import http.client
import io
import logging
import pickle
import sys
import threading
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from beacon.reports.anonymity import PublicRequestLogFilter
from beacon.reports.models import Report
from beacon.reports.tests.helpers import public_form

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
FORWARDED_FOR = "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (marker-ua-7f3c9e)"
REFERER = "https://referrer-marker-5d1.example.org/where-i-came-from"
REAL_IP = "198.51.100.24"
COOKIE = "marker-cookie-91ab"
MARKERS = [ADDRESS, FORWARDED_FOR, "marker-ua-7f3c9e", "referrer-marker-5d1", REAL_IP, COOKIE]

HEADERS: dict[str, Any] = {
    "REMOTE_ADDR": ADDRESS,
    "HTTP_USER_AGENT": USER_AGENT,
    "HTTP_X_FORWARDED_FOR": FORWARDED_FOR,
    "HTTP_X_REAL_IP": REAL_IP,
    "HTTP_FORWARDED": f"for={FORWARDED_FOR};proto=https",
    "HTTP_REFERER": REFERER,
    "HTTP_ACCEPT_LANGUAGE": "en",
}


class EverythingHandler(logging.Handler):
    """The most talkative handler imaginable: writes every attribute of every record, the whole
    META of any request it carries, and the traceback, so a leak anywhere in a record shows."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        self.stream.write(f"{record.name} {record.getMessage()} {record.__dict__!r}\n")
        request = getattr(record, "request", None)
        if request is not None:
            self.stream.write(f"{getattr(request, 'META', None)!r} {vars(request)!r}\n")
        if record.exc_info:
            self.stream.write(logging.Formatter().formatException(record.exc_info) + "\n")


def anonymity_filters() -> list[PublicRequestLogFilter]:
    """The filters Beacon's logging config puts on its handlers (the root's console)."""
    filters = [
        f
        for handler in logging.getLogger().handlers
        for f in handler.filters
        if isinstance(f, PublicRequestLogFilter)
    ]
    assert filters, "the root handler has no anonymity filter"
    return filters[:1]


@pytest.fixture
def logs(caplog):
    """Everything logged during the test: an EverythingHandler on the root logger (behind the
    filter that settings.LOGGING puts on every handler) and pytest's caplog."""
    handler = EverythingHandler()
    for log_filter in anonymity_filters():
        handler.addFilter(log_filter)
    root = logging.getLogger()
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield lambda: handler.stream.getvalue() + "\n" + caplog.text
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def database_text() -> str:
    """Every value of every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                chunks.append(repr(row))
    return "\n".join(chunks)


def cache_text() -> str:
    store = getattr(cache, "_cache", {})
    # Our own cache, written by this test run: nothing untrusted is unpickled.
    return repr(list(store.keys())) + repr([pickle.loads(v) for v in store.values()])  # noqa: S301


def assert_no_marker(where: str, text: str) -> None:
    found = [marker for marker in MARKERS if marker in text]
    assert found == [], f"{where} holds {found}"


def form(**overrides) -> dict:
    return public_form(**{"urls": "http://example.org/seen", **overrides})


def every_ending(client: Client) -> None:
    """File, refuse, trap, fail and overflow, all with the marker headers."""
    client.cookies["tracking"] = COOKIE
    assert client.get("/report/", **HEADERS).status_code == 302
    assert client.get("/report/en/", **HEADERS).status_code == 200
    filed = client.post("/report/en/", form(contact_email="me@example.org"), **HEADERS)
    assert filed.status_code == 302
    assert client.get(filed["Location"], **HEADERS).status_code == 200
    refused = client.post("/report/en/", form(urls="javascript:alert(1)"), **HEADERS)
    assert refused.status_code == 200 and refused.context["form"].errors
    trapped = client.post("/report/en/", form(website="robot"), **HEADERS)
    assert trapped.status_code == 302
    assert client.get("/report/xx/", **HEADERS).status_code == 404
    assert client.get("/report/en/thanks/?r=forged", **HEADERS).status_code == 404
    too_large = client.post("/report/en/", form(description="x" * 300_000), **HEADERS)
    assert too_large.status_code == 413
    # The limit is 3 (see the test's settings): filed, refused and trapped used it up.
    over = client.post("/report/en/", form(urls="http://example.org/late"), **HEADERS)
    assert over.status_code == 429
    assert client.post("/report/en/", form(), **HEADERS).status_code == 429


def test_nothing_identifying_is_stored_logged_or_cached(client, logs, settings):
    settings.HOTLINE_REPORT_RATE = (3, 600)

    every_ending(client)

    assert Report.objects.count() == 1  # filed once; the rest refused, trapped or limited
    assert_no_marker("the database", database_text())
    assert_no_marker("the logs", logs())
    assert_no_marker("the cache", cache_text())
    # The log did see these requests (so the scan looked at something).
    assert "Too Many Requests: /report/en/" in logs()
    assert "Not Found: /report/xx/" in logs()


def test_a_failing_public_view_reports_its_error_without_the_visitor(logs, settings, monkeypatch):
    settings.ADMINS = [("Operations", "ops@example.org")]
    settings.DEBUG = False

    def broken(**values):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("beacon.reports.public_views.report_submit", broken)
    client = Client(raise_request_exception=False)
    client.cookies["tracking"] = COOKIE

    response = client.post("/report/en/", form(contact_email="me@example.org"), **HEADERS)

    assert response.status_code == 500
    assert "Internal Server Error: /report/en/" in logs()
    assert "RuntimeError: the database went away" in logs()
    assert_no_marker("the logs", logs())
    assert len(mail.outbox) == 1  # the error mail to ADMINS went out...
    message = mail.outbox[0]
    everything = message.subject + message.body + repr(message.alternatives)
    assert "the database went away" in everything
    assert_no_marker("the error mail", everything)  # ...without the visitor
    assert "me@example.org" not in everything  # nor what was typed
    assert_no_marker("the database", database_text())


def test_error_reports_of_public_pages_show_no_header_post_or_local_variable():
    def view(request):
        address = request.META["REMOTE_ADDR"]  # a local variable a report would show
        raise RuntimeError(f"failed for {len(address)} characters")

    typed = "typed" + "@example.org"  # spelt apart: the report shows this source line

    def report_of(path: str) -> str:
        request = RequestFactory().post(
            path, {"contact_email": typed}, **HEADERS, HTTP_COOKIE=f"t={COOKIE}"
        )
        try:
            view(request)
        except RuntimeError:
            reporter = ExceptionReporter(request, *sys.exc_info())
        return reporter.get_traceback_html() + reporter.get_traceback_text()

    public = report_of("/report/en/")
    assert_no_marker("a public page's error report", public)
    assert typed not in public
    # A staff page's report still shows its request (the filter is about public pages only).
    assert USER_AGENT in report_of("/hotline/")


def test_every_configured_handler_carries_the_anonymity_filter():
    loggers = [logging.getLogger()] + [
        logging.getLogger(name)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    ]
    handlers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        # Libraries (WeasyPrint's fontTools, ...) attach NullHandlers, which write nothing.
        and not isinstance(handler, logging.NullHandler)
    }

    assert handlers  # the console, django.server's console and the mail to ADMINS
    for handler in handlers:
        assert any(isinstance(f, PublicRequestLogFilter) for f in handler.filters), handler


@contextmanager
def waitress_serving():
    """Beacon under waitress, as `beacon serve` runs it, on a free loopback port."""
    from waitress.server import create_server  # type: ignore[import-untyped]

    from beacon.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_under_waitress_nothing_identifying_is_logged_or_stored(logs):
    headers = {
        "User-Agent": USER_AGENT,
        "X-Forwarded-For": FORWARDED_FOR,
        "X-Real-IP": REAL_IP,
        "Referer": REFERER,
        "Cookie": f"tracking={COOKIE}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    with waitress_serving() as port:
        for body in (form(), form(urls="data:text/html,x"), form(website="robot")):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/report/en/", body=urlencode(body), headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status in (200, 302)
            assert response.getheader("Set-Cookie") is None

    assert Report.objects.count() == 1
    assert_no_marker("the database", database_text())
    assert_no_marker("the logs", logs())
