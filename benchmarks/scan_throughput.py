"""End-to-end scan throughput: hashing an image (beacon.matching.hashing.hash_image: decode at a
reduced scale, PDQ of the 8 dihedral variants, SHA-256/SHA-1/MD5) and looking its 8 variants up
in a bank (beacon.matching.mih.MultiIndex at radius 31), on one process and on several.

    .venv/bin/python benchmarks/scan_throughput.py | tee benchmarks/scan_throughput.txt

--images synthetic JPEGs of --width x --height (about a megapixel; beacon/matching/synthetic.py,
quality --quality) are made and kept in memory before anything is timed. The bank is --bank random
256-bit codes plus the PDQ of near copies of --planted of the images (re-encoded smaller at a
lower quality, rotated by 90 degrees, or mirrored, in turn), so those must be found, the rotated
and mirrored ones through a dihedral variant.

Each image is timed from its bytes to its matches: hash_image, then the 8 hashes as a (8, 32)
array and one MultiIndex.search. With --processes workers (multiprocessing, fork after the bank
is built and numba has compiled, so each worker shares the parent's index) the images are
shared out in chunks of 4, and the rate is images over wall time. --passes passes alternate one
process and the workers, so a neighbour's load hits both alike; the rate printed is the median
pass's (every pass's is shown), the per-image figures are over all passes. Every library is held
to one thread per process. The projection is the 2025 volume (--volume images) at those rates,
and again from the CPU time each image took (time.process_time) shared over free cores: on a
machine shared with other work the wall rates fall with the cores the run gets (printed per pass
as CPU time / wall), the CPU time much less.

The alternative, in the same run: hash_image(data, side=0), decoding and hashing at full size, on
--full-subset images: its rate and the PDQ distance between the full-size and the reduced hashes
(the reduced decode must stay well within PDQ's matching threshold of 31). And the lookups of
every image's 8 variants batched --batch hashes per MultiIndex.search call, against one call per
image as the scan makes them.
"""

import os

