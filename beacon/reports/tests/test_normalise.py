"""Normalising reported URLs: every rule of beacon.reports.normalise, accepted and refused."""

import pytest
from django.core.exceptions import ValidationError

from beacon.reports.models import URL_MAX_LENGTH, url_digest
from beacon.reports.normalise import normalise_url


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        # Scheme and host lower-cased, default port, fragment and empty query dropped.
        ("HTTP://Example.ORG/Path", "http://example.org/Path"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:80/a", "https://example.org:80/a"),
        ("http://example.org:8080", "http://example.org:8080/"),
        ("http://example.org/page#section-2", "http://example.org/page"),
        ("http://example.org/?", "http://example.org/"),
        ("http://example.org", "http://example.org/"),
        # Trailing dot of the host; surrounding blanks.
        ("http://www.example.org./x", "http://www.example.org/x"),
        ("  http://example.org/x \t", "http://example.org/x"),
        # No scheme: read as http, as an address bar does.
        ("example.org/path", "http://example.org/path"),
        ("www.example.org", "http://www.example.org/"),
        ("example.org:8080/x", "http://example.org:8080/x"),
        ("//example.org/x", "http://example.org/x"),
        # Credentials are dropped.
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("https://user@example.org/x", "https://example.org/x"),
        # Percent-encoding: unreserved decoded, others upper-cased, unsafe characters escaped.
        ("http://example.org/%7euser/%41%2f%2a", "http://example.org/~user/A%2F%2A"),
        ("http://example.org/a b/ü", "http://example.org/a%20b/%C3%BC"),
        ("http://example.org/100%", "http://example.org/100%25"),
        ("http://example.org/%zz", "http://example.org/%25zz"),
        # Dot segments resolved.
        ("http://example.org/a/./b/../c", "http://example.org/a/c"),
        ("http://example.org/../../a", "http://example.org/a"),
        ("http://example.org/a/%2E%2E/b", "http://example.org/b"),
        ("http://example.org/a/..", "http://example.org/"),
        # The query is kept, in its order, escapes normalised.
        ("http://example.org/s?b=2&a=1&a=%7e", "http://example.org/s?b=2&a=1&a=~"),
        ("http://example.org/s?q=a+b&x=%2f", "http://example.org/s?q=a+b&x=%2F"),
        ("http://example.org/s?next=/a?b", "http://example.org/s?next=/a?b"),
        # Internationalised domain names: punycode (IDNA 2003, as Python's codec writes it).
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://BÜCHER.example/", "http://xn--bcher-kva.example/"),
        ("http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"),
        ("http://пример.test/", "http://xn--e1afmkfd.test/"),
        ("http://faß.example/", "http://fass.example/"),
        # IP literals on the public internet (documentation ranges stand for them here).
        ("http://192.0.2.10/a", "http://192.0.2.10/a"),
        ("http://198.51.100.7:8080/", "http://198.51.100.7:8080/"),
        ("https://203.0.113.99/", "https://203.0.113.99/"),
        ("http://[2001:DB8:0:0::1]/x", "http://[2001:db8::1]/x"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]/"),
        # IPv4 as browsers read it: a short or hex form is the same address.
        ("http://0xC0.0.2.10/", "http://192.0.2.10/"),
        ("http://192.0.522/", "http://192.0.2.10/"),
        # Reserved test names are ordinary hosts.
        ("http://site.test/", "http://site.test/"),
        ("http://a.invalid/", "http://a.invalid/"),
        ("http://under_score.example.org/", "http://under_score.example.org/"),
    ],
)
def test_accepted_urls_are_normalised(raw, url):
    normalised = normalise_url(raw)

    assert normalised.url == url
    assert normalised.digest == url_digest(url)


def test_host_is_returned_normalised():
    assert normalise_url("https://user:pw@Sub.Bücher.Example.:8443/x").host == (
        "sub.xn--bcher-kva.example"
    )
    assert normalise_url("http://[2001:db8::5]:81/").host == "[2001:db8::5]"
    assert normalise_url("http://192.0.2.1/").host == "192.0.2.1"


def test_spellings_of_one_url_share_one_digest():
    spellings = [
        "HTTPS://WWW.Example.org:443/a/./b/%7Ex?q=1#top",
        "https://www.example.org/a/b/~x?q=1",
        "https://user:pw@www.example.org./a/c/../b/%7ex?q=1",
    ]

    assert len({normalise_url(s).digest for s in spellings}) == 1
    assert (
        normalise_url("https://www.example.org/a?q=1").digest
        != normalise_url("https://www.example.org/a?q=2").digest
    )


