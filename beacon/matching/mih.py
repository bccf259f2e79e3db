"""Exact radius search over 256-bit codes by multi-index hashing (Norouzi, Punjani and Fleet,
"Fast exact search in Hamming space with multi-index hashing", IEEE TPAMI 2014).

The 256 bits are cut into m disjoint chunks. If two codes differ in at most r bits, then by the
pigeonhole principle at least one chunk differs in at most floor(r / m) bits. So for each chunk we
look up the bank entries whose chunk equals the query's chunk with at most floor(r / m) bits
flipped, and compute the full distance only for those candidates. Nothing within r can be missed:
recall is 1.0 by construction, which the tests and the benchmark check against brute force.

Each chunk has a table in CSR form: the bank's row numbers sorted by the chunk's value, and the
offset of each value's run (a direct-addressed array of 2^bits + 1 offsets), so a probe is two
adjacent reads. The number of chunks is chosen per index by a cost model (probes plus expected
candidates): for 10 million hashes and r = 31 that is 11 chunks of 23-24 bits with at most 2 flips,
about 3,000 probes and 3,600 candidates per query, against 10 million distances for a brute-force
scan. The search loop is compiled by numba (LLVM): a loop over probes in Python or numpy spends
more on interpreting than on the memory reads that bound it.

Why not FAISS's IndexBinaryMultiHash (what Meta's Hasher-Matcher-Actioner uses)? Measured here
(benchmarks/match_index.txt) it answers radius 31 no faster than FAISS's own brute force once
nflip >= 1, which recall 1.0 at r = 31 needs (1 million codes: 361 lookups/s against 355), and at
10 million codes it is half as fast as brute force and takes 2.6 GB more; FAISS's flat index is
the benchmark's brute-force reference.
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np
from numba import njit

BITS = 256
BYTES = BITS // 8
MAX_CHUNK_BITS = 24  # an offset table of 2^24 int32 is 64 MiB
MIN_CHUNK_BITS = 8
# Memory of the offset tables (4 bytes per possible chunk value): at most this much per code in
# the index, and never less than the minimum (tables of 16 bits for small banks).
OFFSET_BYTES_PER_CODE = 512
OFFSET_BYTES_MIN = 16 * 2**20


def as_words(codes: np.ndarray) -> np.ndarray:
    """Codes, an (n, 32) uint8 array, as (n, 4) uint64 words (for the distance)."""
    return np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, BYTES).view(np.uint64)


def distances_to(codes: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Hamming distance from one code (32 bytes) to each of `codes` (n, 32): numpy, vectorised."""
    words = as_words(codes) ^ as_words(query.reshape(1, BYTES))
    counts = np.bitwise_count(words)
    return (counts[:, 0] + counts[:, 1] + counts[:, 2] + counts[:, 3]).astype(np.int32)


