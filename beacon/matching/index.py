"""The match index: every live PDQ hash of every active bank, searchable by distance.

A process keeps one immutable snapshot (a mih.MultiIndex over the hashes live when it was built,
up to the largest threshold of the active banks). A lookup never waits for a rebuild and never
misses a change:
- hashes added since the snapshot (ids above its `max_id`, or `added_at` after it was read: a
  removed hash that comes back keeps its id) are searched by brute force beside it;
- removed hashes, deactivated banks and changed thresholds are applied when the candidates are
  read back from the database (scans.py), so a stale snapshot can only offer too much, never
  too little;
- when a bank changed (its `version`) or too many hashes were added since, a new snapshot is
  built in a background thread and swapped in when ready; lookups go on with the old one.
Only when there is no snapshot yet, or a bank's threshold went above the snapshot's radius, does
a lookup build one first. With settings.MATCHING_INDEX_BACKGROUND off (the tests: their data is
not committed, so another thread's connection could not see it) rebuilds run in the caller's
thread. A rebuild that fails leaves the old snapshot in place (and is logged).

Each process builds its own snapshot from the database (10 million hashes: about 1.3 GB and a
minute). docs/image-matching.md explains how this grows past one machine.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Max, Q
from django.utils import timezone

from beacon.matching.choices import HashKind
from beacon.matching.mih import BYTES, MultiIndex, brute_force
from beacon.matching.models import BankHash, HashBank

logger = logging.getLogger(__name__)

LOAD_CHUNK = 100_000
# Ids are handed out before commit: a hash committed just after a snapshot was built may have an
# id below the snapshot's highest. The brute-force part of a lookup therefore starts this many
# ids below it (results are merged by id).
ID_OVERLAP = 20_000
# A hash that comes back after a removal keeps its id but gets a new `added_at`: those added
# since the snapshot was read (with this margin for clocks and open transactions) are searched too.
ADDED_OVERLAP = timedelta(minutes=10)


@dataclass
class Snapshot:
    index: MultiIndex
    max_id: int
    as_of: datetime  # when its hashes were read: later additions (and restorations) are extra
    fingerprint: tuple
    radius: int
    built_at: float = field(default_factory=time.monotonic)
    built_seconds: float = 0.0


def codes_from_hex(values: list[str]) -> np.ndarray:
    """PDQ hex strings as an (n, 32) uint8 array."""
    if not values:
        return np.zeros((0, BYTES), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, BYTES)


def bank_state() -> tuple[tuple, int]:
    """What the snapshot depends on: each bank's (id, version, active, threshold), and the
    largest threshold of the active banks."""
    banks = tuple(
        HashBank.objects.order_by("id").values_list("id", "version", "active", "near_threshold")
    )
    thresholds = [b[3] for b in banks if b[2]]
    radius = max([settings.MATCHING_NEAR_THRESHOLD, *thresholds])
    return banks, min(radius, 64)


def _live_pdq():
    return BankHash.objects.live().filter(kind=HashKind.PDQ)


def build(*, fingerprint: tuple | None = None, radius: int | None = None) -> Snapshot:
    """A snapshot of the live PDQ hashes now."""
    started = time.monotonic()
    as_of = timezone.now()
    if fingerprint is None or radius is None:
        fingerprint, radius = bank_state()
    max_id = BankHash.objects.aggregate(top=Max("id"))["top"] or 0
    ids: list[int] = []
    values: list[str] = []
    rows = _live_pdq().filter(id__lte=max_id).order_by().values_list("id", "value")
    for pk, value in rows.iterator(chunk_size=LOAD_CHUNK):
        ids.append(pk)
        values.append(value)
    index = MultiIndex(codes_from_hex(values), np.array(ids, dtype=np.int64), max_radius=radius)
    return Snapshot(
        index=index,
        max_id=max_id,
        as_of=as_of,
        fingerprint=fingerprint,
        radius=radius,
        built_seconds=time.monotonic() - started,
    )


def _merged(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    best = dict(a)
    for pk, distance in b:
        best[pk] = min(distance, best.get(pk, distance))
    return sorted(best.items(), key=lambda hit: (hit[1], hit[0]))


class MatchIndex:
    """The process's snapshot and its rebuilds."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._rebuilding: threading.Thread | None = None

    def reset(self) -> None:
        with self._lock:
            self._snapshot = None

    def _rebuild_in_background(self) -> None:
        def run() -> None:
            try:
                snapshot = build()
                with self._lock:
                    self._snapshot = snapshot
                logger.info(
                    "match index rebuilt: %s hashes in %.1f s",
                    len(snapshot.index),
                    snapshot.built_seconds,
                )
            except Exception:
                logger.exception("match index rebuild failed; the old snapshot stays in use")
            finally:
                connection.close()
                self._rebuilding = None

        with self._lock:
            if self._rebuilding is not None:
                return
            self._rebuilding = threading.Thread(target=run, name="match-index", daemon=True)
        close_old_connections()
        self._rebuilding.start()

    def snapshot(self, radius: int) -> Snapshot:
        """The snapshot to search now (built first if there is none or it is too narrow)."""
        fingerprint, wanted = bank_state()
        radius = max(radius, wanted)
        current = self._snapshot
        inline = not settings.MATCHING_INDEX_BACKGROUND
        building = self._rebuilding
        if current is None and building is not None:
            # The first snapshot is being built (warm-up at start): wait for it, once.
            building.join()
            current = self._snapshot
        if current is None or current.radius < radius:
            current = build(fingerprint=fingerprint, radius=radius)
            with self._lock:
                self._snapshot = current
            return current
        stale = current.fingerprint != fingerprint or (
            _live_pdq().filter(Q(id__gt=current.max_id) | Q(added_at__gte=current.as_of)).count()
            > settings.MATCHING_INDEX_DELTA_MAX
        )
        if stale:
            if inline:
                current = build(fingerprint=fingerprint, radius=radius)
                with self._lock:
                    self._snapshot = current
            else:
                self._rebuild_in_background()
        return current

    def search(self, queries: list[str], radius: int) -> list[list[tuple[int, int]]]:
        """For each PDQ (hex), the (bank hash id, distance) of the live-looking entries within
        `radius`, nearest first. Candidates must still be checked against the database (removed
        hashes, inactive banks, per-bank thresholds): see scans.py."""
        snapshot = self.snapshot(radius)
        codes = codes_from_hex(queries)
        found = snapshot.index.search(codes, radius)
        added = list(
            _live_pdq()
            .filter(
                Q(id__gt=max(0, snapshot.max_id - ID_OVERLAP))
                | Q(added_at__gte=snapshot.as_of - ADDED_OVERLAP)
            )
            .order_by("id")
            .values_list("id", "value")
        )
        if added:
            extra = brute_force(
                codes_from_hex([v for _, v in added]),
                np.array([pk for pk, _ in added], dtype=np.int64),
                codes,
                radius,
            )
            found = [_merged(a, b) for a, b in zip(found, extra, strict=True)]
        return found

    def warm(self) -> None:
        """Build the first snapshot in the background (a web process calls this as it starts, so
        that the first scan does not wait a minute for a bank of 10 million hashes)."""
        if self._snapshot is None:
            self._rebuild_in_background()

    def status(self) -> dict:
        current = self._snapshot
        return {
            "built": current is not None,
            "hashes": len(current.index) if current else 0,
            "radius": current.radius if current else None,
            "built_seconds": round(current.built_seconds, 2) if current else None,
            "rebuilding": self._rebuilding is not None,
            "checked_at": timezone.now(),
        }


match_index = MatchIndex()
