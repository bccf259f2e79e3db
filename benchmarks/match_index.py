"""Beacon's exact radius search over PDQ codes (beacon/matching/mih.py, multi-index hashing)
against brute force (FAISS IndexBinaryFlat) and FAISS IndexBinaryMultiHash, single-threaded.

    .venv/bin/python benchmarks/match_index.py | tee benchmarks/match_index.txt
    .venv/bin/python benchmarks/match_index.py --size 1000000 --multihash-size 0   # quicker

The bank is --size random 256-bit codes (numpy, seeded). Half the queries are planted near
copies: a random bank entry with k distinct random bits flipped, k uniform in 0..31, so each has a
known true match at distance k; the other half are random codes (which, among uniform random
codes, have nothing within 31 bits). Real PDQ hashes are not uniform (they cluster), so a real
bank yields more candidates per probe than this one; the figures are for uniform codes.

Measured, with every library held to one thread (NUMBA/OMP/OPENBLAS/MKL, faiss.omp_set_num_threads):
- MultiIndex build time, index.nbytes, and the process's peak RSS (resource.getrusage);
- MultiIndex lookups/s at --radius, in batches of --batch queries and one query per call, with the
  median and p95 per batch and per single query;
- the brute-force alternative in the same run: IndexBinaryFlat.range_search, one query per call,
  on --flat-queries of the queries (FAISS's radius is exclusive: it is passed radius + 1), and the
  ratio of the two rates; mih.brute_force (numpy) on --numpy-queries as a cross-check;
- recall of MultiIndex against the flat index over that subset: every (query, id, distance) the
  flat index finds must be in MultiIndex's answer with the same distance, and MultiIndex must
  find nothing the flat index does not; every planted copy must be found at its distance k;
- at --multihash-size codes (a prefix of the bank, new queries made the same way; 0 skips it):
  IndexBinaryMultiHash(256, 16, 16) with nflip = 1, as Meta's Hasher-Matcher-Actioner sets it
  for PDQ at threshold 31 (16 chunks of 16 bits: one chunk of a pair within 31 differs in at most
  1 bit, so its recall is exact too), beside MultiIndex and the flat index on the same bank.
  At 10 million codes its hash maps need ~10 GB, hence the smaller bank.
"""

import os

