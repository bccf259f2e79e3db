"""Is it still online? Checks against a real HTTP server, DNS server and forward proxy on loopback;
time moves through the `now` argument, never by sleeping."""

import logging
import shutil
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from beacon.core.models import AuditRecord
from beacon.reports.choices import ItemStatus, NoticeKind, RemovalSource
from beacon.reports.liveness import (
    check_due,
    next_check_after_success,
    schedule_first_check,
)
from beacon.reports.models import Notice, UrlCheck, UrlItem
from beacon.reports.tests.items import make_item
from beacon.reports.tests.netservers import (
    Answer,
    DnsServer,
    forward_proxy,
    scripted_server,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # the first notice
ZONE = {
    "site.test": {"A": ["127.0.0.1"]},
    "mirror.test": {"A": ["127.0.0.1"]},
}


@pytest.fixture
def dns_server(settings):
    with DnsServer(ZONE) as server:
        settings.HOTLINE_DNS_NAMESERVERS = [server.nameserver]
        settings.HOTLINE_DNS_TIMEOUT = 0.5
        yield server


@pytest.fixture
def web(settings, dns_server):
    settings.HOTLINE_CHECK_PROXY = ""
    settings.HOTLINE_CHECK_TIMEOUT = 3
    settings.HOTLINE_CHECK_PRIVATE_ADDRESSES = True  # the test server is on loopback
    settings.HOTLINE_RECHECK_MINUTES = 5
    with scripted_server() as server:
        yield server


def watched(url: str, **values) -> UrlItem:
    """An item a notice went out for at T0, its first check due an hour later."""
    values.setdefault("resolved_ips", ["127.0.0.1"])
    values.setdefault("next_check_at", T0 + timedelta(hours=1))
    return make_item(
        url, status=ItemStatus.ACTIONED, first_notice_at=T0, at=T0 - timedelta(hours=2), **values
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def checks_of(item: UrlItem) -> list[UrlCheck]:
    return list(UrlCheck.objects.filter(item=item).order_by("checked_at", "id"))


# --- Removal -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_online_then_three_failures_is_removed_at_the_first_failure(web):
    web.answer("/page", Answer(200), Answer(404), Answer(404), Answer(404))
    item = watched(f"http://site.test:{web.port}/page")
    first_failure = T0 + timedelta(hours=2)

    check_due(now=T0 + timedelta(hours=1))
    check_due(now=first_failure)
    check_due(now=first_failure + timedelta(minutes=5))
    item.refresh_from_db()
    assert (item.failed_checks, item.removed_at, item.status) == (2, None, ItemStatus.ACTIONED)
    assert item.next_check_at == first_failure + timedelta(minutes=10)

    assert check_due(now=first_failure + timedelta(minutes=10)) == "removed 1"

    item.refresh_from_db()
    assert item.removed_at == first_failure
    assert item.removal_source == RemovalSource.CHECK
    assert item.status == ItemStatus.REMOVED
    assert item.next_check_at is None
    assert item.failed_checks == 3
    assert [(c.online, c.status_code) for c in checks_of(item)] == [
        (True, 200),
        (False, 404),
        (False, 404),
        (False, 404),
    ]
    assert AuditRecord.objects.get(object_id=str(item.pk), actor=None).fields == [
        "next_check_at",
        "removal_source",
        "removed_at",
        "status",
    ]
    # Removed: never checked again.
    assert check_due(now=first_failure + timedelta(days=1)) == "none due"
    assert len(web.seen) == 4


@pytest.mark.django_db
def test_a_success_between_failures_starts_the_count_again(web):
    web.answer("/p", Answer(404), Answer(200), Answer(404), Answer(404), Answer(404))
    item = watched(f"http://site.test:{web.port}/p")
    times = [T0 + timedelta(hours=1)]

    for _ in range(4):
        check_due(now=times[-1])
        item.refresh_from_db()
        times.append(item.next_check_at)

    assert item.failed_checks == 2
    assert item.removed_at is None
    assert times[1] == times[0] + timedelta(minutes=5)  # after the failure
    assert times[2] == times[1] + timedelta(hours=1)  # after the success: back to hourly

    check_due(now=times[4])

    item.refresh_from_db()
    assert item.removed_at == times[2]
    assert item.failed_checks == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "online"),
    [(200, True), (204, True), (401, True), (403, True), (404, False), (410, False), (451, False)],
)
def test_what_counts_as_online(web, status, online):
    web.answer("/s", Answer(status))
    item = watched(f"http://site.test:{web.port}/s")

    check_due(now=T0 + timedelta(hours=1))

    check = checks_of(item)[0]
    assert (check.online, check.status_code, check.error) == (online, status, "")
    assert check.address == "127.0.0.1"
    assert check.final_host == "site.test"


