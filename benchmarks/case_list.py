"""Case list and case detail at a million cases, on PostgreSQL. Run by hand; prints its figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon_bench \
        .venv/bin/python benchmarks/case_list.py --cases 1000000

Fills the database with server-side SQL (generate_series), reusing an earlier fill of the same
size (--refill to redo), then times the real code paths: the selectors the UI and API call, and
the UI pages through Django's test client. The alternative measured in the same run is the
classic OFFSET/LIMIT page with a COUNT(*) (what Django's Paginator does).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


FILL_PERSONS = """
INSERT INTO people_person (first_name, last_name, search_name, search_name_reversed, date_of_birth,
    gender, languages, nationality, photo, photo_thumbnail, in_institution, institution_name,
    created_at, updated_at, version)
SELECT 'First' || g, 'Name' || (g % 90000), 'name' || (g % 90000) || ' first' || g,
       'first' || g || ' name' || (g % 90000), date '2001-01-01' + (g % 8000),
       CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END, '["nl"]'::jsonb, 'BE', NULL, NULL,
       g % 3 = 0, '', now(), now(), 1
FROM generate_series(1, {persons}) AS g
"""

# Category mix like the reports: most cases are runaways.
FILL_CASES = """
WITH cats AS (SELECT array_agg(id ORDER BY position) AS ids FROM cases_category WHERE mission = 'missing'),
     regs AS (SELECT array_agg(id ORDER BY id) AS ids FROM core_region),
     mgrs AS (SELECT array_agg(id ORDER BY id) AS ids FROM auth_user WHERE username LIKE 'bench-cm-%'),
     ppl  AS (SELECT min(id) AS first FROM people_person)
INSERT INTO cases_case (number, mission, category_id, subkind_id, person_id, status, worrying, opened_at,
    last_seen_at, last_seen_place, region_id, channel, reporter_kind, reporter_contact, police_reference,
    summary, direction, countries, country_of_origin, assigned_to_id, outcome, found_at, closed_at,
    created_by_id, updated_at, version)
SELECT 'B-' || lpad(g::text, 8, '0'), 'missing',
       cats.ids[CASE WHEN g % 100 < 72 THEN 1 WHEN g % 100 < 80 THEN 4 WHEN g % 100 < 92 THEN 5
                     WHEN g % 100 < 99 THEN 6 ELSE 7 END],
       NULL, ppl.first + (g % {persons}), CASE WHEN g % 10 < 2 THEN 'open' ELSE 'closed' END, g % 5 = 0,
       t.opened, t.opened - interval '5 hours', 'Somewhere', regs.ids[1 + g % 11], '116000', 'parent',
       '', '', '', '', '[]'::jsonb, '', mgrs.ids[1 + g % 40],
       CASE WHEN g % 10 < 2 THEN '' ELSE 'returned' END,
       CASE WHEN g % 10 < 2 THEN NULL ELSE t.opened + interval '2 days' END,
       CASE WHEN g % 10 < 2 THEN NULL ELSE t.opened + interval '2 days' END,
       NULL, now(), 1
FROM generate_series(1, {cases}) AS g, cats, regs, mgrs, ppl,
     LATERAL (SELECT timestamptz '2015-01-01 00:00+00' + (g::float / {cases}) * interval '11 years'
                     + (random() * interval '3 days') AS opened) AS t
