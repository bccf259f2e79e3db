"""Submissions per address for the public form, counted without keeping any address.

The count lives in Django's cache only, under a key that is an HMAC of the address with a secret
that exists only in this process's memory (random at start-up) unless HOTLINE_RATE_LIMIT_SECRET
sets one to share between processes on a shared cache. The cache therefore holds no address and
no way back to one (an IPv4 address hashed without a secret could be found by trying them all),
and every count expires after the window: nothing about a visitor outlives a few minutes.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache

_PROCESS_SECRET = secrets.token_bytes(32)


def _client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind HOTLINE_TRUSTED_PROXIES reverse proxies the
    address the outermost trusted proxy saw (a client can put anything in X-Forwarded-For, so
    only the entries the proxies appended are believed)."""
    proxies = settings.HOTLINE_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(request) -> str:
    secret = settings.HOTLINE_RATE_LIMIT_SECRET.encode() or _PROCESS_SECRET
    digest = hmac.new(secret, _client_address(request).encode(), hashlib.sha256).hexdigest()
    return f"beacon:report-rate:{digest}"


def allow_submission(request) -> bool:
    """Count one submission from the request's address; False once over the limit."""
    limit = settings.HOTLINE_REPORT_RATE
    if limit is None:
        return True
    count, seconds = limit
    key = _key(request)
    # add() starts the window only if none is running; incr() is atomic in every cache backend.
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add() and incr(): a new window
        cache.add(key, 1, timeout=seconds)
        used = 1
    return used <= count