@pytest.mark.django_db
def test_no_such_name_and_a_refused_connection_are_failures(web):
    gone = watched(f"http://nowhere.test:{web.port}/x")
    refused = watched(f"http://site.test:{closed_port()}/x")

    assert check_due(now=T0 + timedelta(hours=1)) == "offline 2"

    assert [(c.online, c.error) for c in checks_of(gone)] == [(False, "DNS: nxdomain")]
    assert [(c.online, c.error) for c in checks_of(refused)] == [(False, "connection refused")]


# --- What a check sends and keeps ------------------------------------------------------------


@pytest.mark.django_db
def test_head_refused_falls_back_to_a_get_whose_body_is_never_kept(web, caplog):
    caplog.set_level(logging.DEBUG)
    marker = "MARKER-7f3c1e9a-not-to-be-kept"
    body = (marker + "\n").encode() + b"x" * 500_000 + marker.encode()
    web.answer("/nohead", Answer(200, {"Content-Type": "text/html"}, body), head_allowed=False)
    item = watched(f"http://site.test:{web.port}/nohead")

    check_due(now=T0 + timedelta(hours=1))

    assert [seen.method for seen in web.seen] == ["HEAD", "GET"]
    check = checks_of(item)[0]
    assert (check.online, check.status_code) == (True, 200)
    assert marker not in caplog.text
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            table_name = connection.ops.quote_name(table)  # from the database's own catalogue
            cursor.execute(f"SELECT * FROM {table_name}")  # noqa: S608
            for row in cursor.fetchall():
                assert marker not in repr(row), table


@pytest.mark.django_db
def test_no_cookie_is_ever_sent_back_and_the_user_agent_is_neutral(settings, web):
    web.answer("/c", Answer(200, {"Set-Cookie": "session=abc123; Path=/"}))
    item = watched(f"http://site.test:{web.port}/c")

    check_due(now=T0 + timedelta(hours=1))
    check_due(now=T0 + timedelta(hours=2))

    assert len(checks_of(item)) == 2
    assert len(web.seen) == 2
    for seen in web.seen:
        headers = {name.lower(): value for name, value in seen.headers.items()}
        assert "cookie" not in headers
        assert headers["user-agent"] == settings.HOTLINE_CHECK_USER_AGENT
        assert "beacon" not in headers["user-agent"].lower()
        assert "python" not in headers["user-agent"].lower()


@pytest.mark.django_db
def test_a_redirect_to_another_host_is_followed_and_shown(web):
    web.answer("/r", Answer(302, {"Location": f"http://mirror.test:{web.port}/landing"}))
    web.answer("/landing", Answer(200))
    item = watched(f"http://site.test:{web.port}/r")

    check_due(now=T0 + timedelta(hours=1))

    item.refresh_from_db()
    check = checks_of(item)[0]
    assert (check.online, check.status_code, check.final_host) == (True, 200, "mirror.test")
    assert item.host_changed is True
    assert [(s.method, s.path, s.headers["Host"]) for s in web.seen] == [
        ("HEAD", "/r", f"site.test:{web.port}"),
        ("HEAD", "/landing", f"mirror.test:{web.port}"),
    ]
    assert AuditRecord.objects.get(object_id=str(item.pk)).fields == ["host_changed"]


@pytest.mark.django_db
def test_a_redirect_on_the_same_host_changes_nothing(web):
    web.answer("/old", Answer(301, {"Location": "/new"}))
    web.answer("/new", Answer(200))
    item = watched(f"http://site.test:{web.port}/old")

    check_due(now=T0 + timedelta(hours=1))

    item.refresh_from_db()
    assert checks_of(item)[0].final_host == "site.test"
    assert item.host_changed is False