def plan_chunks(count: int, radius: int) -> list[int]:
    """Chunk widths for `count` codes searched up to `radius`: the m that minimises probes plus
    expected candidates, with widths between MIN_CHUNK_BITS and MAX_CHUNK_BITS and offset tables
    of at most OFFSET_BYTES_PER_CODE per code (so a small bank gets small tables: 16-bit chunks
    for 100,000 codes and 4 MiB of tables, 23-24 bits and 448 MiB from about a million)."""
    budget = max(OFFSET_BYTES_MIN, OFFSET_BYTES_PER_CODE * count)
    best: tuple[float, int] | None = None
    for chunks in range(BITS // MAX_CHUNK_BITS + 1, BITS // MIN_CHUNK_BITS + 1):
        width, extra = divmod(BITS, chunks)
        flips = radius // chunks
        tables = 4 * ((chunks - extra) * 2**width + extra * 2 ** (width + 1))
        if tables > budget and chunks < BITS // MIN_CHUNK_BITS:
            continue
        probes = chunks * sum(comb(width, k) for k in range(flips + 1))
        cost = probes * (1 + 2 * count / 2**width)
        if best is None or cost < best[0]:
            best = (cost, chunks)
    assert best is not None
    base, extra = divmod(BITS, best[1])
    return [base + 1 if i < extra else base for i in range(best[1])]


def chunk_values(codes: np.ndarray, start: int, width: int) -> np.ndarray:
    """The integer value of bits [start, start + width) of each code (bit 0 = the first byte's
    most significant bit, as PDQ's hex writes it)."""
    first, last = start // 8, (start + width - 1) // 8
    span = codes[:, first : last + 1].astype(np.uint64)
    value = np.zeros(len(codes), dtype=np.uint64)
    for column in range(span.shape[1]):
        value = (value << np.uint64(8)) | span[:, column]
    value >>= np.uint64((last + 1) * 8 - (start + width))
    value &= np.uint64((1 << width) - 1)
    return value.astype(np.int64)


@lru_cache(maxsize=256)
def flip_masks(width: int, flips: int) -> np.ndarray:
    """Every mask of `width` bits with at most `flips` bits set (0 first); computed once."""
    masks = [0]
    for k in range(1, flips + 1):
        for positions in combinations(range(width), k):
            masks.append(sum(1 << p for p in positions))
    array = np.array(masks, dtype=np.int64)
    array.flags.writeable = False
    return array


@njit(inline="always")
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@njit(cache=True, nogil=True)
def _search(
    keys, masks, mask_base, mask_len, offsets, off_base, rows, row_base, codes, queries, radius
):  # noqa: E501
    """(query, row, distance) of every code within radius of each query. Per query, the probes'
    offsets are read first in one pass (independent reads the processor overlaps), then the
    candidates are compared. A row found through several chunks is kept once."""
    found_query = []
    found_row = []
    found_distance = []
    total = 0
    for t in range(keys.shape[1]):
        total += mask_len[t]
    lows = np.empty(total, np.int64)
    highs = np.empty(total, np.int64)
    bases = np.empty(total, np.int64)
    candidates = np.empty(4 * total, np.int64)
    for qi in range(keys.shape[0]):
        first = len(found_row)
        q0, q1, q2, q3 = queries[qi, 0], queries[qi, 1], queries[qi, 2], queries[qi, 3]
        k = 0
        for t in range(keys.shape[1]):
            key = keys[qi, t]
            for m in range(mask_len[t]):
                probe = off_base[t] + (key ^ masks[mask_base[t] + m])
                lows[k] = offsets[probe]
                highs[k] = offsets[probe + 1]
                bases[k] = row_base[t]
                k += 1
        # The candidates' rows, then their distances: straight loops, so that the reads of many
        # candidates are in flight at once.
        count = 0
        for i in range(total):
            count += highs[i] - lows[i]
        if count > candidates.shape[0]:
            candidates = np.empty(2 * count, np.int64)
        c = 0
        for i in range(total):
            for position in range(lows[i], highs[i]):
                candidates[c] = rows[bases[i] + position]
                c += 1
        for i in range(count):
            row = candidates[i]
            distance = (
                _popcount(codes[row, 0] ^ q0)
                + _popcount(codes[row, 1] ^ q1)
                + _popcount(codes[row, 2] ^ q2)
                + _popcount(codes[row, 3] ^ q3)
            )
            if distance <= radius:
                seen = False
                for j in range(first, len(found_row)):
                    if found_row[j] == row:
                        seen = True
                        break
                if not seen:
                    found_query.append(np.int64(qi))
                    found_row.append(np.int64(row))
                    found_distance.append(np.int64(distance))
    return (
        np.array(found_query, dtype=np.int64),
        np.array(found_row, dtype=np.int64),
        np.array(found_distance, dtype=np.int64),
    )


@dataclass(frozen=True)
class _Chunk:
    start: int
    width: int


class MultiIndex:
    """An immutable index of codes (an (n, 32) uint8 array) and their ids (int64), for radius
    search up to `max_radius` bits. For 10 million codes: about a minute to build, 1.25 GB kept
    (codes, ids, tables), about 1.8 GB at the peak of the build."""

    def __init__(self, codes: np.ndarray, ids: np.ndarray, max_radius: int = 31):
        self.codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, BYTES)
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(self.ids) != len(self.codes):
            raise ValueError("one id per code")
        if not 0 <= max_radius < BITS:
            raise ValueError("the radius is a number of bits, 0 to 255")
        self.max_radius = max_radius
        self._words = as_words(self.codes)
        count = len(self.codes)
        self.chunks: list[_Chunk] = []
        start = 0
        for width in plan_chunks(count, max_radius):
            self.chunks.append(_Chunk(start, width))
            start += width
        offset_dtype = np.int32 if count < 2**31 else np.int64
        offsets, rows = [], []
        for chunk in self.chunks:
            values = chunk_values(self.codes, chunk.start, chunk.width)
            rows.append(np.argsort(values, kind="stable").astype(np.int32))
            table = np.zeros((1 << chunk.width) + 1, dtype=offset_dtype)
            np.cumsum(np.bincount(values, minlength=1 << chunk.width), out=table[1:])
            offsets.append(table)
        self._offsets = np.concatenate(offsets)
        self._off_base = np.cumsum([0] + [len(t) for t in offsets[:-1]]).astype(np.int64)
        self._rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        self._row_base = np.arange(len(self.chunks), dtype=np.int64) * count
        self._masks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        arrays = (self.codes, self.ids, self._offsets, self._rows)
        return int(sum(array.nbytes for array in arrays))

    def _probes(self, flips: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every chunk's flip masks in one array, with each chunk's start and count (kept per
        number of flips: building them in Python costs milliseconds)."""
        if flips not in self._masks:
            masks = [flip_masks(chunk.width, flips) for chunk in self.chunks]
            self._masks[flips] = (
                np.concatenate(masks),
                np.cumsum([0] + [len(m) for m in masks[:-1]]).astype(np.int64),
                np.array([len(m) for m in masks], dtype=np.int64),
            )
        return self._masks[flips]

    def search(self, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
        """For each query (an (q, 32) uint8 array), the (id, distance) of every code within
        `radius` bits, nearest first."""
        if not 0 <= radius <= self.max_radius:
            raise ValueError(f"the index answers radii 0 to {self.max_radius}")
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, BYTES)
        found: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        if not len(queries) or not len(self.ids):
            return found
        masks, mask_base, mask_len = self._probes(radius // len(self.chunks))
        keys = np.stack(
            [chunk_values(queries, chunk.start, chunk.width) for chunk in self.chunks], axis=1
        )
        query, row, distance = _search(
            keys,
            masks,
            mask_base,
            mask_len,
            self._offsets,
            self._off_base,
            self._rows,
            self._row_base,
            self._words,
            as_words(queries),
            radius,
        )
        order = np.lexsort((self.ids[row], distance, query))
        for qi, ri, di in zip(query[order], row[order], distance[order], strict=True):
            found[int(qi)].append((int(self.ids[ri]), int(di)))
        return found


def brute_force(
    codes: np.ndarray, ids: np.ndarray, queries: np.ndarray, radius: int
) -> list[list[tuple[int, int]]]:
    """The same answer by computing every distance (numpy): the reference for recall, and the
    search of the few hashes added since an index was built."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, BYTES)
    found: list[list[tuple[int, int]]] = []
    for query in np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, BYTES):
        far = distances_to(codes, query)
        hits = np.flatnonzero(far <= radius)
        hits = hits[np.lexsort((ids[hits], far[hits]))]
        found.append([(int(ids[i]), int(far[i])) for i in hits])
    return found
