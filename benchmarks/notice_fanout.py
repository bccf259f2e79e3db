"""Fan-out of one search notice, end to end, on the embedded default (SQLite, one worker process).
Run by hand; prints its figures.

    .venv/bin/python benchmarks/notice_fanout.py [--followers 13000] [--runs 3]

A fresh SQLite database in a temporary data directory holds the network of the issue: 400
volunteers in 59 municipalities, the community guards of those 59 municipalities (e-mail), 100
partners with a webhook (a local HTTP server) and 13,000 followers (a local SMTP server,
aiosmtpd). A notice is approved and published to page, feed, poster, volunteers, partners and
followers; one `db_worker` process (what `beacon serve` starts) does all the work. Timed: from the
publishing transaction to the last message accepted by the receivers, then the withdrawal of all
channels from its transaction to the last withdrawal message accepted.

The alternative, measured in the same run on the same receivers: the same follower e-mails
written and delivered one by one (`outbox_enqueue` + one `deliver_message` task each, the path
of part 3's notices) for a sample of --sample messages; messages/s of both are compared.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = tempfile.mkdtemp(prefix="beacon-fanout-")
os.environ["BEACON_DATA_DIR"] = DATA
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")


def _serve(smtp_port: int, http_port: int, smtp_count, http_count) -> None:
    """The receivers, in their own process (their work must not share the benchmark's GIL)."""
    import http.server
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with smtp_count.get_lock():
                smtp_count.value += 1
            return "250 OK"

    class Hook(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with http_count.get_lock():
                http_count.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return

    Controller(Handler(), hostname="127.0.0.1", port=smtp_port).start()
    web = http.server.ThreadingHTTPServer(("127.0.0.1", http_port), Hook)
    web.daemon_threads = True
    web.serve_forever()


class Counts:
    def __init__(self, smtp, http):
        self._smtp, self._http = smtp, http

    def __getitem__(self, name):
        return (self._smtp if name == "smtp" else self._http).value

    def keys(self):
        return ["smtp", "http"]


def receivers():
    import multiprocessing

    from beacon.core.tests.outbox_receivers import free_port

    smtp_port, http_port = free_port(), free_port()
    smtp_count, http_count = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    process = multiprocessing.Process(
        target=_serve, args=(smtp_port, http_port, smtp_count, http_count), daemon=True
    )
    process.start()
    time.sleep(1.5)
    return Counts(smtp_count, http_count), smtp_port, f"http://127.0.0.1:{http_port}/hook", process


def setup(smtp_port: int) -> None:
    os.environ["EMAIL_PORT"] = str(smtp_port)
    os.environ["OUTBOX_RETRY_BASE_SECONDS"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def network(hook_url: str, followers: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from beacon.core.models import Region
    from beacon.network.models import Follower, Municipality, Partner, PartnerKind, Volunteer

    region = Region.objects.get(code="BE-VAN")
    towns = Municipality.objects.bulk_create(
        [
            Municipality(code=f"B{i:04d}", names={"nl": f"Gemeente {i}"}, region=region)
            for i in range(59)
        ]
    )
    consent = timezone.now() - timedelta(days=10)
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                first_name=f"Vol{i}",
                last_name="Synthetic",
                email=f"vol{i}@example.org",
                region=region,
                municipality=towns[i % 59],
                roles=["posters"],
                languages=["nl"],
                consent_given_at=consent,
            )
            for i in range(400)
        ]
    )
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Guards {i}",
                kind=PartnerKind.COMMUNITY_GUARDS,
                region=region,
                municipality=towns[i],
                email=f"guards{i}@example.org",
            )
            for i in range(59)
        ]
        + [
            Partner(
                name=f"Hook {i}",
                kind=PartnerKind.CORPORATE,
                region=region,
                channel="webhook",
                webhook_url=f"{hook_url}/{i}",
            )
            for i in range(100)
        ]
    )
    Follower.objects.bulk_create(
        [
            Follower(group="running club", address=f"runner{i}@example.org")
            for i in range(followers)
        ],
        batch_size=1000,
    )


def approved_notice(channels):
    from datetime import timedelta

    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from beacon.alerts import services
    from beacon.cases.services import case_open
    from conftest import synthetic_photo

    def user(name, role):
        person, created = User.objects.get_or_create(username=name)
        if created:
            person.groups.add(Group.objects.get(name=role))
        return User.objects.get(pk=person.pk)

    manager, lead = user("carla", "case_manager"), user("tess", "team_lead")
    case = case_open(
        actor=manager,
        category="runaway",
        person_data={"first_name": "Lotte", "last_name": "Synthetic", "estimated_age": 15},
        last_seen_at=timezone.now() - timedelta(hours=5),
        last_seen_place="Station",
        region="BE-VAN",
        channel="116000",
        reporter_kind="parent",
    )
    notice = services.notice_prepare(
        actor=manager,
        case=case,
        channels=channels,
        languages=["nl", "fr", "en"],
        description={"nl": "Blauwe jas.", "fr": "Veste bleue.", "en": "Blue jacket."},
    )
    services.notice_photo_add(
        actor=manager,
        notice=notice,
        expected_version=notice.version,
        upload=SimpleUploadedFile("p.jpg", synthetic_photo()),
    )
    now = timezone.now()
    services.notice_agreement_record(
        actor=manager,
        notice=notice,
        expected_version=notice.version,
        authority_name="Federal police",
        agreed_by="Magistrate",
        agreed_at=now,
        parents_informed_at=now,
    )
    services.notice_submit(actor=manager, notice=notice, expected_version=notice.version)
    services.notice_approve(actor=lead, notice=notice, expected_version=notice.version)
    return notice, manager


