"""The notice feeds under polling load: conditional GETs (If-None-Match with the current ETag,
answered 304) against unconditional GETs (the full document), requests/s, median and p95.

    .venv/bin/python benchmarks/notice_feed.py                     # embedded SQLite (temporary)
    .venv/bin/python benchmarks/notice_feed.py --seconds 20 --notices 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon_bench_feed \\
        .venv/bin/python benchmarks/notice_feed.py

Target (issue 7): at least 2,000 conditional requests/s on one core (25,000 screens polling every
minute are ~420/s).

Beacon's real WSGI application (beacon.wsgi.application: the feed fast path in front of Django)
is served by waitress with the threads `beacon serve` uses, in its own process pinned to one core
(os.sched_setaffinity); the clients are other processes pinned to the other cores, each keeping
HTTP/1.1 keep-alive connections and timing every request. A second server process serves
Django's handler alone (no fast path) for the same conditional requests: what the fast path
saves. The database holds --notices published public notices on the feed channel (4 languages,
a feed photo each) and 5 withdrawn ones (their CAP Cancels). Without DATABASE_URL a fresh SQLite
database is made in a temporary directory and removed afterwards.
"""

import argparse
import io
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
SERVER_CORE = 0
WARM_UP_SECONDS = 2.0


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


# --- the server process --------------------------------------------------------------------


