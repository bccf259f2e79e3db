"""Encryption at rest of the little Beacon keeps that must not be readable from a copy of the
database: Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under a key from
settings.PREVIEW_ENCRYPTION_KEY, or one derived from SECRET_KEY when that is empty.

Several keys may be given, comma-separated: the first encrypts, all decrypt (key rotation).
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _derived_key(purpose: bytes) -> bytes:
    digest = hmac.new(settings.SECRET_KEY.encode(), purpose, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.PREVIEW_ENCRYPTION_KEY.split(",") if k.strip()]
    keys = configured or [_derived_key(b"beacon.core.crypto.preview-key").decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "BEACON_PREVIEW_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes)"
        ) from None


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes | memoryview | None) -> bytes:
    """The plain bytes; raises InvalidToken if the token was altered or the key is not known
    (or there is no token)."""
    if token is None:
        raise InvalidToken
    return _fernet().decrypt(bytes(token))