# One thread per process, set before numpy, numba or faiss is imported.
os.environ["NUMBA_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import multiprocessing
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")

import django
import pdqhash
from django.conf import settings
from PIL import Image

from beacon.matching import mih
from beacon.matching.hashing import distance, hash_image, prepared
from beacon.matching.synthetic import encoded, synthetic_image

RADIUS = 31
# Set in the parent before the workers fork: the workers read them, never a pickled copy.
IMAGES: list[bytes] = []
INDEX: mih.MultiIndex | None = None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def line(label: str, value: str) -> None:
    print(f"  {label:<50} {value}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def scan(position: int) -> tuple[int, float, float, tuple[int, int] | None, float]:
    """Hash image `position` and look its 8 variants up: (position, hashing seconds, lookup
    seconds, the nearest (id, distance) over the variants or None, CPU seconds used)."""
    assert INDEX is not None
    cpu = time.process_time()
    began = time.perf_counter()
    hashes = hash_image(IMAGES[position])
    hashed = time.perf_counter()
    queries = np.frombuffer(bytes.fromhex("".join(hashes.dihedral)), dtype=np.uint8)
    found = INDEX.search(queries.reshape(len(hashes.dihedral), mih.BYTES), RADIUS)
    looked_up = time.perf_counter()
    cpu = time.process_time() - cpu
    nearest = min((hit for hits in found for hit in hits), key=lambda hit: hit[1], default=None)
    return position, hashed - began, looked_up - hashed, nearest, cpu


def near_copy(image: Image.Image, turn: int) -> bytes:
    """A near copy as a bank would hold it: smaller and recompressed, rotated, or mirrored."""
    if turn == 0:
        return encoded(image.resize((image.width * 2 // 3, image.height * 2 // 3)), quality=60)
    if turn == 1:
        return encoded(image.transpose(Image.Transpose.ROTATE_90), quality=85)
    return encoded(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), quality=85)


def report(label: str, runs: list[tuple[float, list]], processes: int, volume: int) -> float:
    """Print the rate (the median pass's, with every pass's) and the per-image figures of all
    passes together; return the rate."""
    rates = [len(results) / wall for wall, results in runs]
    rate = statistics.median(rates)
    cores = [sum(r[4] for r in results) / wall for wall, results in runs]
    results = [result for _, run in runs for result in run]
    totals = [hashing + lookup for _, hashing, lookup, _, _ in results]
    each = ", ".join(f"{r:.1f}" for r in rates)
    line(f"{label}: images/s (wall, median pass)", f"{rate:7.1f} images/s  (passes: {each})")
    line(
        "  cores obtained (CPU time / wall) per pass",
        ", ".join(f"{c:.2f}" for c in cores) + f" of {processes}",
    )
    line(
        "  per image: median / p95",
        f"{ms(statistics.median(totals))} / {ms(percentile(totals, 0.95))}",
    )
    hashing = [r[1] for r in results]
    lookup = [r[2] for r in results]
    cpu = [r[4] for r in results]
    share = sum(lookup) / (sum(hashing) + sum(lookup))
    line(
        "  decode+hash: median / p95",
        f"{ms(statistics.median(hashing))} / {ms(percentile(hashing, 0.95))}",
    )
    line(
        "  lookup of 8 variants: median / p95",
        f"{ms(statistics.median(lookup))} / {ms(percentile(lookup, 0.95))}",
    )
    line("  share of the time in lookup", f"{share * 100:7.1f} %")
    line(
        "  CPU time per image: median / mean",
        f"{ms(statistics.median(cpu))} / {ms(statistics.mean(cpu))}",
    )
    hours = volume / rate / 3600
    line(f"  projected for {volume:,} images", f"{hours:7.2f} h  ({volume / rate / 60:.0f} min)")
    free = volume * statistics.mean(cpu) / processes
    line(
        f"  projected from CPU time, {processes} free core(s)",
        f"{free / 3600:7.2f} h  ({free / 60:.0f} min)",
    )
    return rate


def main() -> None:
    global INDEX
    django.setup()  # hash_image reads its limits from the settings
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--width", type=int, default=1155)
    parser.add_argument("--height", type=int, default=866)
    parser.add_argument("--quality", type=int, default=85)
    parser.add_argument("--bank", type=int, default=1_000_000, help="random codes in the bank")
    parser.add_argument("--planted", type=int, default=20, help="images with a copy in the bank")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--passes", type=int, default=3, help="timed passes per mode")
    parser.add_argument("--batch", type=int, default=1000, help="hashes per batched lookup")
    parser.add_argument("--full-subset", type=int, default=40, help="images hashed at full size")
    parser.add_argument("--volume", type=int, default=731_346, help="images to project for")
    parser.add_argument("--seed", type=int, default=20251124)
    args = parser.parse_args()

    print(f"scan_throughput  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.node()}")
    print(
        f"  cpu: {cpu_model()}, {os.cpu_count()} cores; load average at start "
        f"{os.getloadavg()[0]:.2f}"
    )
    print(
        f"  numpy {np.__version__}, Pillow {Image.__version__}, pdqhash "
        f"{getattr(pdqhash, '__version__', '?')}, python {platform.python_version()}"
    )
    print(
        f"  {args.images} JPEGs {args.width}x{args.height} quality {args.quality}; bank "
        f"{args.bank:,} random codes + {args.planted} near copies; radius {RADIUS}"
    )
    print()

    began = time.perf_counter()
    step = max(1, args.images // max(1, args.planted)) if args.planted else 0
    planted: dict[int, int] = {}  # image position -> the turn of its near copy
    bank_extra = []
    for position in range(args.images):
        image = synthetic_image(args.seed + position, (args.width, args.height))
        IMAGES.append(encoded(image, "JPEG", quality=args.quality))
        if step and position % step == 0 and len(planted) < args.planted:
            turn = len(planted) % 3
            planted[position] = turn
            copy = hash_image(near_copy(image, turn))
            bank_extra.append(np.frombuffer(bytes.fromhex(copy.pdq), dtype=np.uint8))
    sizes = [len(data) for data in IMAGES]
    line(
        "images made (not timed)",
        f"{time.perf_counter() - began:7.1f} s, "
        f"median {statistics.median(sizes) / 1024:.0f} KiB per JPEG",
    )

    rng = np.random.default_rng(args.seed)
    codes = rng.integers(0, 256, (args.bank, mih.BYTES), dtype=np.uint8)
    if bank_extra:
        codes = np.concatenate([codes, np.stack(bank_extra)])
    ids = np.arange(len(codes), dtype=np.int64)
    planted_ids = dict(zip(planted, ids[args.bank :].tolist(), strict=True))
    began = time.perf_counter()
    INDEX = mih.MultiIndex(codes, ids, max_radius=RADIUS)
    line(
        "bank index built (not timed)",
        f"{time.perf_counter() - began:7.1f} s, "
        f"{len(codes):,} codes, {INDEX.nbytes / 1024 / 1024:.0f} MiB",
    )
    for position in range(min(3, args.images)):  # warm-up: numba, Pillow, pdqhash
        scan(position)
    print()

    print("Scan: hash_image (reduced decode, HASH_SIDE) + MultiIndex lookup of the 8 variants")
    print(
        f"  {args.passes} passes over the {args.images} images, 1 process and "
        f"{args.processes} in turn"
    )
    one_runs: list[tuple[float, list]] = []
    many_runs: list[tuple[float, list]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(max(1, args.processes)) as pool:
        pool.map(scan, range(args.processes), chunksize=1)  # the workers are up
        for _ in range(args.passes):
            began = time.perf_counter()
            single = [scan(position) for position in range(args.images)]
            one_runs.append((time.perf_counter() - began, single))
            if args.processes > 1:
                began = time.perf_counter()
                parallel = list(pool.imap_unordered(scan, range(args.images), chunksize=4))
                many_runs.append((time.perf_counter() - began, parallel))
    one_rate = report("1 process", one_runs, 1, args.volume)

    found = {position: nearest for position, _, _, nearest, _ in single if nearest is not None}
    kinds = ("smaller+q60", "rotated 90", "mirrored")
    hits = [
        f"{kinds[turn]} d={found[p][1]}"
        if p in found and found[p][0] == planted_ids[p]
        else f"{kinds[turn]} MISSED"
        for p, turn in planted.items()
    ]
    matched = sum(1 for hit in hits if "MISSED" not in hit)
    line("planted copies found", f"{matched} of {len(planted)}")
    if hits:
        print("      " + ", ".join(hits))
    strays = [p for p in found if p not in planted]
    line("images matched that were not planted", f"{len(strays)}")

    if many_runs:
        many_rate = report(f"{args.processes} processes", many_runs, args.processes, args.volume)
        line(f"speed-up {args.processes} processes / 1", f"{many_rate / one_rate:7.2f} x")
        same = all(
            sorted(r[3] or (-1, -1) for r in run) == sorted(r[3] or (-1, -1) for r in single)
            for _, run in many_runs
        )
        line(f"same matches on {args.processes} processes as on 1", "yes" if same else "NO")
        wall_hours = args.volume / many_rate / 3600
        cpu = [r[4] for _, run in many_runs for r in run]
        cpu_hours = args.volume * statistics.mean(cpu) / args.processes / 3600
        line(
            "target: the year's volume under 1 hour",
            f"{'met' if wall_hours < 1 else 'NOT met'} (wall), "
            f"{'met' if cpu_hours < 1 else 'NOT met'} (CPU time, free cores)",
        )
    print()

    subset = np.unique(np.linspace(0, args.images - 1, min(args.full_subset, args.images)))
    subset = [int(p) for p in subset]
    print(
        f"Alternative: full-size decode and hash (hash_image(data, side=0)), {len(subset)} images"
    )
    full, reduced_pdq, full_pdq, qualities = [], [], [], []
    for position in subset:
        began = time.perf_counter()
        hashes = hash_image(IMAGES[position], side=0)
        full.append(time.perf_counter() - began)
        full_pdq.append(hashes)
    reduced = []
    for position in subset:
        began = time.perf_counter()
        hashes = hash_image(IMAGES[position])
        reduced.append(time.perf_counter() - began)
        reduced_pdq.append(hashes)
    decode_reduced, decode_full = [], []
    for position in subset:
        began = time.perf_counter()
        prepared(IMAGES[position])
        decode_reduced.append(time.perf_counter() - began)
        began = time.perf_counter()
        prepared(IMAGES[position], side=0)
        decode_full.append(time.perf_counter() - began)
    line(
        "full size: images/s (hash only)",
        f"{len(subset) / sum(full):7.1f} images/s, "
        f"median {ms(statistics.median(full))}, p95 {ms(percentile(full, 0.95))}",
    )
    line(
        "reduced, same images: images/s (hash only)",
        f"{len(subset) / sum(reduced):7.1f} images/s, "
        f"median {ms(statistics.median(reduced))}, p95 {ms(percentile(reduced, 0.95))}",
    )
    line("ratio reduced / full (rate)", f"{sum(full) / sum(reduced):7.2f} x")
    line(
        "decode only (prepared): reduced / full, median",
        f"{ms(statistics.median(decode_reduced))} / {ms(statistics.median(decode_full))}",
    )
    original = [distance(a.pdq, b.pdq) for a, b in zip(full_pdq, reduced_pdq, strict=True)]
    variants = [
        max(distance(x, y) for x, y in zip(a.dihedral, b.dihedral, strict=True))
        for a, b in zip(full_pdq, reduced_pdq, strict=True)
    ]
    line(
        "PDQ distance full vs reduced: median / max",
        f"{statistics.median(original):.0f} / {max(original)} bits (of 256; threshold {RADIUS})",
    )
    line(
        "  worst of the 8 variants per image: median / max",
        f"{statistics.median(variants):.0f} / {max(variants)} bits",
    )
    qualities = [(a.quality, b.quality) for a, b in zip(full_pdq, reduced_pdq, strict=True)]
    line(
        "PDQ quality full / reduced: median / min",
        f"{statistics.median(q[0] for q in qualities):.0f} / {min(q[0] for q in qualities)}, "
        f"{statistics.median(q[1] for q in qualities):.0f} / {min(q[1] for q in qualities)}",
    )
    floor = settings.MATCHING_QUALITY_FLOOR
    line(
        f"images under the quality floor ({floor}), reduced",
        f"{sum(q[1] < floor for q in qualities)} of {len(qualities)}",
    )
    print()

    print(f"Alternative: the lookups batched over images ({args.batch} variant hashes per call)")
    variants = np.frombuffer(
        bytes.fromhex("".join(h for data in IMAGES for h in hash_image(data).dihedral)),
        dtype=np.uint8,
    ).reshape(-1, mih.BYTES)
    lookups = []
    for _ in range(args.passes):
        began = time.perf_counter()
        for start in range(0, len(variants), args.batch):
            INDEX.search(variants[start : start + args.batch], RADIUS)
        lookups.append((time.perf_counter() - began) / len(IMAGES))
    per_call = statistics.median(r[2] for _, run in one_runs for r in run)
    batched = statistics.median(lookups)
    line("lookup per image, batched (median pass)", f"{ms(batched)}")
    line("lookup per image, one call per image (median)", f"{ms(per_call)}")
    line("ratio one call per image / batched", f"{per_call / batched:7.2f} x")
    print()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