@pytest.mark.django_db
def test_redirects_stop_at_the_limit(settings, web):
    settings.HOTLINE_CHECK_MAX_REDIRECTS = 2
    web.answer("/loop", Answer(302, {"Location": "/loop"}))
    item = watched(f"http://site.test:{web.port}/loop")

    check_due(now=T0 + timedelta(hours=1))

    assert len(web.seen) == 3  # the URL and two redirects
    # The site still answers for the URL: that is not a removal.
    assert checks_of(item)[0].status_code == 302
    assert checks_of(item)[0].online is True


@pytest.mark.django_db
def test_an_address_the_hosting_lookup_did_not_find_is_shown(web):
    web.answer("/a", Answer(200))
    item = watched(f"http://site.test:{web.port}/a", resolved_ips=["192.0.2.10"])

    check_due(now=T0 + timedelta(hours=1))

    item.refresh_from_db()
    assert checks_of(item)[0].address == "127.0.0.1"
    assert item.host_changed is True


@pytest.mark.django_db
def test_without_a_proxy_a_private_address_is_not_contacted(settings, web):
    settings.HOTLINE_CHECK_PRIVATE_ADDRESSES = False
    web.answer("/inside", Answer(200))
    item = watched(f"http://site.test:{web.port}/inside")

    check_due(now=T0 + timedelta(hours=1))

    assert web.seen == []
    assert [(c.online, c.error) for c in checks_of(item)] == [(False, "address not public")]


# --- The proxy ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_checks_go_through_the_configured_proxy(settings, web):
    web.answer("/via", Answer(200, {"Set-Cookie": "a=b"}))
    item = watched(f"http://site.test:{web.port}/via")
    with forward_proxy() as proxy:
        settings.HOTLINE_CHECK_PROXY = proxy.url

        check_due(now=T0 + timedelta(hours=1))

    assert [(s.method, s.path) for s in proxy.seen] == [
        ("HEAD", f"http://site.test:{web.port}/via")
    ]
    assert "Cookie" not in proxy.seen[0].headers
    assert [(s.method, s.path) for s in web.seen] == [("HEAD", "/via")]
    assert [(c.online, c.status_code) for c in checks_of(item)] == [(True, 200)]


@pytest.mark.django_db
def test_an_unreachable_proxy_concludes_nothing_and_stops_the_batch(settings, web):
    settings.HOTLINE_CHECK_PROXY = f"http://127.0.0.1:{closed_port()}"
    first = watched(f"http://site.test:{web.port}/1")
    second = watched(f"http://site.test:{web.port}/2")
    now = T0 + timedelta(hours=1)

    assert check_due(now=now) == "proxy unreachable 1"

    assert UrlCheck.objects.count() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.failed_checks == 0
    assert first.next_check_at == now + timedelta(minutes=5)
    assert second.next_check_at == T0 + timedelta(hours=1)  # untouched, still due


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for site.test (the checks do not verify it, as documented)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=site.test", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.mark.django_db
def test_https_directly_and_through_the_proxys_tunnel(settings, web, certificate):
    with scripted_server(tls=certificate) as secure:
        secure.answer("/s", Answer(200))
        item = watched(f"https://site.test:{secure.port}/s")

        check_due(now=T0 + timedelta(hours=1))

        with forward_proxy() as proxy:
            settings.HOTLINE_CHECK_PROXY = proxy.url
            check_due(now=T0 + timedelta(hours=2))

    assert [(c.online, c.status_code, c.error) for c in checks_of(item)] == [
        (True, 200, ""),
        (True, 200, ""),
    ]
    assert [(s.method, s.path) for s in proxy.seen] == [("CONNECT", f"site.test:{secure.port}")]
    # Inside the tunnel the proxy sees nothing; the server sees the same request both times.
    assert [(s.method, s.path, s.headers["Host"]) for s in secure.seen] == [
        ("HEAD", "/s", f"site.test:{secure.port}"),
        ("HEAD", "/s", f"site.test:{secure.port}"),
    ]


# --- Which items, and when -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("since_notice", "next_after"),
    [
        (timedelta(hours=1), timedelta(hours=1)),
        (timedelta(hours=24) - timedelta(seconds=1), timedelta(hours=1)),
        (timedelta(hours=24), timedelta(hours=6)),
        (timedelta(days=7) - timedelta(seconds=1), timedelta(hours=6)),
        (timedelta(days=7), timedelta(days=1)),
        (timedelta(days=29), timedelta(days=1)),
        (timedelta(days=29, hours=12), timedelta(hours=12)),  # the last check on day 30
        (timedelta(days=30) - timedelta(seconds=1), timedelta(seconds=1)),
    ],
)
def test_the_schedule_after_a_success(since_notice, next_after):
    at = T0 + since_notice
    assert next_check_after_success(first_notice_at=T0, at=at) == at + next_after