def serve(app: str, threads: int) -> None:
    """Run in its own process: one core, waitress, print the port, serve until killed."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {SERVER_CORE})
    import logging

    import django

    django.setup()
    # waitress warns of every queued request under load; the figures say it better.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    from waitress.server import create_server  # type: ignore[import-untyped]

    from beacon.wsgi import application, django_application

    server = create_server(
        application if app == "fast" else django_application,
        host="127.0.0.1",
        port=0,
        threads=threads,
    )
    print(server.effective_port, flush=True)
    server.run()


def start_server(app: str, threads: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(  # noqa: S603 - this script
        [sys.executable, __file__, "--serve", app, "--threads", str(threads)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.strip().isdigit():
        process.kill()
        raise SystemExit(f"the {app} server did not start")
    return process, int(line)


# --- the clients ---------------------------------------------------------------------------


class Connection:
    """A minimal HTTP/1.1 keep-alive client: one prepared request, the answer's status and
    body length (the client must cost far less than the server to measure the server)."""

    def __init__(self, port: int, request: bytes) -> None:
        self.port = port
        self.request = request
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.connects = 0

    def ask(self) -> tuple[int, int]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
            self.connects += 1
        self.sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(self.buffer) < length:
            chunk = self.sock.recv(max(65536, length - len(self.buffer)))
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        self.buffer = self.buffer[length:]
        if close:
            # waitress closes the connection after every 304 (it wants a Content-Length, and a
            # 304 may not have one): the next request opens a new one, inside its timing.
            self.sock.close()
            self.sock = None
        return status, length


def client_process(port, request, connections, seconds, expected, cores, results) -> None:
    """One client process: `connections` threads, each one keep-alive connection, asking
    `request` for `seconds` after a warm-up; every latency goes back through `results`."""
    import threading

    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"connects": 0, "requests": 0}
    start_at = time.monotonic() + WARM_UP_SECONDS
    stop_at = start_at + seconds

    def run() -> None:
        try:
            connection = Connection(port, request)
            mine: list[float] = []
            while True:
                begin = time.perf_counter()
                status, _length = connection.ask()
                elapsed = time.perf_counter() - begin
                if status != expected:
                    errors.append(f"status {status}, expected {expected}")
                    return
                now = time.monotonic()
                if now >= stop_at:
                    break
                if now >= start_at:
                    mine.append(elapsed)
                elif not mine:
                    connection.connects = 0  # count the measured requests' connections only
            latencies.extend(mine)
            counts["connects"] += connection.connects
            counts["requests"] += len(mine)
        except Exception as exc:  # reported by the parent
            errors.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, errors, counts))


def load(port, path, headers, expected, args) -> dict:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: beacon-bench\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    ).encode()
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    client_cores = (cpus - {SERVER_CORE}) or cpus
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(
            target=client_process,
            args=(port, request, args.connections, args.seconds, expected, client_cores, results),
        )
        for _ in range(args.clients)
    ]
    for process in processes:
        process.start()
    latencies: list[float] = []
    connects = 0
    for _ in processes:
        mine, errors, counts = results.get()
        if errors:
            raise SystemExit(f"{path}: {errors[0]}")
        latencies.extend(mine)
        connects += counts["connects"]
    for process in processes:
        process.join()
    return {
        "count": len(latencies),
        "per_second": len(latencies) / args.seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "new_connections": connects / max(1, len(latencies)),
    }


def report(label: str, figures: dict, size: int) -> None:
    print(
        f"{label:<52} {figures['per_second']:8.0f} req/s  median {figures['median_ms']:6.2f} ms"
        f"  p95 {figures['p95_ms']:6.2f} ms  ({figures['count']} requests, {size:,} body bytes, "
        f"{figures['new_connections']:.2f} new connections per request)"
    )


# --- data ----------------------------------------------------------------------------------


def synthetic_jpeg(n: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (800, 1000), (40 + n % 200, 120, 200 - n % 150))
    for x in range(0, 800, 50):
        for y in range(0, 1000, 50):
            image.putpixel((x, y), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def fill(count: int) -> None:
    """`count` published feed notices with a feed photo, and 5 withdrawn ones."""
    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from beacon.alerts.adapters.feed import FeedAdapter
    from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus
    from beacon.alerts.feedstate import feed_changed
    from beacon.alerts.models import NoticeChannel, NoticePhoto, SearchNotice
    from beacon.cases.services import case_open
    from beacon.core.models import Region

    regions = list(Region.objects.all())
    user = User.objects.create_user(
        username=f"bench-feed-{time.time_ns()}", email="bench-feed@example.org"
    )
    user.groups.add(Group.objects.get(name="case_manager"))
    now = timezone.now()
    languages = ["nl", "fr", "en", "de"]
    with transaction.atomic():
        for n in range(count + 5):
            case = case_open(
                actor=user,
                category="runaway",
                person_data={
                    "first_name": f"Child{n}",
                    "last_name": "Benchmark",
                    "gender": "female",
                },
                last_seen_at=now - timedelta(hours=n + 2),
                last_seen_place=f"Station {n}, Testville",
                region=regions[n % len(regions)].code,
                channel="116000",
                reporter_kind="parent",
            )
            withdrawn = n >= count
            notice = SearchNotice.objects.create(
                case=case,
                kind=NoticeKind.PUBLIC,
                status=NoticeStatus.WITHDRAWN if withdrawn else NoticeStatus.PUBLISHED,
                channels=[Channel.PAGE, Channel.FEED],
                languages=languages,
                display_name=f"Child{n}",
                age=8 + n % 10,
                description={
                    lang: f"[{lang}] 1.{50 + n % 40} m, blue jacket." for lang in languages
                },
                last_seen_at=now - timedelta(hours=n + 2),
                last_seen_place=f"Station {n}, Testville",
                region=regions[n % len(regions)],
                published_at=now - timedelta(hours=n + 1),
                updated_at=now - timedelta(hours=n + 1),
                withdrawn_at=now - timedelta(hours=1) if withdrawn else None,
            )
            NoticePhoto.objects.create(
                notice=notice, image=ContentFile(synthetic_jpeg(n), name="photo.jpg")
            )
            state = NoticeChannel.objects.create(
                notice=notice, channel=Channel.FEED, status="published"
            )
            if not withdrawn:
                FeedAdapter().publish(notice, state)
        feed_changed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per phase")
    parser.add_argument("--notices", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--connections", type=int, default=4, help="connections per client")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--serve", choices=["fast", "django"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.threads)
        return

    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = tempfile.mkdtemp(prefix="beacon-feed-bench-")
        os.environ["BEACON_DATA_DIR"] = temporary
    else:
        ensure_database(os.environ["DATABASE_URL"])
    try:
        run(args)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def run(args) -> None:
    import http.client

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    fill(args.notices)
    print(
        f"database: {connection.vendor}; {args.notices} published feed notices (4 languages, a "
        f"photo each) + 5 cancelled, filled in {time.perf_counter() - started:.1f} s; "
        f"waitress {args.threads} threads pinned to core {SERVER_CORE}; "
        f"{args.clients} client processes x {args.connections} keep-alive connections on the "
        f"other cores; {os.cpu_count()} CPUs; {args.seconds:.0f} s per phase; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    connections.close_all()  # the client processes are forked from this one

    def fetch(port: int, path: str, **headers: str) -> tuple[str, int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        return response.getheader("ETag") or "", len(body)

    json_path = "/missing/feeds/notices.json"
    index_path = "/missing/feeds/cap/"
    # waitress closes the connection after every 304; the unconditional phases ask for the same
    # (Connection: close), so that both pay one TCP connection per poll, as a screen polling
    # once a minute does anyway. One more phase keeps the connection: waitress at its best.
    close = {"Connection": "close"}
    gzip = {"Accept-Encoding": "gzip"}
    results = {}
    sizes = {}
    for app in ("fast", "django"):
        process, port = start_server(app, args.threads)
        try:
            json_etag, sizes["json"] = fetch(port, json_path)
            index_etag, sizes["index"] = fetch(port, index_path)
            _tag, sizes["json-gzip"] = fetch(port, json_path, **gzip)
            where = "beacon.wsgi (fast path)" if app == "fast" else "Django handler only"
            phases = [("conditional", json_path, {"If-None-Match": json_etag}, 304, 0)]
            if app == "fast":
                phases += [
                    ("conditional", index_path, {"If-None-Match": index_etag}, 304, 0),
                    ("unconditional", json_path, close, 200, sizes["json"]),
                    ("unconditional gzip", json_path, {**close, **gzip}, 200, sizes["json-gzip"]),
                    ("unconditional keep-alive", json_path, {}, 200, sizes["json"]),
                ]
            for kind, path, headers, expected, size in phases:
                label = f"{where}: {kind} GET {path}"
                results[(app, kind, path)] = figures = load(port, path, headers, expected, args)
                report(label, figures, size)
        finally:
            process.terminate()
            process.wait(timeout=10)
    fast = results[("fast", "conditional", json_path)]
    slow = results[("django", "conditional", json_path)]
    whole = results[("fast", "unconditional", json_path)]
    print(
        f"conditional JSON polls: fast path / Django alone "
        f"{fast['per_second'] / slow['per_second']:.2f}x; 304 / full 200 (both a connection per "
        f"poll) {fast['per_second'] / whole['per_second']:.2f}x; target 2,000/s on one core: "
        f"{'met' if fast['per_second'] >= 2000 else 'NOT met'}; "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    screens = 25_000
    print(
        f"25,000 screens polling every minute ({screens / 60:.0f}/s): "
        f"{screens / 60 / fast['per_second']:.0%} of the core with 304s; unconditional polls would "
        f"send {screens * sizes['json'] / 60 / 1e6:.1f} MB/s ({screens * sizes['json-gzip'] / 60 / 1e6:.1f}"
        f" MB/s gzipped) and use {screens / 60 / whole['per_second']:.0%} of the core"
    )


if __name__ == "__main__":
    main()
