"""Is it still online? After the first notice, Beacon re-checks each URL on a schedule that thins
out, so that the time to removal does not depend on anyone's reply.

A check asks for the status line and the headers only: HEAD, or GET when the server refuses HEAD
(405, 501), closed as soon as the headers are in, so the body is never read, stored or logged
(whatever the socket buffered is dropped with it). No cookie is ever sent (no jar: each request is a
fresh connection with fixed headers), the User-Agent says nothing about who asks, redirects are
followed by hand up to settings.HOTLINE_CHECK_MAX_REDIRECTS, and the request leaves through
settings.HOTLINE_CHECK_PROXY when one is set. Without a proxy, the host is resolved with the hosting
look-up's resolver and the connection goes to that address, which is the one recorded.

What counts as online: a 2xx or 3xx final answer (also a 3xx left after the last redirect
followed: the site still answers for that URL), and 401 and 403 (the server still holds something
there and refuses only us: a login, a bot wall, a geo-block; none of these proves a takedown).
Failed: 404, 410, 451 (blocked for legal reasons: what a notice asks for), any other 4xx and 5xx,
no such name in DNS, a refused or reset connection, a timeout, a TLS failure. Certificates are not
verified: an expired or self-signed certificate says nothing about whether the content is gone.

Three failed checks in a row (HOTLINE_RECHECK_MINUTES apart) mean removed, at the time of the first
of the three. After a success the next check is in an hour during the first day after the first
notice, every six hours until day 7, daily until day 30, then no more. A change of the host after
redirects, or an address outside the ones the hosting look-up found, sets `host_changed` for the
analyst. When the proxy itself cannot be reached, nothing is concluded about any URL.
"""

import http.client
import ipaddress
import logging
import socket
import ssl
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import AuditAction
from beacon.reports.choices import RemovalSource
from beacon.reports.hosting import resolve
from beacon.reports.models import Notice, UrlCheck, UrlItem

logger = logging.getLogger(__name__)

FIRST_CHECK_AFTER = timedelta(hours=1)
FAILURES_FOR_REMOVAL = 3
# The schedule after a success, by the time since the first notice.
HOURLY_UNTIL = timedelta(days=1)
SIX_HOURLY_UNTIL = timedelta(days=7)
WATCH_FOR = timedelta(days=30)

ONLINE_CLIENT_ERRORS = frozenset({401, 403})
METHOD_REFUSED = frozenset({405, 501})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class CheckResult:
    online: bool
    status_code: int | None = None
    error: str = ""
    address: str = ""
    final_host: str = ""


class ProxyUnreachable(Exception):
    """Our own way out is broken: no verdict on the URL may be drawn from it."""


def is_online(status: int) -> bool:
    return 200 <= status < 400 or status in ONLINE_CLIENT_ERRORS


# --- Scheduling -----------------------------------------------------------------------------------


def next_check_after_success(*, first_notice_at: datetime, at: datetime) -> datetime | None:
    """Hourly for the first day after the first notice, six-hourly until day 7, daily until day
    30 (the last check falls on day 30 exactly), then none."""
    age = at - first_notice_at
    if age >= WATCH_FOR:
        return None
    if age < HOURLY_UNTIL:
        interval = timedelta(hours=1)
    elif age < SIX_HOURLY_UNTIL:
        interval = timedelta(hours=6)
    else:
        interval = timedelta(days=1)
    return min(at + interval, first_notice_at + WATCH_FOR)


def schedule_first_check(item: UrlItem, at: datetime) -> datetime | None:
    """Plan the first check an hour after the first notice (`at`); call it inside the notice's
    transaction. A later notice leaves a running schedule alone; a removed or minimised item is not
    checked. Returns the time planned, or None."""
    due = at + FIRST_CHECK_AFTER
    planned = UrlItem.objects.filter(
        pk=item.pk,
        removed_at__isnull=True,
        minimised_at__isnull=True,
        next_check_at__isnull=True,
    ).update(next_check_at=due, failed_checks=0)
    if not planned:
        return None
    item.next_check_at = due
    item.failed_checks = 0
    return due


def due_items(now: datetime) -> QuerySet[UrlItem]:
    """Items whose check is due: after a notice, not removed (by a check or a recipient's word),
    not minimised."""
    confirmed = Notice.objects.filter(removal_confirmed_at__isnull=False).values("item_id")
    return (
        UrlItem.objects.filter(
            next_check_at__lte=now,
            first_notice_at__isnull=False,
            removed_at__isnull=True,
            minimised_at__isnull=True,
        )
        .exclude(pk__in=confirmed)
        .order_by("next_check_at", "id")
    )