def test_the_schedule_ends_on_day_30():
    assert next_check_after_success(first_notice_at=T0, at=T0 + timedelta(days=30)) is None
    assert next_check_after_success(first_notice_at=T0, at=T0 + timedelta(days=31)) is None


@pytest.mark.django_db
def test_the_schedule_through_real_checks_at_its_boundaries(web):
    web.answer("/live", Answer(200))
    item = watched(f"http://site.test:{web.port}/live")
    expected = [
        (T0 + timedelta(hours=23, minutes=59, seconds=59), timedelta(hours=1)),
        (T0 + timedelta(hours=24), timedelta(hours=6)),
        (T0 + timedelta(days=7), timedelta(days=1)),
        (T0 + timedelta(days=30), None),
    ]
    for now, after in expected:
        UrlItem.objects.filter(pk=item.pk).update(next_check_at=now)

        check_due(now=now)

        item.refresh_from_db()
        assert item.next_check_at == (now + after if after else None), now
        assert item.last_checked_at == now


@pytest.mark.django_db
def test_not_yet_due_removed_confirmed_or_minimised_items_are_not_checked(web):
    web.answer("/x?due", Answer(200))
    url = f"http://site.test:{web.port}/x"
    now = T0 + timedelta(hours=1)
    watched(url + "?early", next_check_at=now + timedelta(seconds=1))
    watched(url + "?removed", removed_at=T0)
    watched(url + "?minimised", minimised_at=T0)
    confirmed = watched(url + "?confirmed")
    Notice.objects.create(
        reference=Notice.new_reference(),
        item=confirmed,
        kind=NoticeKind.PLATFORM,
        recipient="Example platform",
        removal_confirmed_at=T0 + timedelta(minutes=30),
    )
    due = watched(url + "?due")

    assert check_due(now=now) == "online 1"

    assert [s.path for s in web.seen] == ["/x?due"]
    assert UrlCheck.objects.get().item_id == due.pk


@pytest.mark.django_db
def test_one_items_failure_does_not_stop_the_others(web):
    # A server that answers something that is not HTTP at all.
    garbage = socket.socket()
    garbage.bind(("127.0.0.1", 0))
    garbage.listen()

    def answer_garbage() -> None:
        conn, _ = garbage.accept()
        conn.recv(1024)
        conn.sendall(b"not http\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    web.answer("/fine", Answer(200))
    broken = watched(f"http://site.test:{garbage.getsockname()[1]}/x")
    bad_port = watched(f"http://site.test:{web.port}99999/x")
    fine = watched(f"http://site.test:{web.port}/fine")

    outcome = check_due(now=T0 + timedelta(hours=1))

    thread.join(timeout=5)
    garbage.close()
    assert outcome == "offline 2, online 1"
    assert checks_of(broken)[0].error.startswith("bad answer")
    assert checks_of(bad_port)[0].error == "not a valid URL"
    assert checks_of(fine)[0].online is True


@pytest.mark.django_db
def test_schedule_first_check_plans_one_hour_after_the_first_notice_once():
    item = make_item("http://site.test/first", status=ItemStatus.ACTIONED, first_notice_at=T0)

    assert schedule_first_check(item, T0) == T0 + timedelta(hours=1)
    # A later notice leaves the running schedule alone.
    assert schedule_first_check(item, T0 + timedelta(hours=3)) is None

    item.refresh_from_db()
    assert item.next_check_at == T0 + timedelta(hours=1)
    removed = make_item("http://site.test/removed", removed_at=T0)
    assert schedule_first_check(removed, T0) is None


@pytest.mark.django_db
def test_the_command_checks_what_is_due(web, capsys):
    web.answer("/cmd", Answer(200))
    item = watched(f"http://site.test:{web.port}/cmd", next_check_at=T0)

    call_command("hotline_check")

    assert "online 1" in capsys.readouterr().out
    assert len(checks_of(item)) == 1