"""


def fill(cases: int, refill: bool) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from beacon.cases.models import Case

    call_command("migrate", verbosity=0)
    existing = Case.objects.count()
    if existing == cases and not refill:
        print(f"reusing {existing:,} cases")
        return
    started = time.perf_counter()
    group = Group.objects.get(name="case_manager")
    for index in range(40):
        user, _ = User.objects.get_or_create(username=f"bench-cm-{index:02d}")
        user.groups.add(group)
    persons = max(1, int(cases * 0.7))
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_timelineentry, cases_assessment, cases_case, people_person CASCADE"
        )
        # Whole numbers only are put into the SQL text; no parameters, so '%' stays an operator.
        cursor.execute(FILL_PERSONS.replace("{persons}", str(persons)))
        cursor.execute(FILL_CASES.replace("{persons}", str(persons)).replace("{cases}", str(cases)))
        cursor.execute("ANALYZE")
    print(f"filled {cases:,} cases, {persons:,} persons in {time.perf_counter() - started:.0f} s")


def timed(function, runs: int) -> list[float]:
    for _ in range(5):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (this benchmark is for PostgreSQL).")
    ensure_database(url)

    import django

    django.setup()
    from datetime import date

    from django.contrib.auth.models import User
    from django.core.paginator import Paginator
    from django.test import Client

    from beacon.cases import selectors
    from beacon.cases.models import Case, Category
    from beacon.core.models import Region

    fill(args.cases, args.refill)
    reader = User.objects.get(username="bench-cm-00")
    runaway = Category.objects.get(key="runaway").key
    region = Region.objects.get(code="BE-WLG").code
    filters = {
        "no filter": selectors.CaseFilters(),
        "category=runaway": selectors.CaseFilters(category=runaway),
        "open + worrying": selectors.CaseFilters(status="open", worrying=True),
        "province": selectors.CaseFilters(region=region),
        "assigned to one manager": selectors.CaseFilters(assigned_to=reader.pk),
        "opened in March 2020": selectors.CaseFilters(
            opened_from=date(2020, 3, 1), opened_to=date(2020, 3, 31)
        ),
        "name prefix 'name123'": selectors.CaseFilters(q="name123"),
        "unaccompanied, open, worrying": selectors.CaseFilters(
            category="unaccompanied_minor", status="open", worrying=True
        ),
    }
    rows = []

    def row(label, samples, alternative=None):
        median, p95 = summary(samples)
        ratio = ""
        if alternative is not None:
            alt_median, _alt_p95 = summary(alternative)
            ratio = f"{median / alt_median:.3f}"
        rows.append((label, median, p95, ratio))
        print(
            f"{label:58} median {median:8.2f} ms   p95 {p95:8.2f} ms   {('keyset/offset ' + ratio) if ratio else ''}"
        )

    print(
        f"\n== selectors.case_list, page 1 (25 rows), {args.runs} runs each; alternative: Paginator (COUNT + OFFSET)"
    )
    for label, case_filters in filters.items():
        keyset = timed(
            lambda f=case_filters: selectors.case_list(user=reader, filters=f), args.runs
        )
        queryset = selectors.case_queryset(user=reader, filters=case_filters).select_related(
            "category", "subkind", "person", "region", "assigned_to"
        )
        offset = timed(
            lambda q=queryset: list(Paginator(q, 25).get_page(1).object_list),
            max(20, args.runs // 5),
        )
        row(f"list {label}", keyset, offset)

    print("\n== deep pages: the 50th page by cursor vs page 2000 by OFFSET")
    cursors = []
    page = selectors.case_list(user=reader, filters=selectors.CaseFilters(category=runaway))
    for _ in range(49):
        cursors.append(page.next_cursor)
        page = selectors.case_list(
            user=reader, filters=selectors.CaseFilters(category=runaway), cursor=page.next_cursor
        )
    deep_cursor = cursors[-1]
    keyset = timed(
        lambda: selectors.case_list(
            user=reader, filters=selectors.CaseFilters(category=runaway), cursor=deep_cursor
        ),
        args.runs,
    )
    queryset = selectors.case_queryset(
        user=reader, filters=selectors.CaseFilters(category=runaway)
    ).select_related("category", "subkind", "person", "region", "assigned_to")
    offset = timed(
        lambda: list(Paginator(queryset, 25).get_page(2000).object_list), max(20, args.runs // 5)
    )
    row("list category=runaway, page 50 (cursor) vs page 2000 (offset)", keyset, offset)

    print("\n== case detail: selectors.case_get (includes its audit insert)")
    high = Case.objects.order_by("-id").values_list("id", flat=True).first()
    low = Case.objects.order_by("id").values_list("id", flat=True).first()
    rng = random.Random(1)
    row(
        "detail selectors.case_get",
        timed(lambda: selectors.case_get(user=reader, pk=rng.randint(low, high)), args.runs),
    )

    print("\n== through HTTP (Django test client, whole UI page render)")
    client = Client()
    client.force_login(reader)
    row(
        "GET /cases/?category=runaway",
        timed(lambda: client.get("/cases/", {"category": "runaway"}), args.runs),
    )
    row(
        "GET /cases/?status=open&worrying=yes&region=BE-WLG",
        timed(
            lambda: client.get("/cases/", {"status": "open", "worrying": "yes", "region": region}),
            args.runs,
        ),
    )
    row(
        "GET /cases/<pk>/",
        timed(lambda: client.get(f"/cases/{rng.randint(low, high)}/"), args.runs),
    )
    from beacon.core.services import token_create

    _token, secret = token_create(actor=None, user=reader, name="benchmark")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    row(
        "GET /api/v1/cases?category=runaway",
        timed(lambda: client.get("/api/v1/cases", {"category": "runaway"}, **auth), args.runs),
    )
    row(
        "GET /api/v1/cases/<pk>",
        timed(lambda: client.get(f"/api/v1/cases/{rng.randint(low, high)}", **auth), args.runs),
    )

    print(f"\n{Case.objects.count():,} cases. Target: p95 < 50 ms for list and detail.")
    worst = max(p95 for _label, _m, p95, _r in rows)
    print(f"worst p95: {worst:.2f} ms")


if __name__ == "__main__":
    main()
