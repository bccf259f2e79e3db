"""Where a reported URL is hosted: Beacon's proposal of the hosting country, for the analyst to
confirm or correct.

The host's name is followed through its CNAME chain (bounded, loop-safe) to its IPv4 and IPv6
addresses, with the resolver named by settings.HOTLINE_DNS_NAMESERVERS (the system's when empty).
Each address gets a country from the organisation's override file (settings.HOTLINE_IP_COUNTRY_FILE,
the most specific range wins) and otherwise from `iptocc`, an offline copy of the regional internet
registries' delegation files shipped in the package: no network service is asked at look-up time,
and upgrading the package refreshes the data. A delegation names the country of the network's
holder, which is what INHOPE's "hosting country" means in practice; a CDN's address says where the
CDN is registered, not where the content lives, so an address or a CNAME of a known CDN
(settings.HOTLINE_CDN_FILE) is flagged for the analyst.
"""

import ipaddress
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
import iptocc
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import AuditAction
from beacon.reports.models import UrlItem

logger = logging.getLogger(__name__)

# Real chains are two or three names long; a longer one is a misconfiguration or a trap.
MAX_CNAME_CHAIN = 8

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Why a look-up found no address (stored nowhere: the item keeps hosting_checked_at only).
NXDOMAIN = "nxdomain"
TIMEOUT = "timeout"
NO_ADDRESS = "no_address"
CNAME_LOOP = "cname_loop"
CNAME_TOO_LONG = "cname_too_long"
DNS_FAILURE = "dns_failure"
BAD_NAME = "bad_name"


@dataclass(frozen=True)
class HostingResult:
    """What DNS and the offline data say about one host; `error` is empty when addresses were found."""

    addresses: list[str] = field(default_factory=list)
    cname_chain: list[str] = field(default_factory=list)
    country: str = ""
    cdn: str = ""
    error: str = ""


# --- DNS ------------------------------------------------------------------------------------------


def make_resolver() -> dns.resolver.Resolver:
    """The resolver of look-ups and checks: the configured servers, or the system's."""
    configured = list(settings.HOTLINE_DNS_NAMESERVERS)
    resolver = dns.resolver.Resolver(configure=not configured)
    if configured:
        resolver.nameservers = [_nameserver(value) for value in configured]
    resolver.timeout = float(settings.HOTLINE_DNS_TIMEOUT)
    resolver.lifetime = float(settings.HOTLINE_DNS_TIMEOUT)
    resolver.cache = None  # a re-check must see a changed answer, not our own copy of the old one
    return resolver


def _nameserver(value: str) -> dns.nameserver.Do53Nameserver:
    address, port = value, 53
    if value.startswith("["):
        address, _, port_text = value[1:].partition("]:")
        port = int(port_text)
    elif value.count(":") == 1:
        address, _, port_text = value.partition(":")
        port = int(port_text)
    return dns.nameserver.Do53Nameserver(address, port)


def ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass
class Resolution:
    addresses: list[str] = field(default_factory=list)
    cname_chain: list[str] = field(default_factory=list)
    error: str = ""


def resolve(host: str, resolver: dns.resolver.Resolver | None = None) -> Resolution:
    """Follow `host`'s CNAME chain, then ask for its A and AAAA records. Never raises for what DNS
    answers (no such name, timeout, a loop): the reason is in `error`."""
    literal = ip_literal(host)
    if literal is not None:
        return Resolution(addresses=[str(literal)])
    resolver = resolver or make_resolver()
    outcome = Resolution()
    try:
        name = dns.name.from_text(host.rstrip(".") + ".")
    except dns.exception.DNSException:
        outcome.error = BAD_NAME
        return outcome
    seen = {name}
    try:
        for _ in range(MAX_CNAME_CHAIN + 1):
            answer = resolver.resolve(name, "CNAME", raise_on_no_answer=False, search=False)
            if answer.rrset is None:
                break
            target = answer.rrset[0].target
            if target in seen:
                outcome.error = CNAME_LOOP
                return outcome
            if len(outcome.cname_chain) == MAX_CNAME_CHAIN:
                outcome.error = CNAME_TOO_LONG
                return outcome
            seen.add(target)
            outcome.cname_chain.append(target.to_text(omit_final_dot=True).lower())
            name = target
        for rdtype in ("A", "AAAA"):
            answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
            if answer.rrset is not None:
                outcome.addresses.extend(rdata.address for rdata in answer.rrset)
    except dns.resolver.NXDOMAIN:
        outcome.error = NXDOMAIN
    except dns.exception.Timeout:
        outcome.error = TIMEOUT
    except dns.exception.DNSException:
        # No server answered usefully (SERVFAIL, refused, a malformed answer).
        outcome.error = DNS_FAILURE
    if not outcome.error and not outcome.addresses:
        outcome.error = NO_ADDRESS
    return outcome


# --- Countries ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _overrides(path: str, mtime_ns: int, size: int) -> list[tuple[IpNetwork, str]]:
    """The override file's ranges, most specific first (cached until the file changes)."""
    ranges: list[tuple[IpNetwork, str]] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].replace(",", " ").strip()
        if not text:
            continue
        parts = text.split()
        try:
            if len(parts) != 2 or len(parts[1]) != 2 or not parts[1].isalpha():
                raise ValueError(text)
            network = ipaddress.ip_network(parts[0], strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"HOTLINE_IP_COUNTRY_FILE {path}, line {number}: expected 'CIDR COUNTRY', "
                f"got {line.strip()!r}"
            ) from None
        ranges.append((network, parts[1].upper()))
    ranges.sort(key=lambda entry: entry[0].prefixlen, reverse=True)
    return ranges


