"""Fixtures of the image matching tests: a DNS server on loopback that places the test hosts in
countries (through the hotline's override file)."""

import pytest

from beacon.matching.tests.helpers import OVERRIDES, ZONE
from beacon.reports.tests.netservers import DnsServer


@pytest.fixture
def hosting_dns(settings, tmp_path):
    path = tmp_path / "ip-country.txt"
    path.write_text(OVERRIDES)
    settings.HOTLINE_IP_COUNTRY_FILE = str(path)
    with DnsServer(ZONE) as server:
        settings.HOTLINE_DNS_NAMESERVERS = [server.nameserver]
        settings.HOTLINE_DNS_TIMEOUT = 0.3
        yield server
