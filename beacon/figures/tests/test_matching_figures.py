"""Image matching's figures (beacon/figures/matching.py) on records made by the real services:
scans (scan_submit), the automatic notice (item_act), the analysts' decisions (match_confirm,
match_reject), and counted batches; local years, the period's counts, notices and removal time;
the hotline figures page and its CSV."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from beacon.figures.definitions import abuse_image_hotline
from beacon.figures.matching import images_analysed_per_year, judged_abuse_per_year, period_figures
from beacon.matching.acting import item_act, match_confirm, match_reject
from beacon.matching.choices import ItemStatus, QueueReason, ScanSource
from beacon.matching.models import ScanBatch, ScanItem
from beacon.matching.scans import ScanInput, scan_submit
from beacon.matching.tests.helpers import bank_image, make_bank
from beacon.reports.hosting import HostingResult
from beacon.reports.models import Notice, UrlItem

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
LOCAL = ZoneInfo(settings.TIME_ZONE)  # Europe/Brussels
NL = HostingResult(addresses=["198.51.100.7"], country="NL")  # no DNS asked
HOST = "https://img.hoster-nl.test"


def near(pdq: str, bits: int = 8) -> str:
    """A PDQ `bits` bits away from `pdq` (a near copy as a tool would hash it)."""
    return f"{int(pdq, 16) ^ ((1 << bits) - 1):064x}"


def unrelated(n: int) -> str:
    return f"{0x5A5A5A5A + n:064x}"


def submit(actor, *inputs: ScanInput) -> tuple[ScanBatch, list[ScanItem]]:
    batch, outcomes = scan_submit(actor=actor, source=ScanSource.API, items=list(inputs))
    assert batch is not None
    items = [o.item for o in outcomes if o.item is not None]
    assert len(items) == len(outcomes)
    return batch, items


def hashed(pdq: str, path: str = "") -> ScanInput:
    return ScanInput(url=f"{HOST}{path}" if path else "", pdq=pdq, quality=90)


def counted(when: datetime, images: int, judged_abuse: int = 0) -> ScanBatch:
    return ScanBatch.objects.create(
        source=ScanSource.COUNTED, received_at=when, images=images, judged_abuse=judged_abuse
    )


def move(batch: ScanBatch, when: datetime) -> None:
    """The scan happened at `when` (the services stamp the present)."""
    ScanBatch.objects.filter(pk=batch.pk).update(received_at=when)
    ScanItem.objects.filter(batch=batch).update(submitted_at=when)


def confirm(analyst, item: ScanItem) -> ScanItem:
    return match_confirm(
        actor=analyst, item_id=item.pk, expected_version=item.version, hosting=NL
    )  # fmt: skip


def reject(analyst, item: ScanItem) -> ScanItem:
    return match_reject(actor=analyst, item_id=item.pk, expected_version=item.version)


@pytest.fixture
def banks(db):
    """An automatic bank (exact matches notified without an analyst) and a manual one, each of
    synthetic images' hashes."""
    auto = make_bank("Partner list", auto_act_exact=True)
    manual = make_bank("Industry list")
    return {
        "auto": [bank_image(auto, seed).value for seed in (1, 2, 3)],
        "manual": [bank_image(manual, seed).value for seed in (4, 5)],
    }


# --- per year (the annual report) ---------------------------------------------------------------


def test_years_are_local_and_judged_abuse_counts_acted_and_confirmed_items(cast, banks):
    analyst = cast["analyst"]
    counted(datetime(2023, 6, 1, 12, tzinfo=UTC), images=5)
    counted(datetime(2024, 12, 31, 22, 30, tzinfo=UTC), images=50, judged_abuse=3)  # 23:30 local
    counted(datetime(2024, 12, 31, 23, 30, tzinfo=UTC), images=100, judged_abuse=7)  # 2025 00:30
    counted(datetime(2025, 12, 31, 23, 0, tzinfo=UTC), images=1000, judged_abuse=99)  # 2026 00:00
    # Scanned on 31 December 2025 at 23:59 local: acted on, no match, waiting.
    late, (acted, _none, _waiting) = submit(
        analyst,
        hashed(banks["auto"][0], "/late/1.jpg"),
        hashed(unrelated(1), "/late/2.jpg"),
        hashed(near(banks["auto"][1]), "/late/3.jpg"),
    )
    assert item_act(item_id=acted.pk, hosting=NL) == ItemStatus.ACTIONED
    move(late, datetime(2025, 12, 31, 22, 59, tzinfo=UTC))
    # Scanned at 00:30 local on 1 January 2025: confirmed, rejected.
    early, (exact, near_one) = submit(
        analyst, hashed(banks["manual"][0], "/early/1.jpg"), hashed(near(banks["manual"][1]))
    )
    assert exact.status == ItemStatus.QUEUED and exact.queue_reason == QueueReason.NO_AUTO
    confirm(analyst, exact)
    reject(analyst, near_one)
    move(early, datetime(2024, 12, 31, 23, 30, tzinfo=UTC))

    start, end = datetime(2024, 1, 1, tzinfo=LOCAL), datetime(2026, 1, 1, tzinfo=LOCAL)
    assert images_analysed_per_year(2024, 2025, start, end, LOCAL) == {
        "2024": 50,
        "2025": 100 + 3 + 2,
    }
    assert judged_abuse_per_year(2024, 2025, start, end, LOCAL) == {"2024": 3, "2025": 7 + 1 + 1}
    # A year with images but none judged abuse is left out of the judged figures (the published
    # tables have no cell for it); every year has its images analysed, 0 included.
    start = datetime(2022, 1, 1, tzinfo=LOCAL)
    assert images_analysed_per_year(2022, 2025, start, end, LOCAL) == {
        "2022": 0,
        "2023": 5,
        "2024": 50,
        "2025": 105,
    }
    assert judged_abuse_per_year(2022, 2025, start, end, LOCAL) == {"2024": 3, "2025": 9}
    # The annual report's section, under its published keys.
    section = abuse_image_hotline(2024, 2025)
    assert section["images_analysed_arachnid"] == {"2024": 50, "2025": 105}
    assert section["images_judged_abuse_arachnid"] == {"2024": 3, "2025": 9}


