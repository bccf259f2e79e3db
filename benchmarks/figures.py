"""Computing the annual report's figures at ten times the organisation's 2025 volume, for ten
years (2016-2025), on SQLite (a fresh temporary database file) and on PostgreSQL. Run by hand;
prints its figures.

    .venv/bin/python benchmarks/figures.py [--scale 10] [--runs 5] [--backends sqlite,postgres]

PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_figures), dropped,
created and migrated (manage.py migrate), dropped again at the end unless --keep (--reuse:
measure the database a --keep run left, or SQLite's in BEACON_DATA_DIR, without filling it
again). Each backend runs in its own process, which fills the database in bulk with synthetic
records (the demo's 2025 proportions times --scale, every year 2016-2025, the 2021 taxonomy's
legacy categories before 2025):

- missing-children cases (~2,830 a year at scale 1: 76% runaways, whose children run away
  several times: about 0.7 child per report; family context, unaccompanied minors, undefined,
  abduction), each with its person (95% with a date of birth, 3% an estimated age, 2% neither,
  so the age figures compute real ages), last seen / found / closed moments;
- sexual-exploitation cases (~990 a year: sextortion with its content / financial sub-kinds,
  sexting, child prostitution, grooming), each with its facts (victim's age);
- calls (~20,000 a year), 90% on 116 000 and its international number, the rest on the other
  channels, started at any hour with fewer at night.

Then it times, --runs times after one warm-up, median and p95 (with 5 runs p95 is the slowest):
- `figures_for_year(2025)`: the whole report (every section, ten-year tables, the year's
  details; the areas without records here, campaigns, network, prevention, funding, the civil
  hotline and image matching, run their queries on empty tables);
- `evaluate(catalogue().values(), Period.year(2025))` and the same for 2024: every catalogue
  figure of a year with its comparison year (the figures page), `catalogue()` included.
It lists the slowest queries of one run of each and profiles one report; on PostgreSQL it prints
EXPLAIN ANALYZE of the slowest and times both again with JIT compilation off (SET jit = off).
benchmarks/figures.txt: its output, with notes on why the targets are missed and the fixes.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bench_figures"
FIRST, YEAR = 2016, 2025
BATCH = 10000

# The demo's 2025 new cases per category (figure key), at scale 1; before 2025 the 2021
# taxonomy's legacy categories stand for the two introduced in 2025.
MISSING_2025 = {
    "runaway": 2147,
    "unaccompanied_minor": 359,
    "family_context": 249,
    "undefined_and_other": 69,
    "abduction_outside_family": 3,
}
LEGACY = {
    "family_context": "legacy_international_parental_abduction",
    "abduction_outside_family": "legacy_abduction_by_third_party",
}
EXPLOITATION_2025 = {
    "sextortion": 433,
    "sexting_without_consent": 296,
    "child_prostitution": 151,
    "grooming": 108,
}
CALLS_2025 = 20189 + 642 + 414 + 892 + 638 + 184 + 12
CHANNELS = [
    ("116000", 20189),
    ("international", 642),
    ("116800", 414),
    ("chat", 892),
    ("email", 638),
    ("police", 184),
    ("walk_in", 12),
]
# Relative weight of each UTC hour a call starts (fewer at night, local = UTC+1/+2).
HOUR_WEIGHTS = [2, 2, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 10, 11, 11, 10, 9, 7, 5, 4, 3]


def ensure_database(url: str, drop_only: bool = False) -> None:
    import psycopg

    base, name = url.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def moment(rng: random.Random, year: int) -> datetime:
    start = datetime(year, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange(365 * 86400))


def age_fields(rng: random.Random, year: int) -> dict:
    """Most children have a date of birth (aged 6 to 17 in `year`), some only an estimated age,
    a few neither: the age figures compute what the records give."""
    draw = rng.random()
    if draw < 0.95:
        return {
            "date_of_birth": date(year - rng.randint(6, 17), 1, 1) + timedelta(rng.randrange(365))
        }
    if draw < 0.98:
        return {"estimated_age": rng.randint(12, 17)}
    return {}


def fill(scale: int) -> dict:
    from beacon.cases.models import Case, Category, ExploitationFacts, SubKind
    from beacon.line.models import Call
    from beacon.people.models import Person

    rng = random.Random(116000)
    started = time.perf_counter()
    categories = {c.key: c for c in Category.objects.all()}
    subkinds = {s.key: s.pk for s in SubKind.objects.filter(category__key="sextortion")}
    serial = 0
    for year in range(FIRST, YEAR + 1):
        # A little growth over the years: 2016 has ~80% of 2025's volume.
        growth = 0.8 + 0.2 * (year - FIRST) / (YEAR - FIRST)
        plan: list[tuple[str, str]] = []
        for key, n in MISSING_2025.items():
            category = key if year >= 2025 else LEGACY.get(key, key)
            plan += [("missing", category)] * round(n * scale * growth)
        for key, n in EXPLOITATION_2025.items():
            plan += [("exploitation", key)] * round(n * scale * growth)
        runaways = sum(1 for _m, c in plan if c == "runaway")
        # Runaway children: ~0.7 per report, so many run away more than once in the year.
        runaway_people = Person.objects.bulk_create(
            [
                Person(
                    first_name=f"Child{year}r{i}",
                    last_name=f"Example{i % 5000}",
                    gender="female" if rng.random() < 0.55 else "male",
                    in_institution=rng.random() < 0.3,
                    **age_fields(rng, year),
                )
                for i in range(int(runaways * 0.7))
            ],
            batch_size=BATCH,
        )
        others = Person.objects.bulk_create(
            [
                Person(
                    first_name=f"Child{year}o{i}",
                    last_name=f"Example{i % 5000}",
                    gender="female" if rng.random() < 0.6 else "male",
                    **age_fields(rng, year),
                )
                for i in range(len(plan) - runaways)
            ],
            batch_size=BATCH,
        )
        other_ids = iter(p.pk for p in others)
        rows = []
        runaway_seen = 0
        rng.shuffle(plan)
        for mission, key in plan:
            serial += 1
            opened = moment(rng, year)
            if key == "runaway":
                # Every runaway child once, then repeat episodes of children drawn at random.
                person = runaway_people[runaway_seen % len(runaway_people)].pk
                if runaway_seen >= len(runaway_people):
                    person = rng.choice(runaway_people).pk
                runaway_seen += 1
            else:
                person = next(other_ids)
            case = Case(
                number=f"B{year}-{serial:07d}",
                mission=mission,
                category_id=categories[key].pk,
                person_id=person,
                status="closed",
                opened_at=opened,
                channel="116000" if rng.random() < 0.7 else "police",
                reporter_kind="parent" if rng.random() < 0.6 else "institution",
            )
            if mission == "missing":
                case.worrying = rng.random() < 0.12
                case.last_seen_at = opened - timedelta(hours=rng.randrange(1, 48))
                if rng.random() < 0.97:
                    case.found_at = case.last_seen_at + timedelta(hours=rng.expovariate(1 / 60))
                    case.closed_at = max(case.found_at, opened) + timedelta(hours=2)
                    case.outcome = "found_safe"
                else:
                    case.status = "open"
            else:
                if key == "sextortion":
                    case.subkind_id = subkinds["financial" if rng.random() < 0.6 else "content"]
                case.closed_at = opened + timedelta(days=rng.randrange(1, 120))
                case.outcome = "help_completed"
            rows.append(case)
        created = Case.objects.bulk_create(rows, batch_size=BATCH)
        ExploitationFacts.objects.bulk_create(
            [
                ExploitationFacts(
                    case_id=c.pk,
                    victim_age=rng.randrange(10, 18),
                    in_institution=rng.random() < 0.2,
                    teen_pimp=rng.random() < 0.1,
                )
                for c in created
                if c.mission == "exploitation"
            ],
            batch_size=BATCH,
        )
        calls = []
        hours = rng.choices(range(24), HOUR_WEIGHTS, k=round(CALLS_2025 * scale * growth))
        channels = rng.choices([c for c, _n in CHANNELS], [n for _c, n in CHANNELS], k=len(hours))
        day0 = datetime(year, 1, 1, tzinfo=UTC)
        for hour, channel in zip(hours, channels, strict=True):
            at = day0 + timedelta(days=rng.randrange(365), hours=hour, seconds=rng.randrange(3600))
            calls.append(
                Call(
                    channel=channel,
                    started_at=at,
                    ended_at=at + timedelta(seconds=rng.randrange(30, 1800)),
                    language="nl" if rng.random() < 0.55 else "fr",
                    caller_kind="parent",
                    topic_kind="out_of_scope" if rng.random() < 0.5 else "internet_safety",
                )
            )
            if len(calls) == BATCH:
                Call.objects.bulk_create(calls)
                calls = []
        Call.objects.bulk_create(calls)
    return {"fill_s": time.perf_counter() - started}


def timed(function, runs: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def slowest_queries(function, top: int = 6) -> list[dict]:
    """The slowest queries of one call of `function` (SQL, parameters, seconds)."""
    from django.db import connection

    seen: list[dict] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append({"sql": sql, "params": params, "s": time.perf_counter() - started})

    with connection.execute_wrapper(wrapper):
        function()
    total = sum(q["s"] for q in seen)
    ordered = sorted(seen, key=lambda q: -q["s"])[:top]
    return [{"queries": len(seen), "total_s": total}] + [
        {"s": q["s"], "sql": q["sql"], "params": [str(p) for p in (q["params"] or [])]}
        for q in ordered
    ]


def explain(query: dict) -> str:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"], query["params"] or None)
            return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as error:  # noqa: BLE001
        # The captured parameters lose their types (a text where the query had a number):
        # no plan then, the timings stand.
        return f"(no plan: {type(error).__name__}: {str(error).splitlines()[0]})"


def child(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from beacon.cases.models import Case, Category
    from beacon.figures.catalogue import catalogue
    from beacon.figures.definitions import figures_for_year
    from beacon.figures.engine import Period, evaluate
    from beacon.line.models import Call
    from beacon.people.models import Person

    # manage.py of this checkout, not the installed `beacon` command: that one imports the
    # package it was installed from, which may be another checkout (another git worktree).
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True)
    if not Category.objects.exists():
        call_command("loaddata", "categories_be", verbosity=0)
    reused = args.reuse and Call.objects.exists()  # the database of an earlier --keep run
    filled = {"fill_s": 0.0} if reused else fill(args.scale)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def report() -> dict:
        return figures_for_year(YEAR)

    def year_with_comparison() -> tuple[dict, dict]:
        figures = catalogue()
        return (
            evaluate(figures.values(), Period.year(YEAR)),
            evaluate(figures.values(), Period.year(YEAR - 1)),
        )

    report_runs = timed(report, args.runs)
    catalogue_runs = timed(year_with_comparison, args.runs)
    report_queries = slowest_queries(report)
    catalogue_queries = slowest_queries(year_with_comparison)
    profile = cProfile.Profile()
    profile.runcall(report)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(8)
    plans = []
    if connection.vendor == "postgresql":
        for query in (report_queries[1], catalogue_queries[1]):
            plans.append(explain(query))
    without_jit = {}
    if connection.vendor == "postgresql":
        # The same, with PostgreSQL's JIT compilation off for the session (see the plans).
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        without_jit = {
            "report_runs_s": timed(report, args.runs),
            "catalogue_runs_s": timed(year_with_comparison, args.runs),
        }
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
    current, previous = year_with_comparison()
    whole = report()
    print(
        json.dumps(
            {
                "backend": connection.vendor,
                "server": connection.cursor().connection.__class__.__module__,
                "version": ".".join(map(str, connection.get_database_version())),
                "cases": Case.objects.count(),
                "cases_2025": Case.objects.filter(opened_at__year=YEAR).count(),
                "persons": Person.objects.count(),
                "calls": Call.objects.count(),
                "fill_s": filled["fill_s"],
                "report_runs_s": report_runs,
                "catalogue_runs_s": catalogue_runs,
                "figures": len(current),
                "report_queries": report_queries,
                "catalogue_queries": catalogue_queries,
                "plans": plans,
                "without_jit": without_jit,
                "profile": out.getvalue()[out.getvalue().find("ncalls") :],
                "sample": {
                    key: [previous[key], current[key]]
                    for key in (
                        "hotline_calls.116000_calls",
                        "hotline_calls.116000_calls_at_night_23h_to_7h",
                        "disappearances_new_cases.total",
                        "case_details.runaway.reports",
                        "case_details.runaway.children",
                        "case_details.runaway.children_repeat",
                        "case_details.runaway.children_repeat_pct",
                    )
                },
                "report_sextortion": whole[f"case_details_{YEAR}"]["sextortion"],
            },
            default=str,
        )
    )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def show_queries(queries: list[dict]) -> None:
    head, rest = queries[0], queries[1:]
    print(f"  {head['queries']} queries, {head['total_s']:.2f} s in the database; slowest:")
    for q in rest:
        sql = " ".join(q["sql"].split())
        print(f"  {q['s']:.3f} s  {sql[:300]}{' ...' if len(sql) > 300 else ''}")


def target_line(target: float, whole_report: list[float], year_with_comparison: list[float]) -> str:
    """The issue's target is all figures of a year with its comparison (the figures page); the
    whole report, with its ten-year tables, is measured against the same number for information."""
    met = "met" if p95(year_with_comparison) < target else "NOT met"
    report_too = "also under it" if p95(whole_report) < target else "over it"
    return (
        f"target, all figures of a year with comparison under {target:g} s (p95): {met}; "
        f"the whole report (ten-year tables): {report_too}"
    )


def report(result: dict, target: float) -> None:
    a, b = result["report_runs_s"], result["catalogue_runs_s"]
    print(
        f"== {result['backend']} {result['version']}: {result['cases']:,} cases "
        f"({result['cases_2025']:,} opened in {YEAR} UTC), {result['persons']:,} persons, "
        f"{result['calls']:,} calls (filled in {result['fill_s']:.0f} s)"
    )
    print(
        f"figures_for_year({YEAR}), the whole report: median {statistics.median(a):.3f} s, "
        f"p95 {p95(a):.3f} s over {len(a)} runs ({', '.join(f'{r:.3f}' for r in a)})"
    )
    print(
        f"evaluate(catalogue(), {YEAR}) + evaluate(catalogue(), {YEAR - 1}), "
        f"{result['figures']} figures: median {statistics.median(b):.3f} s, "
        f"p95 {p95(b):.3f} s over {len(b)} runs ({', '.join(f'{r:.3f}' for r in b)})"
    )
    print(
        f"ratio report / year-with-comparison (medians): "
        f"{statistics.median(a) / statistics.median(b):.2f}"
    )
    print(target_line(target, a, b))
    if result.get("without_jit"):
        c, d = result["without_jit"]["report_runs_s"], result["without_jit"]["catalogue_runs_s"]
        print("the same with SET jit = off:")
        print(
            f"  figures_for_year({YEAR}): median {statistics.median(c):.3f} s, "
            f"p95 {p95(c):.3f} s ({', '.join(f'{r:.3f}' for r in c)})"
        )
        print(
            f"  year with comparison: median {statistics.median(d):.3f} s, "
            f"p95 {p95(d):.3f} s ({', '.join(f'{r:.3f}' for r in d)})"
        )
        print("  " + target_line(target, c, d))
    print(f"sample ({YEAR - 1}, {YEAR}): {json.dumps(result['sample'])}")
    print(f"report's {YEAR} sextortion details: {json.dumps(result['report_sextortion'])}")
    print("figures_for_year:")
    show_queries(result["report_queries"])
    print("year with comparison:")
    show_queries(result["catalogue_queries"])
    print("figures_for_year, Python profile (cProfile, top functions by own time):")
    print("\n".join("  " + line for line in result["profile"].strip().splitlines()))
    for title, plan in zip(
        ("slowest query of the report", "slowest query of the year with comparison"),
        result["plans"],
        strict=False,
    ):
        print(f"EXPLAIN ANALYZE, {title}:")
        print("\n".join("  " + line for line in plan.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database an earlier run filled, without filling it again: PostgreSQL's "
        "(kept with --keep, not dropped), SQLite's in the BEACON_DATA_DIR given",
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(
        f"figures benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, scale {args.scale}x the 2025 volume, {FIRST}-{YEAR}"
    )
    for backend in args.backends.split(","):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "beacon.settings"}
        # --reuse on SQLite: the BEACON_DATA_DIR of an earlier run (its temporary folder is kept).
        reused_dir = os.environ.get("BEACON_DATA_DIR") if args.reuse else None
        env["BEACON_DATA_DIR"] = reused_dir or tempfile.mkdtemp(prefix="beacon-figures-")
        env["DATABASE_CONN_MAX_AGE"] = "0"
        url = os.environ.get("DATABASE_URL") or POSTGRES_URL
        if backend == "postgres":
            if not args.reuse:
                ensure_database(url)
            env["DATABASE_URL"] = url
        else:
            env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--child", backend, "--scale", str(args.scale)]
        command += ["--runs", str(args.runs)] + (["--reuse"] if args.reuse else [])
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if backend == "postgres" and not (args.keep or args.reuse):
            ensure_database(url, drop_only=True)
        if done.returncode != 0:
            print(f"== {backend}: failed\n{done.stderr[-3000:]}")
            continue
        report(
            json.loads(done.stdout.strip().splitlines()[-1]),
            1.0 if backend == "postgres" else 3.0,
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
