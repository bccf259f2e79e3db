"""Image matching's demo records: three banks of hashes of synthetic images (never real
material), the past years' scans as counted batches (a tool's monthly totals), and this year's
scans of synthetic images through the real scanning service, with exact matches notified, near
matches waiting in the analysts' queue (with their encrypted previews), and some decided."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beacon.core.models import DeliveryAttempt, OutboxMessage
from beacon.demo import plan
from beacon.matching.acting import item_act, match_confirm, match_reject
from beacon.matching.choices import BankSource, HashKind, ItemStatus, ScanSource
from beacon.matching.hashing import hash_image
from beacon.matching.models import BankHash, HashBank, ScanBatch, ScanItem
from beacon.matching.scans import ScanInput, scan_submit
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg
from beacon.reports.choices import ItemStatus as ReportItemStatus
from beacon.reports.choices import RemovalSource
from beacon.reports.hosting import HostingResult
from beacon.reports.models import Notice, UrlItem

OWN, PARTNER, INDUSTRY = (
    "Our confirmed items",
    "Partner hotline list (demo)",
    "Industry list (demo)",
)
RANDOM_HASHES = 20_000
HOSTS = [("img.hoster-nl.example.org", "NL"), ("cdn.pics-de.example.org", "DE"),
         ("files.host-be.example.org", "BE"), ("media.hoster-us.example.org", "US"),
         ("up.share-fr.example.org", "FR")]  # fmt: skip


def _counted_batches(zone: ZoneInfo) -> int:
    batches = []
    for year, total in plan.IMAGES_SCANNED.items():
        abuse = plan.IMAGES_JUDGED_ABUSE.get(year, 0)
        for month in range(1, 13):
            images = total // 12 + (1 if month <= total % 12 else 0)
            judged = abuse // 12 + (1 if month <= abuse % 12 else 0)
            batches.append(
                ScanBatch(
                    source=ScanSource.COUNTED,
                    label=f"Crawler monthly total {year}-{month:02d}",
                    received_at=datetime(year, month, 28, 12, 0, tzinfo=zone),
                    images=images,
                    judged_abuse=judged,
                )
            )
    ScanBatch.objects.bulk_create(batches)
    return len(batches)


def _banks(rng: random.Random) -> dict[str, HashBank]:
    banks = {
        OWN: HashBank.objects.create(
            name=OWN, source=BankSource.OWN, auto_act_exact=True,
            description="Hashes of items our analysts confirmed.",
        ),
        PARTNER: HashBank.objects.create(
            name=PARTNER, source=BankSource.PARTNER, auto_act_exact=True,
            description="A partner hotline's list of confirmed material (synthetic).",
        ),
        INDUSTRY: HashBank.objects.create(
            name=INDUSTRY, source=BankSource.INDUSTRY, auto_act_exact=False, near_threshold=24,
            description="An industry list: exact matches still go to an analyst.",
        ),
    }  # fmt: skip
    # Synthetic images 5000-5059 are the "known" material; random hashes give the index a size.
    rows = []
    for seed in range(5000, 5060):
        hashes = hash_image(synthetic_jpeg(seed))
        bank = banks[PARTNER] if seed < 5040 else banks[INDUSTRY]
        rows.append(BankHash(bank=bank, kind=HashKind.PDQ, value=hashes.pdq, quality=hashes.quality,
                             tags="demo synthetic"))  # fmt: skip
    codes = np.random.default_rng(rng.randrange(2**32)).integers(
        0, 256, (RANDOM_HASHES, 32), dtype=np.uint8
    )
    rows += [
        BankHash(bank=banks[PARTNER], kind=HashKind.PDQ, value=bytes(code).hex(), quality=100)
        for code in codes
    ]
    BankHash.objects.bulk_create(rows, batch_size=2000)
    return banks


def _scans_of_this_year(rng: random.Random, analyst) -> dict[str, int]:
    """Synthetic images found at reserved-name URLs: exact copies, transformed copies, others."""
    inputs, hosting = [], {}
    for n in range(80):
        host, country = rng.choice(HOSTS)
        url = f"https://{host}/album/{n}/image.jpg"
        kind = n % 4
        if kind == 0:  # an exact copy of a partner's item: notified without an analyst
            data = synthetic_jpeg(5000 + n % 40)
        elif kind == 1:  # resized and re-compressed: a near match for an analyst
            picture = synthetic_image(5000 + n % 60).resize((400, 300))
            data = encoded(picture, quality=55)
        else:  # an unrelated image
            data = synthetic_jpeg(9000 + n)
        inputs.append(ScanInput(url=url, image=data, found_at=timezone.now()))
        hosting[url] = country
    _batch, outcomes = scan_submit(
        actor=analyst, source=ScanSource.API, items=inputs, label="Crawler batch (demo)"
    )
    counts = {"acted": 0, "queued": 0, "confirmed": 0, "rejected": 0}
    decided = 0
    for outcome in outcomes:
        item = outcome.item
        if item is None or outcome.duplicate:
            continue
        if item.status == ItemStatus.ACTING:
            result = HostingResult(addresses=["198.51.100.7"], country=hosting[item.url])
            if item_act(item_id=item.pk, hosting=result) == ItemStatus.ACTIONED:
                counts["acted"] += 1
        elif item.status == ItemStatus.QUEUED:
            # The analyst decided a few; the rest wait in the queue.
            if decided < 4:
                match_confirm(
                    actor=analyst, item_id=item.pk, expected_version=item.version,
                    hosting=HostingResult(addresses=["198.51.100.7"], country=hosting[item.url]),
                )  # fmt: skip
                counts["confirmed"] += 1
            elif decided < 6:
                match_reject(actor=analyst, item_id=item.pk, expected_version=item.version,
                             note="A lookalike, not the banked image.")  # fmt: skip
                counts["rejected"] += 1
            else:
                counts["queued"] += 1
            decided += 1
    _delivered_and_removed(rng)
    return counts


def _delivered_and_removed(rng: random.Random) -> None:
    """As the hotline's demo: every notice already delivered (one successful attempt) and no URL
    checked over the network; most URLs removed hours after their notice (so the figures have a
    time to removal), the rest reported removed by their recipient later."""
    now = timezone.now()
    messages = OutboxMessage.objects.filter(
        pk__in=Notice.objects.filter(item__in=_matched_items()).values("outbox_message")
    ).exclude(status="delivered")
    for message in messages:
        delivered = message.created_at + timedelta(seconds=rng.randint(5, 90))
        DeliveryAttempt.objects.create(
            message=message, started_at=message.created_at, finished_at=delivered, ok=True,
            status_code=250,
        )  # fmt: skip
        OutboxMessage.objects.filter(pk=message.pk).update(
            status="delivered", attempts=1, delivered_at=delivered, next_attempt_at=delivered
        )
    for item in UrlItem.objects.filter(pk__in=_matched_items(), removed_at=None):
        removed = min(now, item.first_notice_at + timedelta(hours=rng.uniform(2, 60)))
        UrlItem.objects.filter(pk=item.pk).update(
            removed_at=removed, removal_source=RemovalSource.CONFIRMATION,
            status=ReportItemStatus.REMOVED, next_check_at=None,
        )  # fmt: skip


def _matched_items():
    return ScanItem.objects.exclude(url_item=None).values("url_item")


def load_matching_demo(users: dict, out=print) -> None:
    """Idempotent: nothing is added when the demo banks exist."""
    if HashBank.objects.filter(name=PARTNER).exists():
        return
    rng = random.Random(116000)
    zone = ZoneInfo(settings.TIME_ZONE)
    with transaction.atomic():
        batches = _counted_batches(zone)
        _banks(rng)
        counts = _scans_of_this_year(rng, users["demo-analyst"])
    out(
        f"  image matching: {batches} counted monthly batches (2021-2025), 3 banks, this year's "
        f"scan: {counts['acted']} notified, {counts['confirmed']} confirmed, "
        f"{counts['rejected']} rejected, {counts['queued']} waiting"
    )