def test_an_item_waiting_or_rejected_is_not_judged_abuse_until_decided(cast, banks):
    analyst = cast["analyst"]
    batch, (waiting,) = submit(analyst, hashed(banks["manual"][0], "/w.jpg"))
    year = timezone.localdate().year
    start, end = datetime(year, 1, 1, tzinfo=LOCAL), datetime(year + 1, 1, 1, tzinfo=LOCAL)
    assert judged_abuse_per_year(year, year, start, end, LOCAL) == {}
    assert images_analysed_per_year(year, year, start, end, LOCAL) == {str(year): 1}
    confirm(analyst, waiting)
    assert judged_abuse_per_year(year, year, start, end, LOCAL) == {str(year): 1}


# --- a period (the hotline figures page) --------------------------------------------------------


@pytest.fixture
def scanned(cast, banks):
    """This period's records: a counted batch, six scanned images and a duplicate, with what
    followed each (two notified automatically, one confirmed, one rejected, one waiting)."""
    analyst = cast["analyst"]
    counted(timezone.now(), images=1000, judged_abuse=40)
    _, items = submit(
        analyst,
        hashed(banks["auto"][0], "/a.jpg"),  # exact, automatic
        hashed(banks["auto"][1], "/b.jpg"),  # exact, automatic
        hashed(banks["manual"][0], "/c.jpg"),  # exact, for an analyst
        hashed(near(banks["auto"][2]), "/d.jpg"),  # near, rejected
        hashed(near(banks["manual"][1]), "/e.jpg"),  # near, waiting
        hashed(unrelated(1), "/f.jpg"),  # no match
    )
    a, b, c, d, e, f = items
    assert [i.result for i in items] == ["exact", "exact", "exact", "near", "near", "none"]
    assert item_act(item_id=a.pk, hosting=NL) == ItemStatus.ACTIONED
    assert item_act(item_id=b.pk, hosting=NL) == ItemStatus.ACTIONED
    confirm(analyst, c)
    reject(analyst, d)
    # Submitted again: the same item, not a new one, not counted again.
    _, (again,) = submit(analyst, hashed(banks["auto"][0], "/a.jpg"))
    assert again.pk == a.pk
    return {name: ScanItem.objects.get(pk=i.pk) for name, i in zip("abcdef", items, strict=True)}


def removed_after(item: ScanItem, hours: float) -> None:
    url_item = item.url_item
    assert url_item is not None and url_item.first_notice_at is not None
    url_item.removed_at = url_item.first_notice_at + timedelta(hours=hours)
    url_item.save(update_fields=["removed_at"])


def around_now(hours: int = 1) -> tuple[datetime, datetime]:
    now = timezone.now()
    return now - timedelta(hours=hours), now + timedelta(hours=hours)


def test_the_period_counts_results_decisions_notices_and_the_median_time_to_removal(scanned):
    a, b, c = scanned["a"], scanned["b"], scanned["c"]
    # One hotline notice per URL (hosted in the Netherlands), none for the others.
    assert Notice.objects.filter(kind="hotline").count() == Notice.objects.count() == 3
    removed_after(a, 2)
    removed_after(b, 10)
    removed_after(c, -1)  # gone before its notice: not a takedown
    assert period_figures(*around_now()) == {
        "images_analysed": 1000 + 6,
        "exact_matches": 3,
        "near_matches": 2,
        "acted_automatically": 2,
        "confirmed": 1,
        "rejected": 1,
        "waiting": 1,
        "notices": 3,
        "removed": 2,
        "median_hours_to_removal": 6.0,
    }


def test_notices_count_in_the_period_they_were_decided_in(scanned):
    notice = Notice.objects.get(item=scanned["b"].url_item)
    Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert period_figures(*around_now())["notices"] == 2


