"""Minimisation after the retention period: at its boundary, idempotent, nothing left that names the
URL or the reporter, everything the figures count kept."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from beacon.core.models import AuditRecord, DeliveryAttempt, OutboxMessage
from beacon.core.outbox import outbox_enqueue
from beacon.reports.choices import (
    Classification,
    ItemStatus,
    NoticeKind,
    RemovalSource,
    ReportStatus,
)
from beacon.reports.models import Assessment, Notice, Report, UrlCheck, UrlItem, url_digest
from beacon.reports.retention import digest, minimise_due, retention_days
from beacon.reports.tests.items import make_item, make_report

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=365)
URL = "https://minimise-me.example.org/gallery/42?page=1"
HOST = "minimise-me.example.org"
EMAIL = "reporter-7b2d@example.org"


def everything_in_the_database() -> str:
    dump: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            table_name = connection.ops.quote_name(table)  # from the database's own catalogue
            cursor.execute(f"SELECT * FROM {table_name}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


@pytest.fixture
def worked(cast):
    """A URL reported, assessed, noticed, checked and removed; its report closed at CUTOFF - 1 s."""
    item = make_item(
        URL,
        at=CUTOFF - timedelta(days=10),
        status=ItemStatus.REMOVED,
        resolved_ips=["198.51.100.7", "2001:db8::7"],
        cname_chain=["edge.cdn.example.net"],
        proposed_country="NL",
        hosting_country="NL",
        behind_cdn="Example CDN",
        hosting_checked_at=CUTOFF - timedelta(days=10),
        first_notice_at=CUTOFF - timedelta(days=9),
        removed_at=CUTOFF - timedelta(days=8),
        removal_source=RemovalSource.CHECK,
        decided_at=CUTOFF - timedelta(days=9),
    )
    assessment = Assessment.objects.create(
        item=item,
        analyst=cast["analyst"],
        assessed_at=CUTOFF - timedelta(days=9),
        accessible=True,
        classification=Classification.BASELINE,
        hosting_country="NL",
        note=f"seen at {URL}, hosted on {HOST}",
    )
    UrlItem.objects.filter(pk=item.pk).update(current_assessment=assessment)
    notice = Notice.objects.create(
        reference=Notice.new_reference(),
        item=item,
        kind=NoticeKind.HOTLINE,
        recipient="Example member hotline",
        recipient_country="NL",
        created_at=CUTOFF - timedelta(days=9),
        explanation=f"The content at {URL} is illegal.",
    )
    message = outbox_enqueue(
        channel="http",
        destination="https://hotline.example.org/notices",
        subject=f"Notice {notice.reference}",
        body=f"Reported location:\n{URL}\n",
        payload={"reference": notice.reference, "urls": [URL]},
        reference=notice.reference,
        obj=notice,
    )
    Notice.objects.filter(pk=notice.pk).update(outbox_message=message)
    for minutes, online, address, final_host in (
        (0, True, "198.51.100.7", HOST),
        (60, False, "198.51.100.7", HOST),
        (65, False, "", HOST),
    ):
        UrlCheck.objects.create(
            item=item,
            checked_at=CUTOFF - timedelta(days=8, minutes=-minutes),
            online=online,
            status_code=200 if online else None,
            error="" if online else "DNS: nxdomain",
            address=address,
            final_host=final_host,
        )
    report = make_report(
        item,
        closed_at=CUTOFF - timedelta(seconds=1),
        received_at=CUTOFF - timedelta(days=10),
        description=f"I saw this at {URL} on a forum",
        contact_email=EMAIL,
        language="nl",
    )
    mail = outbox_enqueue(
        channel="email",
        destination=EMAIL,
        subject=f"Your report {report.number}",
        body=f"Dear {EMAIL}, thank you.",
        reference=report.number,
        obj=report,
    )
    DeliveryAttempt.objects.create(message=mail, error=f"450 mailbox busy for <{EMAIL}>")
    item.refresh_from_db()
    return item


@pytest.mark.django_db
def test_a_report_closed_more_than_the_retention_period_ago_and_its_url_are_minimised(worked):
    report = Report.objects.get()
    kept_report = Report.objects.values(
        "number", "received_at", "where_seen", "platform", "status", "closed_at", "language"
    ).get()
    kept_item = UrlItem.objects.values(
        "url_hash",
        "status",
        "first_reported_at",
        "report_count",
        "proposed_country",
        "hosting_country",
        "behind_cdn",
        "first_notice_at",
        "removed_at",
        "removal_source",
        "current_assessment",
        "decided_at",
    ).get()

    assert minimise_due(now=NOW) == "reports 1, URLs 1"

    report.refresh_from_db()
    assert (report.description, report.contact_email, report.minimised_at) == ("", "", NOW)
    assert Report.objects.values(*kept_report).get() == kept_report
    item = UrlItem.objects.get()
    assert item.url == f"sha256:{url_digest(URL)}"
    assert item.host == digest(HOST)
    assert item.resolved_ips == [digest("198.51.100.7"), digest("2001:db8::7")]
    assert item.cname_chain == [digest("edge.cdn.example.net")]
    assert item.minimised_at == NOW
    assert UrlItem.objects.values(*kept_item).get() == kept_item
    checks = list(UrlCheck.objects.order_by("checked_at").values("online", "address", "final_host"))
    assert checks == [
        {"online": True, "address": digest("198.51.100.7"), "final_host": digest(HOST)},
        {"online": False, "address": digest("198.51.100.7"), "final_host": digest(HOST)},
        {"online": False, "address": "", "final_host": digest(HOST)},
    ]
    assessment = Assessment.objects.get()
    assert (assessment.note, assessment.classification) == ("", Classification.BASELINE)
    notice = Notice.objects.get()
    assert (notice.kind, notice.recipient_country) == (NoticeKind.HOTLINE, "NL")
    assert notice.explanation == f"The content at sha256:{url_digest(URL)} is illegal."
    # Nothing anywhere still names the URL, its host, its addresses or the reporter.
    dump = everything_in_the_database()
    for secret in (URL, HOST, "198.51.100.7", "2001:db8::7", EMAIL, "on a forum"):
        assert secret not in dump, secret
    notice_message = OutboxMessage.objects.get(object_type="reports.notice")
    assert notice_message.payload["urls"] == [f"sha256:{url_digest(URL)}"]
    assert notice_message.destination == "https://hotline.example.org/notices"
    assert OutboxMessage.objects.get(object_type="reports.report").destination == ""


def test_addresses_are_digested_with_a_key(settings):
    import hashlib

    plain = hashlib.sha256(b"198.51.100.7").hexdigest()
    keyed = digest("198.51.100.7")
    assert keyed != plain and len(keyed) == 64 and keyed == digest("198.51.100.7")
    settings.SECRET_KEY = "another key"
    assert digest("198.51.100.7") != keyed


@pytest.mark.django_db
def test_minimisation_is_audited_and_idempotent(worked):
    minimise_due(now=NOW)
    records = AuditRecord.objects.filter(actor=None, action="update").count()
    snapshot = everything_in_the_database()

    assert minimise_due(now=NOW + timedelta(days=1)) == "reports 0, URLs 0"

    assert everything_in_the_database() == snapshot
    assert AuditRecord.objects.filter(actor=None, action="update").count() == records
    audited = AuditRecord.objects.filter(object_type__in=["reports.report", "reports.urlitem"])
    assert sorted((r.object_type, r.actor_id, r.fields) for r in audited) == [
        ("reports.report", None, ["contact_email", "description", "minimised_at"]),
        ("reports.urlitem", None, ["cname_chain", "host", "minimised_at", "resolved_ips", "url"]),
    ]


@pytest.mark.django_db
def test_one_second_inside_the_retention_period_nothing_is_minimised(worked):
    Report.objects.update(closed_at=CUTOFF + timedelta(seconds=1))

    assert minimise_due(now=NOW) == "reports 0, URLs 0"

    assert Report.objects.get().contact_email == EMAIL
    assert UrlItem.objects.get().url == URL


@pytest.mark.django_db
def test_exactly_at_the_boundary_is_not_yet_more_than_the_period(worked):
    Report.objects.update(closed_at=CUTOFF)

    assert minimise_due(now=NOW) == "reports 0, URLs 0"


@pytest.mark.django_db
def test_a_url_another_report_still_needs_keeps_its_text(worked):
    make_report(worked, closed_at=CUTOFF + timedelta(days=1), description="later")
    make_report(worked, description="open")

    assert minimise_due(now=NOW) == "reports 1, URLs 0"

    assert UrlItem.objects.get().url == URL
    assert Report.objects.filter(minimised_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_url_still_being_watched_is_not_minimised(worked):
    UrlItem.objects.update(
        status=ItemStatus.ACTIONED, removed_at=None, closed_at=None, next_check_at=NOW
    )

    assert minimise_due(now=NOW) == "reports 1, URLs 0"

    assert UrlItem.objects.get().minimised_at is None


@pytest.mark.django_db
def test_a_url_whose_watching_ended_unremoved_is_minimised(worked):
    # Checks stop after day 30; the item stays "actioned" and must not keep its URL forever.
    UrlItem.objects.update(
        status=ItemStatus.ACTIONED, removed_at=None, closed_at=None, next_check_at=None
    )

    assert minimise_due(now=NOW) == "reports 1, URLs 1"

    item = UrlItem.objects.get()
    assert item.minimised_at == NOW and URL not in item.url


@pytest.mark.django_db
def test_open_reports_are_never_minimised(worked):
    Report.objects.update(status=ReportStatus.IN_PROGRESS)

    assert minimise_due(now=NOW) == "reports 0, URLs 0"


@pytest.mark.django_db
def test_the_retention_period_comes_from_the_setting(settings, worked):
    settings.HOTLINE_RETENTION_DAYS = 400

    assert minimise_due(now=NOW) == "reports 0, URLs 0"
    assert minimise_due(now=NOW + timedelta(days=35)) == "reports 1, URLs 1"


def test_a_bad_retention_setting_is_a_loud_error(settings):
    settings.HOTLINE_RETENTION_DAYS = "a year"
    with pytest.raises(ImproperlyConfigured):
        retention_days()
    settings.HOTLINE_RETENTION_DAYS = 0
    with pytest.raises(ImproperlyConfigured):
        retention_days()


def settings_in_a_fresh_process(code: str, **environ: str) -> subprocess.CompletedProcess:
    """Import the settings module in a new interpreter, as a start would, with these variables."""
    env = {k: v for k, v in os.environ.items() if k != "BEACON_HOTLINE_RETENTION_DAYS"}
    return subprocess.run(
        [sys.executable, "-c", f"import beacon.settings as s; {code}"],
        env={**env, **environ},
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=False,
    )


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5"])
def test_a_bad_retention_environment_variable_stops_the_start(value):
    result = settings_in_a_fresh_process("", BEACON_HOTLINE_RETENTION_DAYS=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured: BEACON_HOTLINE_RETENTION_DAYS" in result.stderr


def test_the_default_retention_is_a_year_and_the_variable_sets_it():
    assert settings_in_a_fresh_process("print(s.HOTLINE_RETENTION_DAYS)").stdout.strip() == "365"
    chosen = settings_in_a_fresh_process(
        "print(s.HOTLINE_RETENTION_DAYS)", BEACON_HOTLINE_RETENTION_DAYS="730"
    )
    assert chosen.stdout.strip() == "730"


@pytest.mark.django_db
def test_the_command_minimises(worked, capsys):
    call_command("hotline_minimise")

    assert "reports 1, URLs 1" in capsys.readouterr().out