def override_ranges() -> list[tuple[IpNetwork, str]]:
    path = settings.HOTLINE_IP_COUNTRY_FILE
    if not path:
        return []
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"HOTLINE_IP_COUNTRY_FILE={path!r} cannot be read: {exc}"
        ) from exc
    # Size as well as time: two writes within the clock's granularity share a modification time.
    return _overrides(path, stat.st_mtime_ns, stat.st_size)


def country_of(address: str) -> str:
    """The country of one address: the organisation's override, else the registries' data."""
    ip = ipaddress.ip_address(address)
    for network, country in override_ranges():
        if ip.version == network.version and ip in network:
            return country
    return (iptocc.country_code(str(ip)) or "").upper()


def country_of_addresses(addresses: list[str]) -> str:
    """The country most of the addresses are in; on a tie, the earliest address's (IPv4 first)."""
    countries = [country for country in map(country_of, addresses) if country]
    if not countries:
        return ""
    counts = Counter(countries)
    best = max(counts.values())
    return next(country for country in countries if counts[country] == best)


# --- Content delivery networks --------------------------------------------------------------------


@dataclass(frozen=True)
class Cdn:
    key: str
    name: str
    suffixes: tuple[str, ...]
    ranges: tuple[IpNetwork, ...]


@lru_cache(maxsize=4)
def _cdns(path: str, mtime_ns: int, size: int) -> tuple[Cdn, ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return tuple(
            Cdn(
                key=entry["key"],
                name=entry["name"],
                suffixes=tuple(s.lower().strip(".") for s in entry.get("suffixes", [])),
                ranges=tuple(ipaddress.ip_network(r) for r in entry.get("ranges", [])),
            )
            for entry in data["cdns"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"HOTLINE_CDN_FILE={path!r} is not usable: {exc}") from exc


def known_cdns() -> tuple[Cdn, ...]:
    path = settings.HOTLINE_CDN_FILE
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise ImproperlyConfigured(f"HOTLINE_CDN_FILE={path!r} cannot be read: {exc}") from exc
    return _cdns(path, stat.st_mtime_ns, stat.st_size)


def cdn_of(*, names: list[str], addresses: list[str]) -> str:
    """The name of the CDN that one of the names (by suffix) or addresses (by range) belongs to."""
    cdns = known_cdns()
    for name in names:
        name = name.lower().rstrip(".")
        for cdn in cdns:
            if any(name == suffix or name.endswith("." + suffix) for suffix in cdn.suffixes):
                return cdn.name
    for address in addresses:
        ip = ipaddress.ip_address(address)
        for cdn in cdns:
            if any(ip.version == net.version and ip in net for net in cdn.ranges):
                return cdn.name
    return ""


# --- The look-up and the item ---------------------------------------------------------------------


def lookup_hosting(host: str) -> HostingResult:
    """Addresses, CNAME chain, proposed country and CDN of one host (a network call: DNS only)."""
    found = resolve(host)
    names = [host, *found.cname_chain] if ip_literal(host) is None else []
    return HostingResult(
        addresses=found.addresses,
        cname_chain=found.cname_chain,
        country=country_of_addresses(found.addresses),
        cdn=cdn_of(names=names, addresses=found.addresses)[:60],
        error=found.error,
    )


@transaction.atomic
def item_record_hosting(*, item_id: int, result: HostingResult, at: datetime) -> bool:
    """Write a look-up's result on the item (system work, audited without an actor).

    The hosting country follows the proposal only while no analyst has decided it: when it is
    empty, or still equal to the previous proposal and the item has no assessment yet. Returns
    False when the item is gone or minimised (its host is a hash by then; nothing to write).
    """
    item = (
        UrlItem.objects.select_for_update()
        .filter(pk=item_id, minimised_at__isnull=True)
        .only("id", "hosting_country", "proposed_country", "current_assessment_id")
        .first()
    )
    if item is None:
        return False
    values: dict = {
        "resolved_ips": result.addresses,
        "cname_chain": result.cname_chain,
        "proposed_country": result.country,
        "behind_cdn": result.cdn,
        "hosting_checked_at": at,
    }
    proposal_stands = not item.hosting_country or (
        item.hosting_country == item.proposed_country and item.current_assessment_id is None
    )
    if result.country and proposal_stands and item.hosting_country != result.country:
        values["hosting_country"] = result.country
        # An analyst's open form showed the old country: their save must see it changed.
        values["version"] = F("version") + 1
    UrlItem.objects.filter(pk=item_id).update(**values)
    audit(
        actor=None,
        action=AuditAction.UPDATE,
        obj=item,
        fields=[name for name in values if name != "version"],
    )
    return True


def item_lookup_hosting(*, item_id: int) -> None:
    """Look up where an item's host is and record it (the task; safe to run twice).

    DNS is asked outside any transaction (it may take seconds); the write is short and conditional.
    """
    host = (
        UrlItem.objects.filter(pk=item_id, minimised_at__isnull=True)
        .values_list("host", flat=True)
        .first()
    )
    if host is None:
        return None
    result = lookup_hosting(host)
    if result.error:
        # The reason, not the name: logs outlive the minimisation of the item.
        logger.info("hosting look-up of item %s found no address: %s", item_id, result.error)
    item_record_hosting(item_id=item_id, result=result, at=timezone.now())
    return None