def test_a_period_before_the_scans_holds_nothing(scanned):
    removed_after(scanned["a"], 2)
    now = timezone.now()
    assert period_figures(now - timedelta(days=2), now - timedelta(days=1)) == {
        "images_analysed": 0,
        "exact_matches": 0,
        "near_matches": 0,
        "acted_automatically": 0,
        "confirmed": 0,
        "rejected": 0,
        "waiting": 0,
        "notices": 0,
        "removed": 0,
        "median_hours_to_removal": None,
    }


def test_two_images_at_one_url_are_one_removal(cast, banks):
    analyst = cast["analyst"]
    _, (first,) = submit(analyst, hashed(banks["auto"][0], "/same.jpg"))
    item_act(item_id=first.pk, hosting=NL)
    # Another banked image at the same URL: the hotline decided that URL already.
    _, (second,) = submit(analyst, hashed(banks["auto"][1], "/same.jpg"))
    assert item_act(item_id=second.pk, hosting=NL) == ItemStatus.ACTIONED
    first.refresh_from_db()
    assert UrlItem.objects.count() == 1 and Notice.objects.count() == 1
    removed_after(first, 4)
    figures = period_figures(*around_now())
    assert (figures["acted_automatically"], figures["notices"]) == (2, 1)
    assert (figures["removed"], figures["median_hours_to_removal"]) == (1, 4.0)


def test_two_urls_noticed_and_removed_at_the_same_instants_are_two_removals(scanned):
    a, b = scanned["a"].url_item, scanned["b"].url_item
    noticed = timezone.now() - timedelta(minutes=30)
    UrlItem.objects.filter(pk__in=[a.pk, b.pk]).update(
        first_notice_at=noticed, removed_at=noticed + timedelta(minutes=20)
    )
    figures = period_figures(*around_now())
    assert (figures["removed"], figures["median_hours_to_removal"]) == (2, 0.3)


# --- the page -----------------------------------------------------------------------------------

URL = "/figures/hotline/"


def period_today() -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {"from": today, "to": today}


def test_the_hotline_figures_page_shows_the_image_matching_section(client, cast, scanned):
    removed_after(scanned["a"], 3)
    client.force_login(cast["analyst"])
    response = client.get(URL, period_today())
    assert response.status_code == 200
    text = response.content.decode()
    assert "Image matching: scanned images against banks of known hashes" in text
    (table,) = [t for t in response.context["tables"] if t["key"] == "image_matching"]
    assert [value for _label, value in table["rows"]] == [
        "1006", "3", "2", "2", "1", "1", "1", "3", "1", "3.0"
    ]  # fmt: skip
    labels = [str(label) for label, _value in table["rows"]]
    assert labels[:7] == [
        "Images analysed",
        "Exact matches",
        "Near matches",
        "Notified without an analyst (exact match)",
        "Confirmed by an analyst",
        "Rejected by an analyst (false match)",
        "Waiting for an analyst",
    ]
    assert labels[9] == "Median hours from notice to removal"
    assert "The scans of this period" in text  # an analyst may open the scans
    assert "img.hoster-nl.test" not in text  # aggregates only


def test_the_image_matching_rows_have_their_own_labels(client, cast, scanned):
    client.force_login(cast["analyst"])
    response = client.get(URL, period_today())
    (table,) = [t for t in response.context["tables"] if t["key"] == "image_matching"]
    labels = [str(label) for label, _value in table["rows"]]
    assert labels[7] != "Notices to platforms"
    assert labels[8] == "URLs removed after a notice"


def test_the_csv_holds_the_image_matching_rows(client, cast, scanned):
    client.force_login(cast["statistics_reader"])
    response = client.get(URL, {**period_today(), "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    matching = {key: value for section, key, value in rows[1:] if section == "image_matching"}
    assert matching == {
        "images_analysed": "1006",
        "exact_matches": "3",
        "near_matches": "2",
        "acted_automatically": "2",
        "confirmed": "1",
        "rejected": "1",
        "waiting": "1",
        "notices": "3",
        "removed": "0",
        "median_hours_to_removal": "",
    }


def test_a_statistics_reader_sees_the_figures_but_no_link_to_the_scans(client, cast, scanned):
    client.force_login(cast["statistics_reader"])
    text = client.get(URL, period_today()).content.decode()
    assert "Image matching: scanned images against banks of known hashes" in text
    assert "The scans of this period" not in text


def test_roles_without_the_figures_permission_see_no_matching_figures(client, cast, scanned):
    for role in ("case_manager", "first_responder", "nobody"):
        client.force_login(cast[role])
        response = client.get(URL, {**period_today(), "format": "csv"})
        assert response.status_code == 403
        assert b"image_matching" not in response.content


def test_the_default_period_is_last_year(client, cast, scanned):
    # Nothing of today is counted in the default period (the last complete year).
    client.force_login(cast["analyst"])
    response = client.get(URL)
    tables = {t["key"]: dict(t["rows"]) for t in response.context["tables"]}
    assert tables["image_matching"]["Images analysed"] == "0"
    assert response.context["first"] == date(timezone.localdate().year - 1, 1, 1)
