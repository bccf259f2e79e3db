"""One spelling per reported URL: what groups two reports of the same URL into one item, and what
keeps addresses Beacon must never visit (its availability checks fetch what is reported) out.

Decisions, each tested in `tests/test_normalise.py`:

- Only http and https are web addresses; any other scheme (javascript:, data:, file:, ftp:,
  mailto: ...) is refused. A URL given without a scheme ("www.example.org/page",
  "example.org:8080/x", "//example.org/x") is read as http, as a browser's address bar would:
  reporters paste what they see, and the scheme rarely changes what the content is.
- Credentials in the URL (user:password@) are removed, not refused: the host and path say what
  is reported, and Beacon has no business keeping someone's password.
- The scheme and host are lower-cased, a trailing dot of the host is dropped, the default port
  (80 for http, 443 for https) is dropped, and so is the fragment (#...), which never reaches the
  server. Percent-encoding is normalised: escapes of unreserved characters (letters, digits,
  -._~) are decoded, others upper-cased; characters that must be escaped (spaces, non-ASCII) are
  escaped as UTF-8. Dot segments (/a/../b) are resolved. The query is kept as given, in its
  order (its parameters often are the content's identifier), only its escapes normalised; an
  empty path becomes "/" and an empty query is dropped.
- An internationalised domain name is accepted and stored in its ASCII (punycode) form. The
  encoding is Python's built-in IDNA 2003 codec (the `idna` package with UTS 46 is not installed):
  it lower-cases and maps the name as browsers did before IDNA 2008, e.g. "ß" becomes "ss".
- A host must be a name with at least two labels or an IP address. IP literals are accepted
  (abuse is often served from bare addresses) unless the address is not on the public internet:
  loopback, private, link-local, shared, multicast, reserved and unspecified ranges are refused,
  in IPv4 and IPv6 (IPv4-mapped IPv6 addresses are judged by their IPv4 address). The
  documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are
  accepted explicitly: Python counts them as private, but they are what tests and the demo use.
  IPv4 is read as browsers read it (WHATWG URL standard), so "127.1", "0x7f000001" and
  "2130706433" are all 127.0.0.1 and all refused. Local names ("localhost", "*.localhost",
  "*.local") are refused as well.
- A URL longer than 2,048 characters, as given or once normalised, is refused.
"""

import ipaddress
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from beacon.reports.models import URL_MAX_LENGTH, url_digest

SCHEMES = {"http": 80, "https": 443}
DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
LOCAL_SUFFIXES = (".localhost", ".local")

# A scheme is letters then letters/digits/+-. and a colon not followed by a digit (which would be
# a port: "example.org:8080/page" has no scheme).
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:(?!\d)")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?$")
_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What may stay unescaped: unreserved, sub-delims, ":" and "@" (RFC 3986 pchar), "/" and, in the
# query, "?"; "%" because escapes are normalised separately.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


class NormalisedUrl(NamedTuple):
    url: str
    host: str
    digest: str


def _malformed() -> ValidationError:
    return ValidationError(
        _("This is not a valid web address. Copy it from the address bar of your browser."),
        code="malformed",
    )


def _local() -> ValidationError:
    return ValidationError(
        _("This address points to a private or local network, not to a site on the internet."),
        code="local_address",
    )


def _too_long() -> ValidationError:
    return ValidationError(
        _("A URL can be at most %(max)d characters long.") % {"max": URL_MAX_LENGTH},
        code="too_long",
    )


def _normalise_escapes(text: str, safe: str) -> str:
    """Escape what must be escaped, decode escaped unreserved characters, upper-case the rest."""
    text = _LONE_PERCENT.sub("%25", text)
    text = quote(text, safe=safe, encoding="utf-8", errors="strict")

    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(fix, text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, as browsers apply it."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        # Escapes of "." are decoded before this runs, so "%2E" needs no case of its own.
        if segment == ".":
            if last:
                output.append("")
            continue
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
            continue
        output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _whatwg_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a browser would read in `host`, or None if it is a name.

    The WHATWG URL standard reads a host whose last label is a number as IPv4, with each part in
    decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not re.fullmatch(r"(0x[0-9a-f]*|[0-9]+)", parts[-1]):
        return None
    if len(parts) > 4:
        raise _malformed()
    numbers = []
    for part in parts:
        try:
            if part.startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part[1:], 8))
            else:
                numbers.append(int(part, 10))
        except ValueError as exc:
            raise _malformed() from exc
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _malformed()
    value = numbers[-1]
    for position, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - position)
    return ipaddress.IPv4Address(value)


def _check_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in DOCUMENTATION_NETWORKS):
        return
    if not address.is_global or address.is_multicast:
        raise _local()


def _normalise_host(raw_host: str) -> str:
    if raw_host.startswith("["):
        if not raw_host.endswith("]"):
            raise _malformed()
        literal = raw_host[1:-1]
        if "%" in literal:  # a zone id only names an interface of this machine's link
            raise _local()
        try:
            address6 = ipaddress.IPv6Address(literal)
        except ValueError as exc:
            raise _malformed() from exc
        _check_public(address6)
        return f"[{address6.compressed}]"
    host = unicodedata.normalize("NFC", raw_host).lower()
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise ValidationError(
            _("This address has no host name (the part such as www.example.org)."),
            code="no_host",
        )
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise _malformed() from exc
    address4 = _whatwg_ipv4(host)
    if address4 is not None:
        _check_public(address4)
        return str(address4)
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _malformed()
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        raise _local()
    if len(labels) < 2:
        # A single name (http://intranet/) only means something inside a local network.
        raise _local()
    return host


def normalise_url(raw: str) -> NormalisedUrl:
    """The normalised form of a reported URL, its host and digest; ValidationError if it is not
    a web address Beacon accepts (see the module's docstring for every rule)."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a URL."), code="empty")
    if len(text) > URL_MAX_LENGTH:
        raise _too_long()
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        raise _malformed()
    if text.startswith("//"):
        text = "http:" + text
    elif not _SCHEME.match(text):
        if "@" in text.split("/", 1)[0]:
            # "name@example.org" is an e-mail address, not a web page on example.org.
            raise _malformed()
        text = "http://" + text
    scheme = text.split(":", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ValidationError(
            _("Only web addresses (starting with http:// or https://) can be reported."),
            code="scheme",
        )
    if "\\" in text:
        raise _malformed()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _malformed() from exc
    netloc = parts.netloc.rsplit("@", 1)[-1]  # credentials are dropped, never kept
    raw_host = netloc
    if raw_host.startswith("["):
        raw_host = raw_host[: raw_host.find("]") + 1]
    elif ":" in raw_host:
        raw_host = raw_host.rsplit(":", 1)[0]
    if not raw_host:
        raise ValidationError(
            _("This address has no host name (the part such as www.example.org)."),
            code="no_host",
        )
    if any(char.isspace() for char in raw_host):
        raise _malformed()
    host = _normalise_host(raw_host)
    if port == 0:
        raise _malformed()
    netloc = host if port in (None, SCHEMES[scheme]) else f"{host}:{port}"
    try:
        path = _remove_dot_segments(_normalise_escapes(parts.path or "/", _PATH_SAFE))
        query = _normalise_escapes(parts.query, _QUERY_SAFE)
    except UnicodeError as exc:
        raise _malformed() from exc
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    if len(url) > URL_MAX_LENGTH:
        raise _too_long()
    return NormalisedUrl(url=url, host=host, digest=url_digest(url))
