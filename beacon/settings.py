"""Beacon's one settings module: every value comes from the environment, with safe embedded defaults.

A bad value stops the process with a message naming the variable (ImproperlyConfigured), rather
than running half-configured. Secrets may be given as `NAME_FILE` (a path to read) as well.
"""

import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DATA_DIR = Path(env("BEACON_DATA_DIR", str(BASE_DIR / "var")) or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    # Embedded default: a random key kept beside the SQLite database, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "beacon.core",
    "beacon.people",
    "beacon.cases",
    "beacon.line",
    "beacon.risk",
    "beacon.reports",
    "beacon.matching",
    "beacon.network",
    "beacon.alerts",
    "beacon.prevention",
    "beacon.funding",
    "beacon.figures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "beacon.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "beacon.urls"
WSGI_APPLICATION = "beacon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "beacon" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'beacon.sqlite3'}"
try:
    _conn_max_age = int(env("DATABASE_CONN_MAX_AGE", "60") or "60")
except ValueError:
    raise ImproperlyConfigured("DATABASE_CONN_MAX_AGE must be a whole number of seconds") from None
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL", _default_db) or _default_db,
            # Keep connections open between requests (a new PostgreSQL connection per request
            # cost ~12 ms, 2.5x the public form's throughput: benchmarks/report_intake.py).
            conn_max_age=_conn_max_age,
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the embedded database;
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The figures' aggregates are estimated as large queries, and PostgreSQL's JIT spent about
    # 550 ms compiling each of them against 150 ms of work (benchmarks/figures.txt); Beacon's
    # queries are short, so the JIT is never worth it. An `options` in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the line's board for responders, else the case list
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("LANGUAGE_CODE", "nl") or "nl"
LANGUAGES = [
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not one of {dict(LANGUAGES)}")
LOCALE_PATHS = [BASE_DIR / "beacon" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Europe/Brussels") or "Europe/Brussels"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "beacon" / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from finders; an empty root keeps it quiet
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Private: photos of children are served only through a permission-checked view.
        "OPTIONS": {"location": str(DATA_DIR / "private"), "base_url": "/nonexistent/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or "25")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "beacon@example.org")


# --- Outbox: delivery of outbound messages (beacon.core.outbox) ---------------------------------
def _env_number(name: str, default: str, *, minimum: float, kind: type = int):
    raw = env(name, default) or default
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


# A message that failed this many attempts is marked failed and waits for a re-send by hand.
OUTBOX_MAX_ATTEMPTS = _env_number("OUTBOX_MAX_ATTEMPTS", "10", minimum=1)
# Back-off after the n-th failure: base * 2**(n-1) seconds, capped, plus up to JITTER of it.
OUTBOX_RETRY_BASE_SECONDS = _env_number("OUTBOX_RETRY_BASE_SECONDS", "60", minimum=0)
OUTBOX_RETRY_MAX_SECONDS = _env_number("OUTBOX_RETRY_MAX_SECONDS", "21600", minimum=0)
OUTBOX_RETRY_JITTER = _env_number("OUTBOX_RETRY_JITTER", "0.1", minimum=0, kind=float)
# One SMTP or HTTP exchange gives up after this long (per network operation).
OUTBOX_TIMEOUT_SECONDS = _env_number("OUTBOX_TIMEOUT_SECONDS", "30", minimum=0.1, kind=float)
# A claimed message is held this long: it must outlast a slow send, or a second worker would
# send it again while the first is still talking to the receiver.
OUTBOX_LEASE_SECONDS = _env_number("OUTBOX_LEASE_SECONDS", "300", minimum=1)
if OUTBOX_LEASE_SECONDS < 4 * OUTBOX_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        f"OUTBOX_LEASE_SECONDS={OUTBOX_LEASE_SECONDS} must be at least four times "
        f"OUTBOX_TIMEOUT_SECONDS={OUTBOX_TIMEOUT_SECONDS} (an SMTP exchange is several reads)"
    )
# How many due messages one `beacon tick` delivers; the rest wait for the next tick.
OUTBOX_BATCH_SIZE = _env_number("OUTBOX_BATCH_SIZE", "200", minimum=1)
# Threads sharing a chunk of a fan-out (each with its own SMTP connection).
OUTBOX_SENDERS = _env_number("OUTBOX_SENDERS", "8", minimum=1)
# Notices leave by SMTP whatever EMAIL_BACKEND says (that one may print mail in development).
OUTBOX_EMAIL_BACKEND = env("OUTBOX_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# The HMAC key of webhook signatures (X-Beacon-Signature): set it (or OUTBOX_SIGNING_KEY_FILE)
# and give the same value to the receiver. Empty: derived from SECRET_KEY (secret and stable,
# but it changes when SECRET_KEY does; see beacon.core.outbox.signing_key).
OUTBOX_SIGNING_KEY = env("OUTBOX_SIGNING_KEY", "") or ""
# --- end of Outbox -------------------------------------------------------------------------------

# Periodic jobs (`beacon tick`, run in a loop by `beacon serve`): each does what is due now.
# --- Image matching (beacon.matching) -------------------------------------------------------------
# Images larger than this many bytes, or with more pixels than this (Pillow's decompression-bomb
# limit), are refused before they are decoded.
MATCHING_MAX_IMAGE_BYTES = _env_number(
    "BEACON_MATCHING_MAX_IMAGE_BYTES", str(20 * 1024 * 1024), minimum=1024
)
MATCHING_MAX_PIXELS = _env_number("BEACON_MATCHING_MAX_PIXELS", "50000000", minimum=1000)
# Below this PDQ quality (0-100) a match is never acted on automatically; an analyst decides.
MATCHING_QUALITY_FLOOR = _env_number("BEACON_MATCHING_QUALITY_FLOOR", "50", minimum=0)
# Default distance (bits of 256) up to which a PDQ match is "near"; each bank may set its own.
MATCHING_NEAR_THRESHOLD = _env_number("BEACON_MATCHING_NEAR_THRESHOLD", "31", minimum=0)
# At most this many items in one scan batch (the API answers 413 past it).
MATCHING_BATCH_MAX = _env_number("BEACON_MATCHING_BATCH_MAX", "1000", minimum=1)
# A request with more files than a batch may hold is refused while it is read (413, naming it).
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, MATCHING_BATCH_MAX)
# Hashes added since the index was built are searched by brute force; past this many, the index
# is rebuilt in the background.
MATCHING_INDEX_DELTA_MAX = _env_number("BEACON_MATCHING_INDEX_DELTA_MAX", "50000", minimum=1)
# An import that made no progress for this many minutes is queued again (its worker died).
MATCHING_IMPORT_STALL_MINUTES = _env_number("BEACON_MATCHING_IMPORT_STALL_MINUTES", "10", minimum=1)
# Rebuild a stale index in a background thread while lookups go on with the old one (off: in the
# caller's thread; the tests do so, as their data is not committed for another connection to see).
MATCHING_INDEX_BACKGROUND = env_bool("BEACON_MATCHING_INDEX_BACKGROUND", True)
# Encryption key of kept image previews (Fernet, 32 url-safe base64 bytes). Empty: derived from
# SECRET_KEY (see beacon.core.crypto).
PREVIEW_ENCRYPTION_KEY = env("BEACON_PREVIEW_ENCRYPTION_KEY", "") or ""
# --- end of Image matching ------------------------------------------------------------------------

PERIODIC_JOBS = [
    "beacon.core.outbox.deliver_due",
    "beacon.alerts.services.withdrawals_progress",
    "beacon.reports.liveness.check_due",
    "beacon.reports.retention.minimise_due",
    "beacon.matching.banks.resume_stalled",
]
TICK_SECONDS = int(env("BEACON_TICK_SECONDS", "30") or "30")

# The organisation's profile (numbers, regions, categories) is data: see beacon.core.models.
ORGANISATION_COUNTRY = env("ORGANISATION_COUNTRY", "BE") or "BE"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler carries the anonymity filter: records about the public report form lose the
    # request (and with it the visitor's address and headers) before any handler formats them.
    # Django's own handlers are replaced here for that reason (its defaults have no such filter).
    "filters": {
        "anonymity": {"()": "beacon.reports.anonymity.PublicRequestLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["anonymity"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["anonymity"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "anonymity"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}


# --- Civil hotline: hosting look-up, "is it still online?" checks, retention ---------------------
# Numbers are read by the outbox block's `_env_number` (generic despite its name).
def _hotline_nameservers(name: str) -> list[str]:
    """DNS servers as "ip" or "ip:port" ("[ipv6]:port" for an IPv6 address with a port)."""
    import ipaddress

    servers = []
    for value in env_list(name, ""):
        host, port = value, "53"
        if value.startswith("["):
            host, _, port = value[1:].partition("]:")
        elif value.count(":") == 1:
            host, _, port = value.partition(":")
        try:
            ipaddress.ip_address(host.rstrip("]"))
            if not 0 < int(port) < 65536:
                raise ValueError(port)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP address, optionally with :port"
            ) from None
        servers.append(value)
    return servers


def _hotline_proxy(name: str) -> str:
    from urllib.parse import urlsplit

    value = (env(name, "") or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or not parts.hostname or port is None:
        raise ImproperlyConfigured(f"{name}={value!r} must look like http://127.0.0.1:3128")
    return value


# DNS servers of the hosting look-up and the checks; empty: the system's resolver.
HOTLINE_DNS_NAMESERVERS = _hotline_nameservers("BEACON_HOTLINE_DNS_NAMESERVERS")
HOTLINE_DNS_TIMEOUT = _env_number("BEACON_HOTLINE_DNS_TIMEOUT", "5", minimum=0.1, kind=float)
# The organisation's corrections of the IP-to-country data: lines of "CIDR COUNTRY" (# comments).
HOTLINE_IP_COUNTRY_FILE = env("BEACON_HOTLINE_IP_COUNTRY_FILE", "") or ""
# The content delivery networks' names and ranges (beacon/reports/fixtures/cdn.json's shape).
HOTLINE_CDN_FILE = env("BEACON_HOTLINE_CDN_FILE", "") or str(
    BASE_DIR / "beacon" / "reports" / "fixtures" / "cdn.json"
)
# "Is it still online?": checks leave through this HTTP proxy (CONNECT for https), so that the
# sites see the proxy's address and not the organisation's. Empty: straight out.
HOTLINE_CHECK_PROXY = _hotline_proxy("BEACON_HOTLINE_CHECK_PROXY")
HOTLINE_CHECK_TIMEOUT = _env_number("BEACON_HOTLINE_CHECK_TIMEOUT", "10", minimum=0.1, kind=float)
HOTLINE_CHECK_MAX_REDIRECTS = _env_number("BEACON_HOTLINE_CHECK_MAX_REDIRECTS", "5", minimum=0)
# A browser-like name that says nothing about who is asking (a site may answer a hotline apart).
HOTLINE_CHECK_USER_AGENT = (
    env("BEACON_HOTLINE_CHECK_USER_AGENT", "") or "Mozilla/5.0 (X11; Linux x86_64; rv:128.0)"
)
# Minutes between the checks after a failure (three failures in a row: removed).
HOTLINE_RECHECK_MINUTES = _env_number("BEACON_HOTLINE_RECHECK_MINUTES", "5", minimum=1)
HOTLINE_CHECK_BATCH_SIZE = _env_number("BEACON_HOTLINE_CHECK_BATCH_SIZE", "200", minimum=1)
# Without a proxy, checks refuse loopback, private and link-local addresses (a reported name may
# point inside the organisation's network); tests and the demo allow them.
HOTLINE_CHECK_PRIVATE_ADDRESSES = env_bool("BEACON_HOTLINE_CHECK_PRIVATE_ADDRESSES", False)
# Closed reports are minimised this many days after closing (descriptions, e-mail, URLs hashed).
HOTLINE_RETENTION_DAYS = _env_number("BEACON_HOTLINE_RETENTION_DAYS", "365", minimum=1)
# --- end of Civil hotline ------------------------------------------------------------------------


# --- Public report form (/report/): cache, rate limit, anonymity ---------------------------------
# URL prefixes of the public surfaces: no staff session is read there, and logs and error reports
# keep nothing that identifies a visitor (beacon.reports.anonymity, beacon.core.middleware).
PUBLIC_URL_PREFIXES = ("/report/", "/missing/")
# A withdrawn notice's CAP Cancel message stays in the feeds this many days.
FEED_CANCEL_DAYS = _env_number("BEACON_FEED_CANCEL_DAYS", "7", minimum=1)
# Where the public reaches this Beacon: absolute links in posters' QR codes, e-mails and feeds.
PUBLIC_BASE_URL = (env("BEACON_PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not PUBLIC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"BEACON_PUBLIC_BASE_URL={PUBLIC_BASE_URL!r} must be an http(s) URL")


def _public_cache() -> dict:
    """LocMem by default (one process: the embedded setup); BEACON_CACHE_URL=redis://... shares
    the rate limit between processes, with Django's own Redis backend."""
    url = (env("BEACON_CACHE_URL", "") or "").strip()
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"BEACON_CACHE_URL={url!r} must be a redis:// URL")
    import importlib.util

    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured("BEACON_CACHE_URL needs the redis package (pip install redis)")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def _report_rate(name: str, default: str) -> tuple[int, int] | None:
    """Submissions per address as "COUNT/SECONDS", or "off"."""
    raw = (env(name, default) or default).strip().lower()
    if raw in {"off", "0", "none"}:
        return None
    count, _slash, seconds = raw.partition("/")
    try:
        limit = (int(count), int(seconds))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not COUNT/SECONDS (e.g. 10/600) or off"
        ) from None
    if limit[0] < 1 or limit[1] < 1:
        raise ImproperlyConfigured(f"{name}={raw!r}: both numbers must be at least 1")
    return limit


CACHES = {"default": _public_cache()}
# Reports one address may submit per window (a burst beyond it is answered 429); "off" disables.
HOTLINE_REPORT_RATE = _report_rate("BEACON_HOTLINE_REPORT_RATE", "10/600")
# The key of the addresses' hashes in the cache. Empty: random per process (nothing to leak);
# set it when several processes share a Redis cache, or each counts on its own.
HOTLINE_RATE_LIMIT_SECRET = env("BEACON_HOTLINE_RATE_LIMIT_SECRET", "") or ""
# Reverse proxies in front of Beacon that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
try:
    HOTLINE_TRUSTED_PROXIES = int(env("BEACON_HOTLINE_TRUSTED_PROXIES", "0") or "0")
except ValueError:
    raise ImproperlyConfigured("BEACON_HOTLINE_TRUSTED_PROXIES must be a whole number") from None
# Error reports (mails to ADMINS, the debug page) show no header, cookie or form field of a
# public page's request.
DEFAULT_EXCEPTION_REPORTER_FILTER = "beacon.reports.anonymity.PublicExceptionReporterFilter"
# --- end of Public report form -------------------------------------------------------------------

# --- Funding: tax certificates (Belgian form 281.71; beacon.funding.certificates) ---------------
# Who gets a certificate for a calendar year: donors whose deductible gifts in that year (days in
# the organisation's time zone) total at least the minimum. What is deductible is a rule, not
# code: gifts of these natures, not refunded, legacies excluded unless set otherwise.
_minimum = env("BEACON_TAX_CERTIFICATE_MINIMUM_EUR", "40.00") or "40.00"
try:
    TAX_CERTIFICATE_MINIMUM_EUR = Decimal(_minimum).quantize(Decimal("0.01"))
except InvalidOperation:
    raise ImproperlyConfigured(
        f"BEACON_TAX_CERTIFICATE_MINIMUM_EUR={_minimum!r} is not an amount"
    ) from None
if TAX_CERTIFICATE_MINIMUM_EUR < 0:
    raise ImproperlyConfigured("BEACON_TAX_CERTIFICATE_MINIMUM_EUR must not be negative")
TAX_CERTIFICATE_RULES: dict[str, Any] = {
    "natures": env_list("BEACON_TAX_CERTIFICATE_NATURES", "money"),
    "include_legacies": env_bool("BEACON_TAX_CERTIFICATE_INCLUDE_LEGACIES", False),
}
# The institution approved to issue the certificates, as declared to the tax administration
# (synthetic defaults; set them for a real organisation).
TAX_CERTIFICATE_ISSUER = {
    "name": env("BEACON_ISSUER_NAME", "Beacon demo foundation") or "",
    "company_number": env("BEACON_ISSUER_COMPANY_NUMBER", "0000000097") or "",
    "street": env("BEACON_ISSUER_STREET", "Example street 1") or "",
    "postcode": env("BEACON_ISSUER_POSTCODE", "1000") or "",
    "city": env("BEACON_ISSUER_CITY", "Brussels") or "",
    "approval": env("BEACON_ISSUER_APPROVAL", "") or "",
    # Belcotax wants a contact for the sending, and its language (nl/fr/de).
    "phone": env("BEACON_ISSUER_PHONE", "+32 2 000 00 00") or "",
    "contact": env("BEACON_ISSUER_CONTACT", "Finance department") or "",
    "email": env("BEACON_ISSUER_EMAIL", "finance@example.org") or "",
    "language": env("BEACON_ISSUER_LANGUAGE", "nl") or "nl",
}