# --- The request ----------------------------------------------------------------------------------


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class _Connection(http.client.HTTPConnection):
    """A connection to an address chosen by the caller (the one recorded), optionally through a
    CONNECT tunnel, with TLS named after the URL's host."""

    def __init__(self, address: str, port: int, *, tls_host: str | None, timeout: float):
        super().__init__(address, port, timeout=timeout)
        self.tls_host = tls_host
        self.via_proxy = False

    def connect(self) -> None:
        try:
            self.sock = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            if self.via_proxy:
                raise ProxyUnreachable(type(exc).__name__) from exc
            raise
        # http.client's own CONNECT handshake (private, and missing from its type stubs).
        if self._tunnel_host:  # type: ignore[attr-defined]
            self._tunnel()  # type: ignore[attr-defined]
        if self.tls_host:
            self.sock = _tls_context().wrap_socket(self.sock, server_hostname=self.tls_host)


def _proxy() -> tuple[str, int] | None:
    configured = settings.HOTLINE_CHECK_PROXY
    if not configured:
        return None
    parts = urlsplit(configured)
    return parts.hostname or "", parts.port or 3128


def _exchange(method: str, url: str, address: str) -> tuple[int, str]:
    """One request; returns the status and the Location header. The body is never read."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    netloc = parts.netloc.rpartition("@")[2]  # never send a URL's user:password
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(settings.HOTLINE_CHECK_TIMEOUT)
    proxy = _proxy()
    if proxy is None:
        conn = _Connection(address, port, tls_host=host if secure else None, timeout=timeout)
        target = path
    else:
        conn = _Connection(proxy[0], proxy[1], tls_host=host if secure else None, timeout=timeout)
        conn.via_proxy = True
        if secure:
            conn.set_tunnel(host, port, headers={"User-Agent": settings.HOTLINE_CHECK_USER_AGENT})
            target = path
        else:
            target = f"http://{netloc}{path}"
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", netloc)
        conn.putheader("User-Agent", settings.HOTLINE_CHECK_USER_AGENT)
        conn.putheader("Accept", "*/*")
        conn.putheader("Connection", "close")
        conn.endheaders()
        response = conn.getresponse()
        status, location = response.status, response.getheader("Location") or ""
        if proxy is not None and status == 407:
            raise ProxyUnreachable("proxy authentication required")
        # Closing without reading: a GET's body stays unread and is dropped with the socket.
        response.close()
        return status, location
    finally:
        conn.close()


def _address(host: str) -> tuple[str, str]:
    """The address a check connects to (the first the resolver gives), or the DNS error."""
    found = resolve(host)
    if found.error:
        return "", f"DNS: {found.error}"
    return found.addresses[0], ""


def _failure(exc: BaseException) -> str:
    """A short reason that names no host or address (logs and rows outlive the URL)."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected):
        return "connection closed"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {type(exc).__name__}"
    if isinstance(exc, http.client.HTTPException):
        return f"bad answer: {type(exc).__name__}"
    if isinstance(exc, OSError) and str(exc).startswith("Tunnel connection failed"):
        return "proxy: " + str(exc).removeprefix("Tunnel connection failed:").strip()[:40]
    return f"network: {type(exc).__name__}"


def probe(url: str) -> CheckResult:
    """Is `url` still online? Never raises for what the network does (ProxyUnreachable aside)."""
    current = url
    host = ""
    address = ""
    proxy = _proxy()
    for hop in range(int(settings.HOTLINE_CHECK_MAX_REDIRECTS) + 1):
        try:
            parts = urlsplit(current)
            host = (parts.hostname or "").rstrip(".")
            parts.port  # noqa: B018 - a port that is not a number raises here, not mid-request
        except ValueError:
            return CheckResult(online=False, error="not a valid URL", final_host=host)
        if parts.scheme not in ("http", "https") or not host:
            return CheckResult(online=False, error="not an http(s) URL", final_host=host)
        address, dns_error = _address(host)
        if proxy is None:
            if dns_error:
                return CheckResult(online=False, error=dns_error, final_host=host)
            if (
                not ipaddress.ip_address(address).is_global
                and not settings.HOTLINE_CHECK_PRIVATE_ADDRESSES
            ):
                return CheckResult(
                    online=False, error="address not public", address=address, final_host=host
                )
        try:
            status, location = _exchange("HEAD", current, address)
            if status in METHOD_REFUSED:
                status, location = _exchange("GET", current, address)
        except ProxyUnreachable:
            raise
        except (OSError, http.client.HTTPException) as exc:
            return CheckResult(online=False, error=_failure(exc), address=address, final_host=host)
        if status in REDIRECTS and location and hop < settings.HOTLINE_CHECK_MAX_REDIRECTS:
            following = urljoin(current, location)
            if urlsplit(following).scheme in ("http", "https"):
                current = following
                continue
        return CheckResult(
            online=is_online(status), status_code=status, address=address, final_host=host
        )
    raise AssertionError("unreachable: the last hop always returns")  # pragma: no cover


