"""report_submit: the public intake's write. Grouping of URLs into items, platforms, the queue
after a repeat, every field rule (nothing written on a refusal), the audit record and the task."""

import re
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from beacon.core.models import AuditAction, AuditRecord
from beacon.reports.choices import ItemStatus
from beacon.reports.intake import report_submit
from beacon.reports.models import Report, ReportUrl, UrlItem, url_digest

pytestmark = pytest.mark.django_db


def submit(**overrides) -> Report:
    values: dict[str, Any] = {"urls": ["http://example.org/a"], "where_seen": "web_page"}
    values.update(overrides)
    return report_submit(**values)


def written() -> tuple[int, ...]:
    """Everything a refused report must leave as it was."""
    return (
        Report.objects.count(),
        UrlItem.objects.count(),
        ReportUrl.objects.count(),
        AuditRecord.objects.count(),
        DBTaskResult.objects.count(),
    )


def refused(**overrides) -> dict[str, list[str]]:
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        submit(**overrides)
    assert written() == before
    return excinfo.value.message_dict


def hosting_tasks() -> list[list]:
    return [
        task.args_kwargs["args"]
        for task in DBTaskResult.objects.filter(task_path__endswith="lookup_hosting")
    ]


def test_a_report_is_filed_with_its_urls_grouped_into_items():
    report = submit(
        urls=["https://Example.org/a#x", "", "http://192.0.2.7/b"],
        where_seen="social_media",
        platform_key="instagram",
        description="  A video, posted yesterday  ",
        contact_email="reporter@example.org",
        language="fr",
    )

    assert re.fullmatch(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}", report.number)
    report.refresh_from_db()
    assert report.where_seen == "social_media"
    assert report.platform is not None and report.platform.key == "instagram"
    assert report.description == "A video, posted yesterday"
    assert report.contact_email == "reporter@example.org"
    assert report.language == "fr"
    assert report.status == "new"
    links = list(report.report_urls.select_related("item").order_by("position"))
    assert [(link.position, link.item.url) for link in links] == [
        (0, "https://example.org/a"),
        (1, "http://192.0.2.7/b"),
    ]
    item = links[0].item
    assert item.url_hash == url_digest("https://example.org/a")
    assert item.host == "example.org"
    assert item.report_count == 1
    assert item.status == ItemStatus.NEW
    assert item.first_reported_at == item.last_reported_at == report.received_at
    # Not on any platform's hosts: the platform the reporter named.
    assert item.platform is not None and item.platform.key == "instagram"


def test_new_items_have_their_hosting_looked_up_in_the_background():
    report = submit(urls=["http://example.org/a", "http://example.org/b"])

    ids = sorted(link.item_id for link in report.report_urls.all())
    assert sorted(args[0] for args in hosting_tasks()) == ids


def test_the_report_is_audited_without_an_actor():
    report = submit()

    record = AuditRecord.objects.get()
    assert record.actor is None
    assert record.action == AuditAction.CREATE
    assert (record.object_type, record.object_id) == ("reports.report", str(report.pk))


def test_the_same_url_in_two_reports_is_one_item_with_two_reports():
    first = submit(urls=["http://example.org/page?id=7"])
    second = submit(urls=["HTTP://EXAMPLE.ORG:80/page?id=7#again"], where_seen="other")

    item = UrlItem.objects.get()
    assert item.report_count == 2
    assert item.last_reported_at == second.received_at
    assert item.first_reported_at == first.received_at
    assert sorted(item.report_urls.values_list("report_id", flat=True)) == [first.pk, second.pk]
    # Looked up once, when it was new.
    assert hosting_tasks() == [[item.pk]]


def test_the_same_url_twice_in_one_report_counts_once():
    report = submit(urls=["http://example.org/x", "http://example.org/./x", "http://example.org/y"])

    assert ReportUrl.objects.filter(report=report).count() == 2
    assert UrlItem.objects.get(url="http://example.org/x").report_count == 1
    assert [link.position for link in report.report_urls.order_by("position")] == [0, 1]


def test_a_url_on_a_platforms_host_or_subdomain_is_that_platforms():
    submit(
        urls=["https://t.me/some_channel", "https://www.tiktok.com/@someone", "http://x.test/"],
        where_seen="messaging",
        platform_key="whatsapp",
    )

    platforms = dict(UrlItem.objects.values_list("host", "platform__key"))
    assert platforms == {"t.me": "telegram", "www.tiktok.com": "tiktok", "x.test": "whatsapp"}


