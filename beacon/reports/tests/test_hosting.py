"""Where a reported URL is hosted: a real DNS server on loopback, the offline IP-to-country data
with the organisation's override file, CDN flags, and what is written on the item."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from beacon.core.models import AuditRecord
from beacon.reports import hosting
from beacon.reports.hosting import (
    CNAME_LOOP,
    CNAME_TOO_LONG,
    NXDOMAIN,
    TIMEOUT,
    cdn_of,
    country_of,
    item_lookup_hosting,
    lookup_hosting,
)
from beacon.reports.models import Assessment, UrlItem
from beacon.reports.tests.items import make_item
from beacon.reports.tests.netservers import DnsServer

ZONE: dict[str, dict] = {
    # A two-step chain to a host in the Netherlands (by the override file).
    "www.site.test": {"CNAME": "edge.site.test"},
    "edge.site.test": {"CNAME": "origin.hoster.test"},
    "origin.hoster.test": {"A": ["198.51.100.7"], "AAAA": ["2001:db8::7"]},
    # A chain that ends at a CDN's name (by suffix) and an address in the CDN's range.
    "img.site.test": {"CNAME": "x1.edge.cdn.example.net"},
    "x1.edge.cdn.example.net": {"A": ["203.0.113.200"]},
    "bare.site.test": {"A": ["203.0.113.5"]},
    # A loop, a dangling alias and a chain too long to follow.
    "a.loop.test": {"CNAME": "b.loop.test"},
    "b.loop.test": {"CNAME": "a.loop.test"},
    "dangling.site.test": {"CNAME": "gone.hoster.test"},
    **{f"c{n}.long.test": {"CNAME": f"c{n + 1}.long.test"} for n in range(20)},
    # Three addresses, two of them in one country.
    "many.site.test": {"A": ["192.0.2.10", "198.51.100.8", "198.51.100.9"]},
    "unknown.site.test": {"A": ["203.0.113.99"]},
    "nothing.site.test": {"TXT": ["v=none"]},
}
OVERRIDES = """\
# The organisation's corrections (documentation ranges given a country for the tests).
198.51.100.0/24 NL
192.0.2.0/24    BE
192.0.2.128/25, DE   # the more specific range wins
2001:db8::/32   FR
"""


@pytest.fixture
def dns_server(settings):
    with DnsServer(ZONE, silent=("slow.test",)) as server:
        settings.HOTLINE_DNS_NAMESERVERS = [server.nameserver]
        settings.HOTLINE_DNS_TIMEOUT = 0.3
        yield server


@pytest.fixture
def overrides(settings, tmp_path):
    path = tmp_path / "ip-country.txt"
    path.write_text(OVERRIDES)
    settings.HOTLINE_IP_COUNTRY_FILE = str(path)
    return path


@pytest.fixture
def example_cdn(settings, tmp_path):
    path = tmp_path / "cdn.json"
    cdns = [
        {
            "key": "example",
            "name": "Example CDN",
            "suffixes": ["cdn.example.net"],
            "ranges": ["203.0.113.0/25"],
        }
    ]
    path.write_text(json.dumps({"cdns": cdns}))
    settings.HOTLINE_CDN_FILE = str(path)
    return path


def test_cname_chain_is_followed_to_both_address_families_and_the_override_gives_the_country(
    dns_server, overrides, example_cdn
):
    result = lookup_hosting("www.site.test")

    assert result.addresses == ["198.51.100.7", "2001:db8::7"]
    assert result.cname_chain == ["edge.site.test", "origin.hoster.test"]
    assert result.country == "NL"
    assert result.cdn == ""
    assert result.error == ""


def test_without_the_override_documentation_addresses_get_no_country(dns_server, example_cdn):
    # iptocc knows only the registries' delegations: no country is made up for these ranges.
    result = lookup_hosting("www.site.test")

    assert result.addresses == ["198.51.100.7", "2001:db8::7"]
    assert result.country == ""


def test_a_chain_ending_at_a_cdn_name_is_flagged(dns_server, overrides, example_cdn):
    result = lookup_hosting("img.site.test")

    assert result.cname_chain == ["x1.edge.cdn.example.net"]
    assert result.cdn == "Example CDN"
    # Outside the CDN's range (203.0.113.0/25) and outside every override: no country.
    assert result.addresses == ["203.0.113.200"]
    assert result.country == ""


def test_an_address_in_a_cdn_range_is_flagged_without_any_cname(dns_server, example_cdn):
    result = lookup_hosting("bare.site.test")

    assert result.cname_chain == []
    assert result.cdn == "Example CDN"


def test_the_shipped_cdn_list_knows_suffixes_and_published_ranges_but_no_documentation_range():
    # AWS's own documentation example of a distribution name.
    assert cdn_of(names=["d111111abcdef8.cloudfront.net"], addresses=[]) == "Amazon CloudFront"
    assert cdn_of(names=["www.example.org"], addresses=["192.0.2.1", "2001:db8::1"]) == ""
    # Not a suffix match by accident: "notcloudfront.net" is another name.
    assert cdn_of(names=["notcloudfront.net"], addresses=[]) == ""
    ranges = [net for cdn in hosting.known_cdns() for net in cdn.ranges]
    assert len(ranges) > 30


def test_a_cname_loop_stops_without_raising(dns_server, example_cdn):
    result = lookup_hosting("a.loop.test")

    assert result.error == CNAME_LOOP
    assert result.addresses == []
    assert result.cname_chain == ["b.loop.test"]
    # It stopped as soon as it saw the loop: two CNAME questions, no address question.
    assert [q for q in dns_server.queries if q[1] != "CNAME"] == []


def test_a_chain_longer_than_the_bound_stops(dns_server, example_cdn):
    result = lookup_hosting("c0.long.test")

    assert result.error == CNAME_TOO_LONG
    assert len(result.cname_chain) == hosting.MAX_CNAME_CHAIN
    assert len(dns_server.queries) == hosting.MAX_CNAME_CHAIN + 1


def test_no_such_name_and_a_dangling_alias_are_nxdomain(dns_server, example_cdn):
    assert lookup_hosting("missing.site.test").error == NXDOMAIN
    dangling = lookup_hosting("dangling.site.test")
    assert dangling.error == NXDOMAIN
    assert dangling.cname_chain == ["gone.hoster.test"]


def test_a_name_without_addresses_and_a_silent_server(dns_server, example_cdn):
    assert lookup_hosting("nothing.site.test").error == hosting.NO_ADDRESS
    assert lookup_hosting("www.slow.test").error == TIMEOUT


def test_an_ip_literal_is_its_own_address_and_asks_no_dns(dns_server, overrides, example_cdn):
    assert lookup_hosting("192.0.2.44").addresses == ["192.0.2.44"]
    assert lookup_hosting("192.0.2.44").country == "BE"
    assert lookup_hosting("192.0.2.200").country == "DE"
    assert lookup_hosting("[2001:db8::1]").country == "FR"
    assert dns_server.queries == []


def test_the_country_most_addresses_share_is_proposed(dns_server, overrides, example_cdn):
    assert lookup_hosting("many.site.test").country == "NL"


def test_a_bad_override_file_is_a_loud_error(settings, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("198.51.100.0/24 NL\nnot-a-range XX\n")
    settings.HOTLINE_IP_COUNTRY_FILE = str(path)

    with pytest.raises(ImproperlyConfigured, match="line 2"):
        country_of("198.51.100.1")


def test_the_override_file_is_read_again_when_it_changes(settings, overrides):
    assert country_of("198.51.100.1") == "NL"
    overrides.write_text("198.51.100.0/24 LU\n# corrected\n")

    assert country_of("198.51.100.1") == "LU"


# --- On the item ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lookup_writes_the_proposal_and_the_country_and_is_audited(
    dns_server, overrides, example_cdn
):
    item = make_item("https://www.site.test/a/b.html")

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert item.resolved_ips == ["198.51.100.7", "2001:db8::7"]
    assert item.cname_chain == ["edge.site.test", "origin.hoster.test"]
    assert item.proposed_country == "NL"
    assert item.hosting_country == "NL"
    assert item.behind_cdn == ""
    assert item.hosting_checked_at is not None
    assert item.version == 2
    record = AuditRecord.objects.get(object_type="reports.urlitem", object_id=str(item.pk))
    assert record.actor is None
    assert record.fields == sorted(
        [
            "resolved_ips",
            "cname_chain",
            "proposed_country",
            "behind_cdn",
            "hosting_checked_at",
            "hosting_country",
        ]
    )


@pytest.mark.django_db
def test_running_it_twice_changes_nothing_more(dns_server, overrides, example_cdn):
    item = make_item("https://www.site.test/")
    item_lookup_hosting(item_id=item.pk)
    first = UrlItem.objects.values().get(pk=item.pk)

    item_lookup_hosting(item_id=item.pk)

    second = UrlItem.objects.values().get(pk=item.pk)
    assert {k: v for k, v in second.items() if k != "hosting_checked_at"} == {
        k: v for k, v in first.items() if k != "hosting_checked_at"
    }


@pytest.mark.django_db
def test_an_analysts_country_is_never_overwritten(cast, dns_server, overrides, example_cdn):
    item = make_item("https://www.site.test/")
    assessment = Assessment.objects.create(
        item=item, analyst=cast["analyst"], accessible=True, hosting_country="DE"
    )
    UrlItem.objects.filter(pk=item.pk).update(hosting_country="DE", current_assessment=assessment)

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert item.proposed_country == "NL"
    assert item.hosting_country == "DE"
    assert item.version == 1


@pytest.mark.django_db
def test_a_changed_proposal_follows_until_an_analyst_decides(settings, dns_server, overrides):
    item = make_item("https://www.site.test/")
    item_lookup_hosting(item_id=item.pk)
    overrides.write_text("198.51.100.0/24 LU\n")

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert (item.proposed_country, item.hosting_country) == ("LU", "LU")


@pytest.mark.django_db
def test_nxdomain_records_the_lookup_and_leaves_the_proposal_empty(dns_server, example_cdn):
    item = make_item("http://missing.site.test/x", hosting_country="")

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert item.hosting_checked_at is not None
    assert (item.proposed_country, item.hosting_country, item.resolved_ips) == ("", "", [])


@pytest.mark.django_db
def test_a_timeout_records_the_lookup_without_raising(dns_server, example_cdn):
    item = make_item("http://www.slow.test/x")

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert item.hosting_checked_at is not None
    assert item.proposed_country == ""


@pytest.mark.django_db
def test_a_minimised_item_is_left_alone(dns_server, overrides):
    item = make_item("https://www.site.test/")
    UrlItem.objects.filter(pk=item.pk).update(minimised_at=item.first_reported_at)

    item_lookup_hosting(item_id=item.pk)

    item.refresh_from_db()
    assert item.hosting_checked_at is None
    assert dns_server.queries == []
    assert not AuditRecord.objects.filter(object_type="reports.urlitem").exists()


@pytest.mark.django_db
def test_the_task_and_the_command_run_the_lookup(dns_server, overrides, example_cdn):
    from beacon.reports.tasks import lookup_hosting as lookup_task

    by_task = make_item("https://www.site.test/task")
    new = make_item("https://many.site.test/new")
    lookup_task.call(by_task.pk)
    call_command("hotline_hosting", "--all-new")

    assert UrlItem.objects.get(pk=by_task.pk).proposed_country == "NL"
    assert UrlItem.objects.get(pk=new.pk).proposed_country == "NL"
    assert UrlItem.objects.filter(hosting_checked_at__isnull=True).count() == 0
