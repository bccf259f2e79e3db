"""Serving the feeds (CAP 1.2 and JSON) to screens and apps that poll them every minute.

25,000 screens polling every minute is about 420 requests/s, nearly all of them conditional
(If-None-Match / If-Modified-Since) and answered 304. So:

- Every request reads the feeds' version (one primary-key read, `feed_version_read`): a
  withdrawal is visible to the very next poll, whichever process committed it. Nothing is kept
  in memory that could serve a withdrawn child's photo after the withdrawal committed.
- The ETag is `"<format>-<version>-<day>"` and Last-Modified the version's change time, so a 304
  is decided without building or reading any document. The day (UTC) is in the key because
  Cancel messages leave the feed FEED_CANCEL_DAYS after the withdrawal, even when nothing else
  changes (beacon.alerts.feeds.cancel_day).
- The 200 answers come from a snapshot of every document built once per (version, day) per
  process (`FeedCache`), never per request.
- Cache-Control is `public, max-age=0, must-revalidate`: the withdrawal target is one minute from
  the case closing to the photo gone, and the screens' own one-minute polling already takes all
  of it. Any freshness lifetime (max-age=60 would let a partner's proxy or CDN keep serving the
  photo for up to another minute) adds directly to the time a found child's photo stays on
  screens, while a revalidation costs us a 304, which is what this module makes cheap.
- `FeedFastPath` (installed in beacon/wsgi.py) answers GET/HEAD of the feed documents before
  Django's middleware stack, with the same `feed_answer` the Django views use: the stack (session,
  CSRF, auth, messages...) does nothing for an anonymous poll but cost time. Everything else
  (other methods: 405, unknown ids: 404, errors) goes on to Django.

Public surface: no session is read, no cookie set, no header or address of the client is kept
or logged (only the two conditional headers are read, and only to compare them).
"""

import gzip
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import close_old_connections
from django.db.transaction import non_atomic_requests
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from beacon.alerts.feeds import (
    CAP_INDEX,
    JSON_FEED,
    FeedSnapshot,
    alert_key,
    cancel_day,
    snapshot_build,
)
from beacon.alerts.feedstate import feed_version_read

logger = logging.getLogger(__name__)

# The paths (beacon/alerts/feed_urls.py under /missing/feeds/; a test checks they agree).
FEEDS_PREFIX = "/missing/feeds/"
CAP_INDEX_PATH = FEEDS_PREFIX + "cap/"
JSON_FEED_PATH = FEEDS_PREFIX + "notices.json"
_ALERT_PATH = re.compile(r"/missing/feeds/cap/([A-Z0-9]{1,16})\.xml")

CACHE_CONTROL = "public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Prepared:
    """One representation of a snapshot's document with its validators and headers."""

    etag: str
    last_modified: int  # POSIX seconds, as Last-Modified says it
    headers: list[tuple[str, str]]  # of a 304 (RFC 9110 15.4.5: the validators, caching)
    full_headers: list[tuple[str, str]]  # of the 200: those and the content's
    body: bytes


