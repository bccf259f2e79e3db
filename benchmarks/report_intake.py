"""Public report intake: reports per second through the form under waitress, and the same reports
filed by calling `report_submit` directly (the alternative measured in the same run).

    .venv/bin/python benchmarks/report_intake.py                    # embedded SQLite (temporary)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon_bench_intake \\
        .venv/bin/python benchmarks/report_intake.py

Beacon is served in-process by waitress on a free loopback port with the threads `beacon serve`
uses; the clients are plain HTTP/1.1 keep-alive connections (http.client) posting the form as a
browser does (each answer must be the 302 to the confirmation page). The rate limit is switched
off for the run (BEACON_HOTLINE_REPORT_RATE=off). Without DATABASE_URL a fresh SQLite database is
made in a temporary directory and removed afterwards; a PostgreSQL database is created if missing
and keeps its rows (every run's URLs are new: bench-<run>.example.org).

Each report names two URLs: one new, one of 50 shared ones (so items are both created and
counted again, as repeats are common). Every phase files --reports reports and stops.
"""

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
os.environ["BEACON_HOTLINE_REPORT_RATE"] = "off"
SHARED_URLS = 50
WARM_UP = 20


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(label: str, latencies: list[float], elapsed: float) -> dict:
    figures = {
        "label": label,
        "count": len(latencies),
        "per_second": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }
    print(
        f"{label:<38} {figures['count']:>5} reports {elapsed:7.2f} s "
        f"{figures['per_second']:8.1f} reports/s  median {figures['median_ms']:6.1f} ms  "
        f"p95 {figures['p95_ms']:6.1f} ms"
    )
    return figures


class Reports:
    """The form data of report n of this run: one new URL and one of the shared ones."""

    def __init__(self) -> None:
        self.run = secrets.token_hex(4)

    def urls(self, phase: str, n: int) -> list[str]:
        return [
            f"https://bench-{self.run}.example.org/{phase}/{n}?page=1",
            f"http://shared-{self.run}.example.org/item/{n % SHARED_URLS}",
        ]

    def form(self, phase: str, n: int) -> bytes:
        return urlencode(
            {
                "urls": "\n".join(self.urls(phase, n)),
                "where_seen": "social_media" if n % 3 else "web_page",
                "platform": "telegram" if n % 3 else "",
                "platform_other": "",
                "description": "Synthetic benchmark report" if n % 2 else "",
                "contact_email": "reporter@example.org" if n % 5 == 0 else "",
                "website": "",
            }
        ).encode()


def post_reports(port: int, reports: Reports, phase: str, numbers: list[int], out: list) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    for n in numbers:
        body = reports.form(phase, n)
        started = time.perf_counter()
        conn.request("POST", "/report/en/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 302:
            raise SystemExit(f"report {n} answered {response.status}, not 302")
        out.append(elapsed)
    conn.close()


def through_the_form(port: int, reports: Reports, phase: str, count: int, clients: int):
    latencies: list[float] = []
    shares = [list(range(i, count, clients)) for i in range(clients)]
    threads = [
        threading.Thread(target=post_reports, args=(port, reports, phase, share, latencies))
        for share in shares
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if len(latencies) != count:
        raise SystemExit(f"only {len(latencies)} of {count} reports were filed")
    return latencies, elapsed


def directly(reports: Reports, phase: str, count: int):
    from beacon.reports.intake import report_submit

    latencies = []
    started = time.perf_counter()
    for n in range(count):
        begin = time.perf_counter()
        report_submit(
            urls=reports.urls(phase, n),
            where_seen="social_media" if n % 3 else "web_page",
            platform_key="telegram" if n % 3 else "",
            description="Synthetic benchmark report" if n % 2 else "",
            contact_email="reporter@example.org" if n % 5 == 0 else "",
            language="en",
        )
        latencies.append(time.perf_counter() - begin)
    return latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=400, help="reports per phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (phase 2)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="keep database connections this many seconds (default: settings, DATABASE_CONN_MAX_AGE=60; 0: one per request)",
    )
    args = parser.parse_args()

    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = tempfile.mkdtemp(prefix="beacon-intake-bench-")
        os.environ["BEACON_DATA_DIR"] = temporary
    else:
        ensure_database(os.environ["DATABASE_URL"])
    try:
        run(args)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    if args.conn_max_age is not None:
        # The settings dict every thread's connection is made from (shared, mutated in place).
        connections.settings["default"]["CONN_MAX_AGE"] = args.conn_max_age
    from waitress.server import create_server  # type: ignore[import-untyped]

    from beacon.reports.models import Report, UrlItem
    from beacon.wsgi import application

    call_command("migrate", interactive=False, verbosity=0)
    engine = connection.vendor
    server_version = (
        connection.cursor().connection.info.server_version
        if engine == "postgresql"
        else __import__("sqlite3").sqlite_version
    )
    print(
        f"database: {engine} {server_version}; {args.reports} reports per phase, 2 URLs each "
        f"(one new, one of {SHARED_URLS} shared); waitress {args.threads} threads; "
        f"{os.cpu_count()} CPUs; CONN_MAX_AGE {connections.settings['default']['CONN_MAX_AGE']}"
    )
    server = create_server(application, host="127.0.0.1", port=0, threads=args.threads)
    port = server.effective_port
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    reports = Reports()
    before = Report.objects.count()
    try:
        through_the_form(port, reports, "warm", WARM_UP, 1)
        directly(reports, "warm-direct", WARM_UP)
        results = {
            "form1": summary(
                "form under waitress, 1 client",
                *through_the_form(port, reports, "form1", args.reports, 1),
            ),
            "direct": summary(
                "report_submit directly, 1 thread",
                *directly(reports, "direct", args.reports),
            ),
            "formN": summary(
                f"form under waitress, {args.clients} clients",
                *through_the_form(port, reports, "formN", args.reports, args.clients),
            ),
        }
    finally:
        server.task_dispatcher.shutdown()
        server.close()
    filed = Report.objects.count() - before
    expected = 2 * WARM_UP + 3 * args.reports
    shared = UrlItem.objects.filter(host=f"shared-{reports.run}.example.org")
    print(
        f"filed {filed} reports (expected {expected}); the {shared.count()} shared URLs "
        f"count {sum(shared.values_list('report_count', flat=True))} reports"
    )
    ratio = results["form1"]["median_ms"] / results["direct"]["median_ms"]
    print(
        f"ratio form / direct, median latency at 1 client: {ratio:.2f} "
        f"(the form adds {results['form1']['median_ms'] - results['direct']['median_ms']:.1f} ms:"
        f" HTTP, middleware, the redirect"
        f"{', a database connection per request' if not connections.settings['default']['CONN_MAX_AGE'] else ''})"
    )
    print(
        f"ratio form / direct, reports per second: "
        f"{results['form1']['per_second'] / results['direct']['per_second']:.2f} at 1 client, "
        f"{results['formN']['per_second'] / results['direct']['per_second']:.2f} "
        f"at {args.clients} clients"
    )


if __name__ == "__main__":
    main()