# One thread per process, set before numpy, numba or faiss is imported.
os.environ["NUMBA_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beacon.matching import mih

MB = 1024 * 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mb() -> float:
    """The process's resident memory now (MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (MiB; ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def line(label: str, value: str) -> None:
    print(f"  {label:<52} {value}")


def rate_line(label: str, count: int, latencies: list[float], unit: str) -> float:
    """Print count/s with the median and p95 of the latencies (s); return the rate."""
    rate = count / sum(latencies)
    plural = {"batch": "batches", "query": "queries"}[unit]
    line(
        label,
        f"{rate:>11,.0f} lookups/s   median {statistics.median(latencies) * 1000:9.3f} ms  "
        f"p95 {percentile(latencies, 0.95) * 1000:9.3f} ms per {unit} ({len(latencies)} {plural})",
    )
    return rate


def make_queries(
    codes: np.ndarray, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count` queries in a shuffled order: half near copies of random bank rows (k distinct
    bits flipped, k uniform in 0..31), half random codes. Returns the queries, the source row of
    each (-1 for a random one) and its k (-1 for a random one)."""
    planted = count // 2
    sources = rng.choice(len(codes), size=planted, replace=False)
    flips = rng.integers(0, 32, size=planted)
    bits = np.unpackbits(codes[sources], axis=1)
    for i, k in enumerate(flips):
        bits[i, rng.permutation(mih.BITS)[:k]] ^= 1
    queries = np.concatenate(
        [np.packbits(bits, axis=1), rng.integers(0, 256, (count - planted, mih.BYTES), np.uint8)]
    )
    source = np.concatenate([sources, np.full(count - planted, -1)]).astype(np.int64)
    k = np.concatenate([flips, np.full(count - planted, -1)]).astype(np.int64)
    order = rng.permutation(count)
    return np.ascontiguousarray(queries[order]), source[order], k[order]


def time_batched(
    index: mih.MultiIndex, queries: np.ndarray, radius: int, batch: int, repeats: int
) -> tuple[list[float], list]:
    latencies, answers = [], []
    for _ in range(repeats):
        answers = []
        for start in range(0, len(queries), batch):
            began = time.perf_counter()
            answers.extend(index.search(queries[start : start + batch], radius))
            latencies.append(time.perf_counter() - began)
    return latencies, answers


def time_single(search, queries: np.ndarray) -> tuple[list[float], list]:
    latencies, answers = [], []
    for i in range(len(queries)):
        began = time.perf_counter()
        answers.append(search(queries[i : i + 1]))
        latencies.append(time.perf_counter() - began)
    return latencies, answers


def faiss_range(index, ids: np.ndarray, radius: int):
    """One query's (id, distance) set through a FAISS binary index (radius inclusive)."""

    def search(query: np.ndarray) -> set[tuple[int, int]]:
        lims, distances, rows = index.range_search(query, radius + 1)
        return {
            (int(ids[r]), int(d))
            for r, d in zip(rows[lims[0] : lims[1]], distances[lims[0] : lims[1]], strict=True)
        }

    return search


def compare(reference: list[set], answers: list[list[tuple[int, int]]]) -> tuple[int, int, int]:
    """(pairs the reference found, of which the answers have with the same distance, pairs the
    answers have that the reference does not)."""
    expected = found = extra = 0
    for truth, answer in zip(reference, answers, strict=True):
        got = set(answer)
        expected += len(truth)
        found += len(truth & got)
        extra += len(got - truth)
    return expected, found, extra


def planted_found(
    answers: list[list[tuple[int, int]]], source: np.ndarray, k: np.ndarray, ids: np.ndarray
) -> tuple[int, int]:
    planted = found = 0
    for answer, row, flips in zip(answers, source, k, strict=True):
        if row < 0:
            continue
        planted += 1
        found += (int(ids[row]), int(flips)) in set(answer)
    return planted, found


def recall_line(label: str, expected: int, found: int, extra: int) -> None:
    recall = found / expected if expected else float("nan")
    line(label, f"{recall:.4f} ({found:,} of {expected:,} pairs; {extra} extra)")


def subset_of(count: int, size: int) -> np.ndarray:
    """Evenly spread positions (the queries are shuffled, so planted and random alike)."""
    return np.unique(np.linspace(0, count - 1, min(size, count)).astype(np.int64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000, help="codes in the bank")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--radius", type=int, default=31)
    parser.add_argument("--seed", type=int, default=20251124)
    parser.add_argument("--batch", type=int, default=1000, help="queries per batched search")
    parser.add_argument("--repeats", type=int, default=5, help="passes of the batched search")
    parser.add_argument("--flat-queries", type=int, default=200, help="brute-force subset")
    parser.add_argument("--numpy-queries", type=int, default=10, help="mih.brute_force subset")
    parser.add_argument("--multihash-size", type=int, default=1_000_000, help="0 skips it")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    radius = args.radius

    print(f"match_index  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.node()}")
    print(
        f"  cpu: {cpu_model()}, {os.cpu_count()} cores; one thread used; "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  numpy {np.__version__}, numba {numba.__version__}, faiss {faiss.__version__}, "
        f"python {platform.python_version()}"
    )
    print(
        f"  bank {args.size:,} random codes, {args.queries:,} queries (half planted near "
        f"copies, k in 0..31), radius {radius}, seed {args.seed}"
    )
    print()

    began = time.perf_counter()
    codes = rng.integers(0, 256, (args.size, mih.BYTES), dtype=np.uint8)
    ids = np.arange(args.size, dtype=np.int64) * 2 + 1  # ids are not row numbers
    queries, source, flips = make_queries(codes, args.queries, rng)
    generated = time.perf_counter() - began
    before = rss_mb()

    print(f"MultiIndex at {args.size:,} codes")
    began = time.perf_counter()
    index = mih.MultiIndex(codes, ids, max_radius=radius)
    built = time.perf_counter() - began
    after_build_peak = peak_rss_mb()
    chunks = len(index.chunks)
    per_chunk = radius // chunks
    masks = sum(len(mih.flip_masks(c.width, per_chunk)) for c in index.chunks)
    line("bank generated (numpy)", f"{generated:8.1f} s")
    line("build", f"{built:8.1f} s")
    line(
        "chunks",
        f"{chunks} of {sorted({c.width for c in index.chunks})} bits, "
        f"{per_chunk} flips per chunk, {masks:,} probes per query",
    )
    line("index.nbytes (codes, ids, offsets, rows)", f"{index.nbytes / MB:8.0f} MiB")
    line("RSS before the build (bank + queries)", f"{before:8.0f} MiB")
    line("peak RSS after the build", f"{after_build_peak:8.0f} MiB")

    began = time.perf_counter()
    index.search(queries[:10], radius)  # numba compiles (or loads its cache) on the first call
    line("first search (numba compile or cache load)", f"{time.perf_counter() - began:8.2f} s")

    batch_latencies, answers = time_batched(index, queries, radius, args.batch, args.repeats)
    mi_batched = rate_line(
        f"search, batches of {args.batch} (x{args.repeats})",
        len(queries) * args.repeats,
        batch_latencies,
        "batch",
    )
    single_latencies, single_answers = time_single(lambda q: index.search(q, radius)[0], queries)
    mi_single = rate_line("search, one query per call", len(queries), single_latencies, "query")
    line(
        "cost of a call beyond the batched cost of its query",
        f"{(1 / mi_single - 1 / mi_batched) * 1000:8.3f} ms (Python around the kernel)",
    )
    if single_answers != answers:
        print("  !! one-at-a-time answers differ from the batched answers")
    candidates = sum(len(a) for a in answers)
    line("pairs found within the radius", f"{candidates:,}")
    planted, found = planted_found(answers, source, flips, ids)
    line("planted copies found at their distance", f"{found:,} of {planted:,}")
    print()

    print(f"Brute force at {args.size:,} codes (FAISS IndexBinaryFlat, one query per call)")
    began = time.perf_counter()
    flat = faiss.IndexBinaryFlat(mih.BITS)
    flat.add(codes)
    line("add", f"{time.perf_counter() - began:8.1f} s")
    subset = subset_of(len(queries), args.flat_queries)
    flat_latencies, reference = time_single(faiss_range(flat, ids, radius), queries[subset])
    flat_rate = rate_line(
        f"range_search, {len(subset)} queries", len(subset), flat_latencies, "query"
    )
    mi_subset = [answers[i] for i in subset]
    recall_line("MultiIndex recall against it", *compare(reference, mi_subset))
    subset_planted = int((source[subset] >= 0).sum())
    line("of which planted queries in the subset", f"{subset_planted}")
    line("ratio MultiIndex batched / brute force (rate)", f"{mi_batched / flat_rate:8.0f} x")
    line("ratio MultiIndex single / brute force (rate)", f"{mi_single / flat_rate:8.0f} x")
    del flat

    if args.numpy_queries:
        few = subset[: args.numpy_queries]
        numpy_latencies, numpy_answers = time_single(
            lambda q: mih.brute_force(codes, ids, q, radius)[0], queries[few]
        )
        rate_line(
            f"mih.brute_force (numpy), {len(few)} queries", len(few), numpy_latencies, "query"
        )
        agree = all(
            set(a) == reference[list(subset).index(i)]
            for a, i in zip(numpy_answers, few, strict=True)
        )
        line("numpy brute force agrees with FAISS flat", "yes" if agree else "NO")
    print()

    if args.multihash_size:
        size = min(args.multihash_size, args.size)
        print(
            f"At {size:,} codes (a prefix of the bank, {len(queries):,} new queries): "
            "MultiIndex, FAISS IndexBinaryMultiHash(256, 16, 16) nflip=1, IndexBinaryFlat"
        )
        del index
        small_codes, small_ids = codes[:size], ids[:size]
        small_queries, small_source, small_flips = make_queries(small_codes, len(queries), rng)

        began = time.perf_counter()
        small_index = mih.MultiIndex(small_codes, small_ids, max_radius=radius)
        line(
            "MultiIndex build",
            f"{time.perf_counter() - began:8.1f} s, "
            f"{small_index.nbytes / MB:.0f} MiB (nbytes), {len(small_index.chunks)} chunks",
        )
        small_index.search(small_queries[:10], radius)
        latencies, small_answers = time_batched(
            small_index, small_queries, radius, args.batch, args.repeats
        )
        small_mi = rate_line(
            f"MultiIndex, batches of {args.batch}",
            len(small_queries) * args.repeats,
            latencies,
            "batch",
        )
        latencies, _ = time_single(lambda q: small_index.search(q, radius)[0], small_queries)
        small_mi_single = rate_line(
            "MultiIndex, one query per call", len(small_queries), latencies, "query"
        )

        rss = rss_mb()
        began = time.perf_counter()
        multihash = faiss.IndexBinaryMultiHash(mih.BITS, 16, 16)
        multihash.nflip = 1
        multihash.add(small_codes)
        line(
            "MultiHash build (add)",
            f"{time.perf_counter() - began:8.1f} s, RSS +{rss_mb() - rss:.0f} MiB",
        )
        latencies, multihash_answers = time_single(
            faiss_range(multihash, small_ids, radius), small_queries
        )
        multihash_rate = rate_line(
            "MultiHash range_search, one query per call", len(small_queries), latencies, "query"
        )
        began = time.perf_counter()
        multihash.range_search(small_queries, radius + 1)
        batched = len(small_queries) / (time.perf_counter() - began)
        line(
            f"MultiHash range_search, all {len(small_queries):,} in one call",
            f"{batched:>11,.0f} lookups/s",
        )

        flat = faiss.IndexBinaryFlat(mih.BITS)
        flat.add(small_codes)
        subset = subset_of(len(small_queries), args.flat_queries)
        latencies, reference = time_single(
            faiss_range(flat, small_ids, radius), small_queries[subset]
        )
        small_flat = rate_line(
            f"IndexBinaryFlat range_search, {len(subset)} queries", len(subset), latencies, "query"
        )
        recall_line(
            "MultiIndex recall against flat",
            *compare(reference, [small_answers[i] for i in subset]),
        )
        recall_line(
            "MultiHash recall against flat",
            *compare(reference, [sorted(multihash_answers[i]) for i in subset]),
        )
        planted, found = planted_found(small_answers, small_source, small_flips, small_ids)
        line("MultiIndex planted copies found", f"{found:,} of {planted:,}")
        planted, found = planted_found(
            [sorted(a) for a in multihash_answers], small_source, small_flips, small_ids
        )
        line("MultiHash planted copies found", f"{found:,} of {planted:,}")
        line("ratio MultiIndex batched / MultiHash (rate)", f"{small_mi / multihash_rate:8.1f} x")
        line(
            "ratio MultiIndex single / MultiHash (rate)",
            f"{small_mi_single / multihash_rate:8.1f} x",
        )
        line("ratio MultiHash / flat (rate)", f"{multihash_rate / small_flat:8.1f} x")
        print()

    print(
        f"peak RSS of the run {peak_rss_mb():,.0f} MiB; load average at the end "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