def wait_until(condition, timeout=600.0, step=0.1) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("gave up waiting")
        time.sleep(step)
    return time.perf_counter()


def worker():
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--interval",
            "0.1",
        ],
        # Its log goes to a file: a pipe nobody reads fills up and stops the worker.
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=open(Path(DATA) / "worker.log", "w"),
    )


def fan_out(counts, expected_publication: int) -> dict:
    from beacon.alerts import services
    from beacon.alerts.choices import Channel, ChannelStatus
    from beacon.alerts.models import NoticeChannel
    from beacon.core.models import OutboxMessage, OutboxStatus

    channels = [
        Channel.PAGE,
        Channel.FEED,
        Channel.POSTER,
        Channel.VOLUNTEERS,
        Channel.PARTNERS,
        Channel.FOLLOWERS,
    ]
    notice, manager = approved_notice(channels)
    base = dict(counts)
    start = time.perf_counter()
    services.notice_publish(actor=manager, notice=notice, expected_version=notice.version)
    sent = lambda: counts["smtp"] + counts["http"] - base["smtp"] - base["http"]  # noqa: E731
    written = wait_until(
        lambda: (
            not NoticeChannel.objects.filter(notice=notice, status=ChannelStatus.PENDING).exists()
        )
    )
    done = wait_until(lambda: sent() >= expected_publication)
    published = time.perf_counter()
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
    base = dict(counts)
    notice.refresh_from_db()
    withdraw_start = time.perf_counter()
    services.notice_withdraw(actor=manager, notice=notice, reason="found")
    withdrawn = wait_until(lambda: sent() >= expected_publication)
    return {
        "publish_written_s": written - start,
        "publish_delivered_s": done - start,
        "withdraw_delivered_s": withdrawn - withdraw_start,
        "messages": expected_publication,
        "failed": failed,
        "_published": published,
    }


def one_by_one(counts, sample: int) -> float:
    from django.db import transaction

    from beacon.core.outbox import outbox_enqueue

    base = counts["smtp"]
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(sample):
            outbox_enqueue(
                channel="email",
                destination=f"single{i}@example.org",
                subject="Missing: Lotte, 15",
                body="...",
            )
    wait_until(lambda: counts["smtp"] - base >= sample, timeout=120)
    return sample / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=13000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1000)
    args = parser.parse_args()
    counts, smtp_port, hook_url, _servers = receivers()
    setup(smtp_port)
    print(f"data directory {DATA} (SQLite), SMTP :{smtp_port}, webhooks {hook_url}")
    network(hook_url, args.followers)
    expected = 400 + 59 + 100 + args.followers
    proc = worker()
    try:
        runs = []
        for run in range(args.runs):
            result = fan_out(counts, expected)
            runs.append(result)
            print(
                f"run {run + 1}: {expected} messages; channels written {result['publish_written_s']:.1f} s, "
                f"all delivered {result['publish_delivered_s']:.1f} s "
                f"({expected / result['publish_delivered_s']:.0f} msg/s); "
                f"withdrawal delivered to all {result['withdraw_delivered_s']:.1f} s; "
                f"failed {result['failed']}"
            )
        delivered = [r["publish_delivered_s"] for r in runs]
        withdrawn = [r["withdraw_delivered_s"] for r in runs]
        bulk_rate = statistics.median(expected / d for d in delivered)
        single_rate = one_by_one(counts, args.sample)
        print(
            f"fan-out to all, median {statistics.median(delivered):.1f} s, max {max(delivered):.1f} s "
            f"(target 60 s)"
        )
        print(
            f"withdrawal to all, median {statistics.median(withdrawn):.1f} s, max {max(withdrawn):.1f} s"
        )
        print(
            f"bulk path {bulk_rate:.0f} msg/s vs one by one {single_rate:.0f} msg/s "
            f"({args.sample} e-mails): ratio {bulk_rate / single_rate:.1f}x"
        )
    finally:
        proc.kill()
        proc.wait(10)
        err = (Path(DATA) / "worker.log").read_text()
        if "Traceback" in err:
            print(err[-3000:])


if __name__ == "__main__":
    main()