def refused(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        normalise_url(raw)
    return excinfo.value


EMPTY = "Enter a URL."
MALFORMED = "This is not a valid web address. Copy it from the address bar of your browser."
NO_HOST = "This address has no host name (the part such as www.example.org)."
TOO_LONG = "A URL can be at most 2048 characters long."
SCHEME = "Only web addresses (starting with http:// or https://) can be reported."
LOCAL = "This address points to a private or local network, not to a site on the internet."


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", EMPTY),
        ("   \n", "empty", EMPTY),
        # Malformed.
        ("http://exa mple.org/", "malformed", MALFORMED),
        ("http://example.org:99999/", "malformed", MALFORMED),
        ("http://example.org:0/", "malformed", MALFORMED),
        ("http://example.org:port/", "malformed", MALFORMED),
        ("http://[2001:db8::1/", "malformed", MALFORMED),
        ("http://[not-an-address]/", "malformed", MALFORMED),
        ("http://-dash.example.org/", "malformed", MALFORMED),
        ("http://exa!mple.org/", "malformed", MALFORMED),
        ("http://example..org/", "malformed", MALFORMED),
        ("http://" + "a" * 64 + ".example.org/", "malformed", MALFORMED),
        ("http://example.org/\x00", "malformed", MALFORMED),
        ("http://example.org/\u202eevil", "malformed", MALFORMED),
        ("http:\\\\example.org\\x", "malformed", MALFORMED),
        ("http://256.1.1.1/", "malformed", MALFORMED),
        ("http://1.2.3.4.5/", "malformed", MALFORMED),
        ("name@example.org", "malformed", MALFORMED),
        # No host.
        ("http://", "no_host", NO_HOST),
        ("http:///path", "no_host", NO_HOST),
        ("https://user@/x", "no_host", NO_HOST),
        ("http://./", "no_host", NO_HOST),
        # Unknown schemes.
        ("javascript:alert(1)", "scheme", SCHEME),
        ("JavaScript:alert(1)", "scheme", SCHEME),
        ("data:text/html;base64,PGgxPg==", "scheme", SCHEME),
        ("file:///etc/passwd", "scheme", SCHEME),
        ("ftp://example.org/file", "scheme", SCHEME),
        ("mailto:someone@example.org", "scheme", SCHEME),
        ("magnet:?xt=urn:btih:0000", "scheme", SCHEME),
        # Loopback, private, link-local, shared, multicast, unspecified; local names.
        ("http://127.0.0.1/", "local_address", LOCAL),
        ("http://127.1/", "local_address", LOCAL),
        ("http://2130706433/", "local_address", LOCAL),
        ("http://0x7f000001/", "local_address", LOCAL),
        ("http://0177.0.0.1/", "local_address", LOCAL),
        ("http://10.1.2.3/", "local_address", LOCAL),
        ("http://172.16.0.1/", "local_address", LOCAL),
        ("http://192.168.1.1:8080/", "local_address", LOCAL),
        ("http://169.254.169.254/latest/meta-data/", "local_address", LOCAL),
        ("http://100.64.0.1/", "local_address", LOCAL),
        ("http://0.0.0.0/", "local_address", LOCAL),
        ("http://224.0.0.1/", "local_address", LOCAL),
        ("http://255.255.255.255/", "local_address", LOCAL),
        ("http://[::1]/", "local_address", LOCAL),
        ("http://[::]/", "local_address", LOCAL),
        ("http://[fe80::1]/", "local_address", LOCAL),
        ("http://[fe80::1%25eth0]/", "local_address", LOCAL),
        ("http://[fd00::1]/", "local_address", LOCAL),
        ("http://[ff02::1]/", "local_address", LOCAL),
        ("http://[::ffff:127.0.0.1]/", "local_address", LOCAL),
        ("http://[::ffff:10.0.0.1]/", "local_address", LOCAL),
        ("http://localhost:8000/", "local_address", LOCAL),
        ("http://LOCALHOST./", "local_address", LOCAL),
        ("http://app.localhost/", "local_address", LOCAL),
        ("http://printer.local/", "local_address", LOCAL),
        ("http://intranet/", "local_address", LOCAL),
    ],
)
def test_refused_urls_say_why(raw, code, message):
    error = refused(raw)

    assert error.code == code
    assert error.messages == [message]


def test_length_limit_is_2048_characters_as_given():
    base = "http://example.org/"
    at_limit = base + "a" * (URL_MAX_LENGTH - len(base))

    assert normalise_url(at_limit).url == at_limit
    error = refused(at_limit + "a")
    assert (error.code, error.messages) == ("too_long", [TOO_LONG])


def test_length_limit_holds_once_normalised():
    # 700 non-ASCII characters are 700 characters as typed, 4,200 once escaped.
    error = refused("http://example.org/" + "ü" * 700)

    assert (error.code, error.messages) == ("too_long", [TOO_LONG])