def test_another_platform_is_named_and_not_a_platform_of_the_items():
    report = submit(
        where_seen="social_media", platform_key="other", platform_other="  Some forum  "
    )

    assert report.platform is not None and report.platform.key == "other"
    assert report.platform_other == "Some forum"
    assert UrlItem.objects.get().platform is None


def test_a_name_typed_for_another_platform_is_dropped_when_a_listed_one_is_chosen():
    report = submit(platform_key="reddit", platform_other="Some forum")

    assert report.platform_other == ""


def test_a_closed_item_reported_again_goes_back_to_the_queue():
    submit()
    item = UrlItem.objects.get()
    closed_at = timezone.now() - timedelta(days=3)
    UrlItem.objects.filter(pk=item.pk).update(status=ItemStatus.CLOSED, closed_at=closed_at)

    submit()

    item.refresh_from_db()
    assert (item.status, item.closed_at, item.report_count) == (ItemStatus.NEW, None, 2)
    assert UrlItem.objects.queue().filter(pk=item.pk).exists()


@pytest.mark.parametrize("status", [ItemStatus.REMOVED, ItemStatus.ACTIONED])
def test_an_item_removed_or_under_notice_is_not_reopened(status):
    submit()
    item = UrlItem.objects.get()
    removed_at = timezone.now() - timedelta(days=1)
    UrlItem.objects.filter(pk=item.pk).update(status=status, removed_at=removed_at)

    submit()

    item.refresh_from_db()
    assert (item.status, item.report_count) == (status, 2)


def test_a_closed_and_removed_item_stays_closed():
    submit()
    item = UrlItem.objects.get()
    UrlItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.CLOSED, removed_at=timezone.now(), closed_at=timezone.now()
    )

    submit()

    item.refresh_from_db()
    assert (item.status, item.report_count) == (ItemStatus.CLOSED, 2)


def test_a_minimised_item_reported_again_gets_its_url_back():
    submit()
    item = UrlItem.objects.get()
    UrlItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.CLOSED,
        closed_at=timezone.now(),
        minimised_at=timezone.now(),
        url=item.url_hash,
        host="",
    )

    submit()

    item.refresh_from_db()
    assert (item.url, item.host, item.minimised_at) == ("http://example.org/a", "example.org", None)
    assert item.status == ItemStatus.NEW


def test_a_minimised_removed_item_reported_again_gets_its_text_and_a_new_hosting_look_up():
    from django_tasks_db.models import DBTaskResult

    submit()
    item = UrlItem.objects.get()
    UrlItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.REMOVED,
        removed_at=timezone.now(),
        minimised_at=timezone.now(),
        url="sha256:" + item.url_hash,
        host="0" * 64,
        resolved_ips=["1" * 64],
    )
    lookups = DBTaskResult.objects.filter(task_path="beacon.reports.tasks.lookup_hosting").count()

    submit()

    item.refresh_from_db()
    # Its removal stays recorded (not reopened), but the analysts can read the URL again.
    assert (item.url, item.host, item.minimised_at) == ("http://example.org/a", "example.org", None)
    assert item.status == ItemStatus.REMOVED and item.report_count == 2
    assert (
        DBTaskResult.objects.filter(task_path="beacon.reports.tasks.lookup_hosting").count()
        == lookups + 1
    )


def test_a_taken_report_number_is_drawn_again(monkeypatch):
    taken = submit().number
    numbers = iter([taken, "R-2222-3333"])
    monkeypatch.setattr(Report, "new_number", staticmethod(lambda: next(numbers)))

    report = submit(urls=["http://example.org/b"])

    assert report.number == "R-2222-3333"
    assert Report.objects.count() == 2


# Bad input: each rule answers its field, and nothing is written.


def test_no_url_at_all():
    assert refused(urls=[]) == {"urls": ["Enter at least one URL."]}
    assert refused(urls=["", "   "]) == {"urls": ["Enter at least one URL."]}


def test_more_than_50_urls():
    urls = [f"http://example.org/{n}" for n in range(51)]

    assert refused(urls=urls) == {"urls": ["A report can name at most 50 URLs; this one has 51."]}
    # Blank lines do not count.
    assert submit(urls=urls[:50] + ["", " "]).report_urls.count() == 50


