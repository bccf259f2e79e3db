"""Issuing a year's tax certificates at the organisation's size: 40,000 donors and 400,000 gifts,
on SQLite (a fresh temporary database file) and on PostgreSQL. Run by hand; prints its figures.

    .venv/bin/python benchmarks/certificates.py [--donors 40000] [--gifts 400000] [--runs 3]
        [--backends sqlite,postgres] [--naive-sample 1000]

PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_certs), created if
missing, emptied and migrated. Each backend runs in its own process (Django is set up once per
process), which fills the database in bulk (synthetic donors: example.org addresses, generated
structured references and national register numbers with valid check digits, encrypted as the
app stores them; gifts of 2025 with some of 2024 and 2026, some refunded, in kind and legacies),
then times `issue_certificates(actor=fiona, year=2025)` (a final run: the year is over):
- a first issue (every certificate new), --runs times (the year's certificates and runs deleted
  between runs), median and p95 (with 3 runs p95 is the slowest);
- the idempotent re-run (every certificate unchanged);
- a re-run after 1% of the donors gave once more (correctives);
- peak memory of one first issue: tracemalloc's peak of Python allocations (a separate run,
  tracemalloc slows it), and the process's maximum RSS (getrusage).

The alternative, in the same run: the naive loop (one aggregate query per donor, one INSERT per
certificate) on --naive-sample donors, in a transaction rolled back, extrapolated to all donors.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bench_certs"
YEAR = 2025


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def national_number(serial: int) -> str:
    birth = date(1940, 1, 1) + timedelta(days=serial % 20000)
    base = f"{birth:%y%m%d}{serial % 997 + 1:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


def fill(donors: int, gifts: int) -> dict:
    from django.contrib.auth.models import Group, User
    from stdnum.be import ogm_vcs

    from beacon.funding import cleaning
    from beacon.funding.models import Donor, DonorKind, Gift, GiftMethod, GiftNature

    rng = random.Random(281071)
    started = time.perf_counter()
    fiona = User.objects.create_user(username="fiona", email="fiona@example.org")
    fiona.groups.add(Group.objects.get(name="finance"))
    rows = []
    for n in range(donors):
        person = n % 20 != 0
        encrypted, hint = (
            cleaning.encrypt_national_number(national_number(n)) if person else (None, "")
        )
        base = f"{n + 1:010d}"
        rows.append(
            Donor(
                kind=DonorKind.PERSON if person else DonorKind.ORGANISATION,
                first_name=f"First{n}" if person else "",
                last_name=f"Name{n % 9000}" if person else f"Company {n} NV",
                company_number="" if person else f"0{n:07d}{97 - int(f'0{n:07d}') % 97:02d}",
                street=f"Example street {n % 300 + 1}",
                postcode=f"{1000 + n % 8900}",
                city=f"Town {n % 581}",
                email=f"donor{n}@example.org",
                language=("nl", "fr", "de", "en")[n % 10 % 4 if n % 10 < 4 else n % 2],
                national_number_encrypted=encrypted,
                national_number_hint=hint,
                structured_reference=base + ogm_vcs.calc_check_digits(base),
            )
        )
    Donor.objects.bulk_create(rows, batch_size=2000)
    ids = list(Donor.objects.order_by("id").values_list("id", flat=True))
    # About one donor in ten gives little (under the minimum); the others ~10 gifts a year.
    small = set(rng.sample(ids, len(ids) // 10))
    first = date(YEAR, 1, 1)
    batch: list[Gift] = []
    for g in range(gifts):
        donor = ids[g % len(ids)] if g < len(ids) else rng.choice(ids)
        roll = rng.random()
        day = first + timedelta(days=rng.randrange(365))
        if roll < 0.04:
            day = day.replace(year=YEAR - 1)
        elif roll < 0.06:
            day = day.replace(year=YEAR + 1, month=1, day=min(day.day, 28))
        amount = Decimal(rng.choice(["5.00", "10.00", "15.00", "20.00", "25.00", "50.00"]))
        if donor in small:
            amount = Decimal("2.50")
        batch.append(
            Gift(
                donor_id=donor,
                received_on=day,
                amount=amount,
                method=GiftMethod.TRANSFER,
                nature=GiftNature.IN_KIND if roll > 0.99 else GiftNature.MONEY,
                legacy=0.985 < roll <= 0.986,
                refunded_on=day + timedelta(days=3) if 0.97 < roll <= 0.98 else None,
            )
        )
        if len(batch) == 10000:
            Gift.objects.bulk_create(batch)
            batch = []
    Gift.objects.bulk_create(batch)
    return {"fill_s": time.perf_counter() - started, "user": fiona.pk}


def reset_year() -> None:
    from django.db import transaction

    from beacon.funding.models import CertificateRun, TaxCertificate

    with transaction.atomic():
        # Correctives first: a certificate is protected by the one that corrects it.
        while TaxCertificate.objects.filter(year=YEAR).exists():
            TaxCertificate.objects.filter(year=YEAR, corrected_by__isnull=True).delete()
        CertificateRun.objects.filter(year=YEAR).delete()


def naive(sample: int, user) -> float:
    """The per-donor loop: one aggregate query per donor and one INSERT per certificate."""
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Count, Max, Sum

    from beacon.funding import cleaning
    from beacon.funding.models import CertificateRun, Donor, Gift, TaxCertificate

    deductible = cleaning.deductible_gifts_q(YEAR)
    started = time.perf_counter()
    with transaction.atomic():
        run = CertificateRun.objects.create(year=YEAR, status="done", started_by=user)
        number = TaxCertificate.objects.filter(year=YEAR).aggregate(n=Max("number"))["n"] or 0
        for donor in Donor.objects.order_by("id")[:sample]:
            totals = Gift.objects.filter(deductible, donor=donor).aggregate(
                total=Sum("amount"), n=Count("id")
            )
            if (totals["total"] or 0) >= settings.TAX_CERTIFICATE_MINIMUM_EUR:
                number += 1
                TaxCertificate.objects.create(
                    year=YEAR,
                    number=number,
                    run=run,
                    donor=donor,
                    donor_kind=donor.kind,
                    first_name=donor.first_name,
                    last_name=donor.last_name,
                    street=donor.street,
                    postcode=donor.postcode,
                    city=donor.city,
                    country=donor.country,
                    language=donor.language,
                    national_number_encrypted=donor.national_number_encrypted,
                    company_number=donor.company_number,
                    amount=totals["total"],
                    gift_count=totals["n"],
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def child(args) -> None:
    """One backend, in this process: fill, time, print one JSON line."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from beacon.funding.certificates import issue_certificates
    from beacon.funding.models import Donor, Gift, TaxCertificate

    call_command("migrate", verbosity=0)
    filled = fill(args.donors, args.gifts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fiona = User.objects.get(pk=filled["user"])
    first_runs = []
    for _ in range(args.runs):
        reset_year()
        started = time.perf_counter()
        run = issue_certificates(actor=fiona, year=YEAR)
        first_runs.append(time.perf_counter() - started)
    issued = run.issued
    started = time.perf_counter()
    rerun = issue_certificates(actor=fiona, year=YEAR)
    rerun_s = time.perf_counter() - started
    givers = list(Donor.objects.order_by("?").values_list("id", flat=True)[: args.donors // 100])
    Gift.objects.bulk_create(
        [
            Gift(donor_id=d, received_on=date(YEAR, 12, 30), amount=Decimal("60.00"), method="card")
            for d in givers
        ]
    )
    started = time.perf_counter()
    corrective = issue_certificates(actor=fiona, year=YEAR)
    corrective_s = time.perf_counter() - started
    certificates = TaxCertificate.objects.filter(year=YEAR).count()
    reset_year()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    issue_certificates(actor=fiona, year=YEAR)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    naive_s = naive(args.naive_sample, fiona)
    print(
        json.dumps(
            {
                "backend": connection.vendor,
                "server": connection.cursor().connection.__class__.__module__,
                "donors": Donor.objects.count(),
                "gifts": Gift.objects.count(),
                "fill_s": filled["fill_s"],
                "first_runs_s": first_runs,
                "issued": issued,
                "rerun_s": rerun_s,
                "rerun_unchanged": rerun.unchanged,
                "corrective_s": corrective_s,
                "corrected": corrective.corrected,
                "corrective_issued": corrective.issued,
                "certificates_after": certificates,
                "tracemalloc_peak_mib": peak / 2**20,
                "maxrss_mib_before": rss_before / 1024,
                "maxrss_mib_after": rss_after / 1024,
                "naive_sample": args.naive_sample,
                "naive_s": naive_s,
            }
        )
    )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(result: dict, donors: int) -> None:
    runs = result["first_runs_s"]
    naive_total = result["naive_s"] * donors / result["naive_sample"]
    median = statistics.median(runs)
    print(
        f"== {result['backend']}: {result['donors']:,} donors, {result['gifts']:,} gifts "
        f"(filled in {result['fill_s']:.1f} s)"
    )
    print(
        f"first issue, {result['issued']:,} certificates: median {median:.2f} s, "
        f"p95 {p95(runs):.2f} s over {len(runs)} runs "
        f"({', '.join(f'{r:.2f}' for r in runs)})"
    )
    print(f"idempotent re-run ({result['rerun_unchanged']:,} unchanged): {result['rerun_s']:.2f} s")
    print(
        f"re-run after 1% gave again ({result['corrected']:,} correctives, "
        f"{result['corrective_issued']:,} new): "
        f"{result['corrective_s']:.2f} s; {result['certificates_after']:,} certificates in all"
    )
    print(
        f"peak memory of a first issue: tracemalloc {result['tracemalloc_peak_mib']:.1f} MiB; "
        f"process max RSS {result['maxrss_mib_before']:.0f} MiB before, "
        f"{result['maxrss_mib_after']:.0f} MiB after"
    )
    print(
        f"naive per-donor loop: {result['naive_s']:.2f} s for {result['naive_sample']:,} donors "
        f"-> {naive_total:.0f} s extrapolated to {donors:,} ({naive_total / median:.1f}x the "
        f"aggregate run's median)"
    )
    print(f"target under 120 s: {'met' if p95(runs) < 120 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--donors", type=int, default=40000)
    parser.add_argument("--gifts", type=int, default=400000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(
        f"certificates benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for backend in args.backends.split(","):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "beacon.settings"}
        data = tempfile.mkdtemp(prefix="beacon-certs-")
        env["BEACON_DATA_DIR"] = data
        env["DATABASE_CONN_MAX_AGE"] = "0"
        if backend == "postgres":
            url = os.environ.get("DATABASE_URL") or POSTGRES_URL
            ensure_database(url)
            env["DATABASE_URL"] = url
        else:
            env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--child", backend]
        command += ["--donors", str(args.donors), "--gifts", str(args.gifts)]
        command += ["--runs", str(args.runs), "--naive-sample", str(args.naive_sample)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"== {backend}: failed\n{done.stderr[-3000:]}")
            continue
        report(json.loads(done.stdout.strip().splitlines()[-1]), args.donors)


if __name__ == "__main__":
    main()