def prepare(snapshot: FeedSnapshot) -> dict[str, tuple[Prepared, Prepared]]:
    """Each document as sent (identity, gzip): compressed once per version, not per poll. The
    JSON feed of 50 notices is ~115 kB and ~15 kB gzipped: after a change 25,000 screens fetch
    it once each."""
    # The day's midnight counts as a change: old Cancels may have left the feed then.
    last_modified = int(
        max(snapshot.changed_at, datetime.combine(snapshot.day, time(0), tzinfo=UTC)).timestamp()
    )
    prepared = {}
    for key, document in snapshot.documents.items():
        kind = "json" if key == JSON_FEED else "cap"
        tag = f"{kind}-{snapshot.version}-{snapshot.day:%Y%m%d}"
        variants = []
        for encoding, body in (
            ("", document.body),
            ("gzip", gzip.compress(document.body, compresslevel=6, mtime=0)),
        ):
            etag = f'"{tag}-gz"' if encoding else f'"{tag}"'
            headers = [
                ("ETag", etag),
                ("Last-Modified", http_date(last_modified)),
                ("Cache-Control", CACHE_CONTROL),
                ("Vary", "Accept-Encoding"),
                # Screens' web players and apps may read it from another origin; it is public.
                ("Access-Control-Allow-Origin", "*"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
            ]
            full_headers = [
                *headers,
                ("Content-Type", document.content_type),
                ("Content-Length", str(len(body))),
            ]
            if encoding:
                full_headers.append(("Content-Encoding", encoding))
            variants.append(Prepared(etag, last_modified, headers, full_headers, body))
        prepared[key] = (variants[0], variants[1])
    return prepared


def accepts_gzip(accept_encoding: str | None) -> bool:
    for coding in (accept_encoding or "").split(","):
        name, _, parameters = coding.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            quality = parameters.strip().lower().removeprefix("q=").strip()
            return not quality or quality.strip("0.") != ""
    return False


class FeedCache:
    """The documents of the current (version, day), built by one thread while the others wait
    for them (a burst of pollers after a change builds them once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: tuple[int, date, dict[str, tuple[Prepared, Prepared]]] | None = None
        # (rendition id, file name) -> (size, SHA-1): a photo's file is read once per process.
        self._photos: dict = {}

    def documents(self, version: int, day: date) -> dict[str, tuple[Prepared, Prepared]]:
        current = self._current
        if current is not None and current[0] == version and current[1] == day:
            return current[2]
        with self._lock:
            current = self._current
            if current is None or current[0] != version or current[1] != day:
                snapshot = snapshot_build(day=day, photo_cache=self._photos)
                # Keyed by the version read before the build, so that the next poll finds it;
                # the documents (and their ETags) carry the version they were built from.
                current = (version, day, prepare(snapshot))
                self._current = current
            return current[2]

    def clear(self) -> None:
        with self._lock:
            self._current = None
            self._photos = {}


feed_cache = FeedCache()


@dataclass(frozen=True)
class FeedAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def document_key(path: str) -> str | None:
    """The snapshot key of a feed path, None for any other path."""
    if path == CAP_INDEX_PATH:
        return CAP_INDEX
    if path == JSON_FEED_PATH:
        return JSON_FEED
    match = _ALERT_PATH.fullmatch(path)
    return alert_key(match.group(1)) if match else None


def _etag_matches(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): a proxy may have weakened our tag.
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def feed_answer(
    key: str,
    method: str,
    if_none_match: str | None,
    if_modified_since: str | None,
    accept_encoding: str | None = None,
) -> FeedAnswer | None:
    """The answer to GET/HEAD of feed document `key`; None when there is no such document."""
    variants = feed_cache.documents(feed_version_read(), cancel_day()).get(key)
    if variants is None:
        return None
    document = variants[1] if accepts_gzip(accept_encoding) else variants[0]
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        if _etag_matches(if_none_match, document.etag):
            return FeedAnswer(304, document.headers, b"")
    elif if_modified_since is not None:
        # Whole seconds: two changes within one second look alike to a client that sends only
        # If-Modified-Since (the ETag, which every answer carries, tells them apart).
        since = parse_http_date_safe(if_modified_since)
        if since is not None and document.last_modified <= since:
            return FeedAnswer(304, document.headers, b"")
    return FeedAnswer(200, document.full_headers, b"" if method == "HEAD" else document.body)


# --- Django views (the URLs in feed_urls.py; reached when FeedFastPath is not in front) ------


def _respond(request: HttpRequest, key: str | None) -> HttpResponse:
    answer = (
        feed_answer(
            key,
            request.method or "GET",
            request.META.get("HTTP_IF_NONE_MATCH"),
            request.META.get("HTTP_IF_MODIFIED_SINCE"),
            request.META.get("HTTP_ACCEPT_ENCODING"),
        )
        if key
        else None
    )
    if answer is None:
        raise Http404
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    if answer.status == 304:
        del response["Content-Type"]
    return response


# A read: no transaction (on SQLite ours are IMMEDIATE, a write lock). No CSRF check: nothing
# here accepts a write, and other methods must get 405, not the CSRF 403.
@csrf_exempt
@non_atomic_requests
@require_http_methods(["GET", "HEAD"])
def cap_index(request: HttpRequest) -> HttpResponse:
    return _respond(request, CAP_INDEX)


@csrf_exempt
@non_atomic_requests
@require_http_methods(["GET", "HEAD"])
def cap_alert(request: HttpRequest, public_id: str) -> HttpResponse:
    return _respond(request, document_key(f"{CAP_INDEX_PATH}{public_id}.xml"))


@csrf_exempt
@non_atomic_requests
@require_http_methods(["GET", "HEAD"])
def notices_json(request: HttpRequest) -> HttpResponse:
    return _respond(request, JSON_FEED)


# --- in front of Django ------------------------------------------------------------------

_REASONS = {200: "200 OK", 304: "304 Not Modified"}


class FeedFastPath:
    """WSGI middleware: GET/HEAD of a feed document answered without Django's middleware."""

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if path.startswith(FEEDS_PREFIX) and method in ("GET", "HEAD"):
            key = document_key(path)
            if key is not None:
                try:
                    answer = feed_answer(
                        key,
                        method,
                        environ.get("HTTP_IF_NONE_MATCH"),
                        environ.get("HTTP_IF_MODIFIED_SINCE"),
                        environ.get("HTTP_ACCEPT_ENCODING"),
                    )
                except Exception:
                    # Django answers instead, with its own error handling; a broken database
                    # connection is dropped so the next poll opens a new one.
                    logger.exception("feed fast path failed; Django answers this poll")
                    close_old_connections()
                    answer = None
                if answer is not None:
                    start_response(_REASONS[answer.status], answer.headers)
                    return [answer.body]
        return self.application(environ, start_response)