def test_each_bad_url_is_named_by_its_line():
    errors = refused(
        urls=["http://example.org/ok", "", "javascript:alert(1)", "http://10.0.0.1/", "http://"]
    )

    assert errors == {
        "urls": [
            "Line 3: Only web addresses (starting with http:// or https://) can be reported.",
            "Line 4: This address points to a private or local network, not to a site on the "
            "internet.",
            "Line 5: This address has no host name (the part such as www.example.org).",
        ]
    }


def test_urls_must_be_a_list_of_text():
    assert refused(urls="http://example.org/") == {
        "urls": ["Give the URLs as a list of text lines."]
    }


@pytest.mark.parametrize("where_seen", ["", "tv", None])
def test_where_it_was_seen_is_one_of_the_choices(where_seen):
    assert refused(where_seen=where_seen) == {"where_seen": ["Choose where you saw it."]}


def test_an_unknown_or_inactive_platform_is_refused():
    from beacon.reports.models import Platform

    assert refused(platform_key="myspace") == {
        "platform_key": ["Choose one of the listed platforms."]
    }
    Platform.objects.filter(key="reddit").update(active=False)
    assert refused(platform_key="reddit") == {
        "platform_key": ["Choose one of the listed platforms."]
    }


def test_another_platform_needs_its_name():
    assert refused(platform_key="other", platform_other=" ") == {
        "platform_other": ["Name the platform."]
    }
    assert refused(platform_key="other", platform_other="x" * 101) == {
        "platform_other": ["At most 100 characters (this has 101)."]
    }


def test_description_is_at_most_5000_characters_without_control_characters():
    assert submit(description="x" * 5000).description == "x" * 5000
    assert refused(description="x" * 5001) == {
        "description": ["At most 5000 characters (this has 5001)."]
    }
    assert refused(description="bell\x07") == {
        "description": ["Text must not contain control characters (found U+0007)."]
    }
    assert submit(description="two\nlines").description == "two\nlines"


@pytest.mark.parametrize(
    "email", ["not-an-address", "a@b", "reporter@example.org\nBcc: x@example.org", "@example.org"]
)
def test_an_email_that_is_not_one_is_refused(email):
    errors = refused(contact_email=email)

    assert list(errors) == ["contact_email"]


def test_every_field_is_checked_before_anything_is_refused():
    errors = refused(
        urls=["file:///etc/passwd"],
        where_seen="",
        platform_key="nope",
        description="x" * 5001,
        contact_email="nope",
        language="xx",
    )

    assert sorted(errors) == [
        "contact_email",
        "description",
        "language",
        "platform_key",
        "urls",
        "where_seen",
    ]


# Two reports of the same new URL at the same moment end as one item with two reports.


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_of_a_new_url_make_one_item():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: there is no race to lose")
    url = "http://example.org/race"
    errors: list[BaseException] = []

    def second_reporter():
        try:
            submit(urls=[url, "http://example.org/other"])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        submit(urls=[url])  # inserted, not yet committed
        thread = threading.Thread(target=second_reporter)
        thread.start()
        # Commit only once the second report waits on the row this one inserted, so that it
        # has already found no item and tried to insert its own.
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.01)
            else:
                pytest.fail("the second report never waited on the first")
    thread.join(30)

    assert errors == []
    item = UrlItem.objects.get(url_hash=url_digest(url))
    assert item.report_count == 2
    assert ReportUrl.objects.filter(item=item).count() == 2
    assert Report.objects.count() == 2
    assert UrlItem.objects.count() == 2
    assert len(hosting_tasks()) == 2  # the raced item once, the other URL once


def test_a_known_item_without_a_platform_takes_the_first_one_named():
    submit(where_seen="web_page")
    submit(where_seen="social_media", platform_key="instagram")
    submit(where_seen="social_media", platform_key="tiktok")

    item = UrlItem.objects.get()
    assert item.platform is not None and item.platform.key == "instagram"
    assert item.report_count == 3


def test_a_report_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    submit(urls=["http://example.org/known"])
    urls = [f"http://example.org/{n}" for n in range(10)] + ["http://example.org/known"]

    # Per new URL: a savepoint around its insert and its task; per known URL one UPDATE; the
    # rest is fixed (platforms, the report in its savepoint, the look-up, links, audit).
    with django_assert_max_num_queries(9 + 4 * 10 + 1):
        submit(urls=urls)