# --- Recording ------------------------------------------------------------------------------------


def _same_host(a: str, b: str) -> bool:
    return a.strip("[]").rstrip(".").lower() == b.strip("[]").rstrip(".").lower()


def _known_address(address: str, known: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
        return any(ip == ipaddress.ip_address(other) for other in known)
    except ValueError:
        return address in known


@transaction.atomic
def item_record_check(*, item_id: int, result: CheckResult, at: datetime) -> str:
    """Write one check and what follows from it (system work). Returns "online", "offline",
    "removed" or "skipped" (removed or minimised meanwhile: nothing is written)."""
    item = UrlItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        return "skipped"
    if item.removed_at is not None or item.minimised_at is not None:
        UrlItem.objects.filter(pk=item_id).update(next_check_at=None)
        return "skipped"
    UrlCheck.objects.create(
        item=item,
        checked_at=at,
        online=result.online,
        status_code=result.status_code,
        error=result.error[:200],
        address=result.address[:64],
        final_host=result.final_host[:255],
    )
    values: dict = {"last_checked_at": at}
    changed_fields = []
    removed_at = None
    moved = (result.final_host and not _same_host(result.final_host, item.host)) or (
        result.address
        and item.resolved_ips
        and not _known_address(result.address, list(item.resolved_ips))
    )
    if moved and not item.host_changed:
        values["host_changed"] = True
        changed_fields.append("host_changed")
    outcome = "online" if result.online else "offline"
    if result.online:
        values["failed_checks"] = 0
        values["next_check_at"] = next_check_after_success(
            first_notice_at=item.first_notice_at or at, at=at
        )
    elif item.failed_checks + 1 >= FAILURES_FOR_REMOVAL:
        failures = list(item.checks.order_by("-checked_at", "-id")[:FAILURES_FOR_REMOVAL])
        values["failed_checks"] = F("failed_checks") + 1
        removed_at = failures[-1].checked_at
        outcome = "removed"
    else:
        values["failed_checks"] = F("failed_checks") + 1
        values["next_check_at"] = at + timedelta(minutes=settings.HOTLINE_RECHECK_MINUTES)
    UrlItem.objects.filter(pk=item_id).update(**values)
    if changed_fields:
        audit(actor=None, action=AuditAction.UPDATE, obj=item, fields=changed_fields)
    if removed_at is not None:
        # The one way an item is marked removed, by a check or a recipient's confirmation (the
        # services import this module, hence the late import).
        from beacon.reports.services import item_mark_removed

        item_mark_removed(item=item, removed_at=removed_at, source=RemovalSource.CHECK)
    return outcome


def _claim_lease() -> timedelta:
    # Long enough for every hop of one check; a crashed worker's claim runs out after it.
    hops = int(settings.HOTLINE_CHECK_MAX_REDIRECTS) + 1
    return timedelta(seconds=float(settings.HOTLINE_CHECK_TIMEOUT) * hops * 4 + 60)


def check_item(*, item_id: int, now: datetime) -> str:
    """Check one due item. The claim (a conditional UPDATE of next_check_at) keeps a second worker
    off it; the request runs outside any transaction."""
    row = due_items(now).filter(pk=item_id).values("url", "next_check_at").first()
    if row is None:
        return "skipped"
    claimed = UrlItem.objects.filter(pk=item_id, next_check_at=row["next_check_at"]).update(
        next_check_at=now + _claim_lease()
    )
    if not claimed:
        return "skipped"
    try:
        result = probe(row["url"])
    except ProxyUnreachable:
        UrlItem.objects.filter(pk=item_id).update(
            next_check_at=now + timedelta(minutes=settings.HOTLINE_RECHECK_MINUTES)
        )
        raise
    return item_record_check(item_id=item_id, result=result, at=now)


def check_due(now: datetime | None = None, limit: int | None = None) -> str:
    """Check every due item (the periodic job). One item's error is logged and the batch goes on;
    an unreachable proxy stops the batch, since every check would fail the same way."""
    now = now or timezone.now()
    limit = limit or settings.HOTLINE_CHECK_BATCH_SIZE
    outcomes: Counter[str] = Counter()
    for item_id in list(due_items(now).values_list("id", flat=True)[:limit]):
        try:
            outcomes[check_item(item_id=item_id, now=now)] += 1
        except ProxyUnreachable as exc:
            logger.error("availability checks stopped: the proxy cannot be reached (%s)", exc)
            outcomes["proxy unreachable"] += 1
            break
        except Exception:  # noqa: BLE001 - one item's failure must not stop the others
            logger.exception("availability check of item %s failed", item_id)
            outcomes["error"] += 1
    return ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) or "none due"
