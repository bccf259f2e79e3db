"""Case list and case detail at a million cases, on PostgreSQL. Run by hand; prints its figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon_bench \
        .venv/bin/python benchmarks/case_list.py --cases 1000000

Fills the database with server-side SQL (generate_series), reusing an earlier fill of the same
size (--refill to redo), then times the real code paths: the selectors the UI and API call, and
the UI and API through Django's test client. The alternative measured in the same run is the
classic OFFSET/LIMIT page with a COUNT(*) (what Django's Paginator does), at page 1 and page 2000.
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

TARGET_MS = 50.0
DEEP_PAGES = 50
OFFSET_DEEP_PAGE = 2000
MANAGERS = 40
# The known slow case (a prefix matching more persons than selectors.NAME_MATCH_LIST_LIMIT whose
# cases are nearly all years old: the newest-first walk reads most of the index before it finds
# a page); timed fewer times to keep the run short.
SLOW = {"name prefix 'first3' (~111,000, old cases)"}
SLOW_RUNS = 20


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


# Synthetic names only: "First<n> Name<n mod 90000>", so about 8 persons share a last name and a
# prefix such as "name123" matches ~900 persons. search_name is "last first", the reversed one
# "first last", lower-case, as Person.refresh_search_names() writes them.
FILL_PERSONS = """
INSERT INTO people_person (first_name, last_name, search_name, search_name_reversed, date_of_birth,
    estimated_age, gender, languages, nationality, photo, photo_thumbnail, in_institution,
    institution_name, created_at, updated_at, version)
SELECT 'First' || g, 'Name' || (g % 90000), 'name' || (g % 90000) || ' first' || g,
       'first' || g || ' name' || (g % 90000), date '2001-01-01' + (g % 8000), NULL,
       CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END, '["nl"]'::jsonb, 'BE', '', '',
       g % 7 = 0, '', now(), now(), 1
FROM generate_series(1, {persons}) AS g
"""

# Cases arrive in time order (2015-2025, as in a real table); person n's first episode is case n,
# the first 30% of persons have a second one. Independent random draws (seeded) choose the rest:
# runaways ~72%, the 2025 categories only from 2025 and the legacy ones only before; ~5% still
# open; ~20% worrying; 11 provinces; 40 case managers (5% unassigned).
FILL_CASES = """
WITH cat AS (SELECT key, id FROM cases_category WHERE mission = 'missing'),
     sub AS (SELECT c.key, array_agg(s.id ORDER BY s.position, s.id) AS ids
             FROM cases_subkind s JOIN cases_category c ON c.id = s.category_id GROUP BY c.key),
     regs AS (SELECT array_agg(id ORDER BY id) AS ids FROM core_region),
     mgrs AS (SELECT array_agg(id ORDER BY id) AS ids FROM auth_user WHERE username LIKE 'bench-cm-%'),
     ppl AS (SELECT min(id) AS first FROM people_person),
     draws AS (
       SELECT g, random() AS r_cat, random() AS r_sub, random() AS r_status, random() AS r_worry,
              random() AS r_region, random() AS r_mgr, random() AS r_found,
              timestamptz '2015-01-01 00:00+00' + (g::float / {cases}) * interval '11 years'
                - random() * interval '2 days' AS opened
       FROM generate_series(1, {cases}) AS g),
     picked AS (
       SELECT d.*, CASE
         WHEN d.opened >= timestamptz '2025-01-01 00:00+00' THEN CASE
           WHEN r_cat < 0.70 THEN 'runaway' WHEN r_cat < 0.82 THEN 'family_context'
           WHEN r_cat < 0.83 THEN 'abduction_outside_family'
           WHEN r_cat < 0.92 THEN 'undefined_and_other' ELSE 'unaccompanied_minor' END
         ELSE CASE
           WHEN r_cat < 0.72 THEN 'runaway'
           WHEN r_cat < 0.83 THEN 'legacy_international_parental_abduction'
           WHEN r_cat < 0.84 THEN 'legacy_abduction_by_third_party'
           WHEN r_cat < 0.92 THEN 'undefined_and_other' ELSE 'unaccompanied_minor' END
         END AS cat_key,
         r_status < 0.05 AS is_open
       FROM draws d)
INSERT INTO cases_case (number, mission, category_id, subkind_id, person_id, status, worrying,
    opened_at, last_seen_at, last_seen_place, region_id, channel, reporter_kind, reporter_contact,
    police_reference, summary, direction, countries, country_of_origin, assigned_to_id, outcome,
    found_at, closed_at, created_by_id, updated_at, version)
SELECT 'B-' || lpad(p.g::text, 8, '0'), 'missing', cat.id,
       sub.ids[1 + floor(p.r_sub * cardinality(sub.ids))::int],
       ppl.first + ((p.g - 1) % {persons}),
       CASE WHEN p.is_open THEN 'open' ELSE 'closed' END, p.r_worry < 0.2,
       p.opened, p.opened - interval '6 hours', 'Somewhere in town',
       regs.ids[1 + floor(p.r_region * cardinality(regs.ids))::int],
       CASE WHEN p.g % 10 < 7 THEN '116000' WHEN p.g % 10 < 9 THEN 'police' ELSE 'email' END,
       CASE WHEN p.g % 3 = 0 THEN 'institution' ELSE 'parent' END, '', '', '', '', '[]'::jsonb, '',
       CASE WHEN p.r_mgr < 0.05 THEN NULL
            ELSE mgrs.ids[1 + floor((p.r_mgr - 0.05) / 0.95 * cardinality(mgrs.ids))::int] END,
       CASE WHEN p.is_open THEN '' WHEN p.r_found < 0.6 THEN 'returned' ELSE 'found_safe' END,
       CASE WHEN p.is_open THEN NULL ELSE p.opened + p.r_found * interval '10 days' END,
       CASE WHEN p.is_open THEN NULL ELSE p.opened + p.r_found * interval '10 days' + interval '2 hours' END,
       NULL, now(), 1
FROM picked p JOIN cat ON cat.key = p.cat_key LEFT JOIN sub ON sub.key = p.cat_key
     CROSS JOIN regs CROSS JOIN mgrs CROSS JOIN ppl
"""


def fill(cases: int, refill: bool) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from beacon.cases.models import Case

    call_command("migrate", verbosity=0)
    existing = Case.objects.count()
    if existing == cases and not refill:
        print(f"reusing the fill: {existing:,} cases")
        return
    started = time.perf_counter()
    group = Group.objects.get(name="case_manager")
    for index in range(MANAGERS):
        user, _ = User.objects.get_or_create(username=f"bench-cm-{index:02d}")
        user.groups.add(group)
    persons = max(1, int(cases * 0.7))
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_timelineentry, cases_assessment, cases_case, people_person CASCADE"
        )
        cursor.execute("SELECT setseed(0.2026)")
        # Only whole numbers go into the SQL text; with no parameters '%' stays an operator.
        cursor.execute(FILL_PERSONS.replace("{persons}", str(persons)))
        cursor.execute(FILL_CASES.replace("{persons}", str(persons)).replace("{cases}", str(cases)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_person")
        cursor.execute("VACUUM ANALYZE cases_case")
    print(f"filled {cases:,} cases, {persons:,} persons in {time.perf_counter() - started:.0f} s")


def timed(function, runs: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200, help="timed runs per keyset measurement")
    parser.add_argument(
        "--offset-runs", type=int, default=40, help="timed runs per OFFSET/COUNT measurement"
    )
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
    from django.db import connection

    from beacon.cases import selectors
    from beacon.cases.models import Case

    fill(args.cases, args.refill)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"{version}; {Case.objects.count():,} cases; {os.cpu_count()} cores; "
        f"{args.runs} runs per keyset figure, {args.offset_runs} per OFFSET figure, after warm-up"
    )
    reader = User.objects.get(username="bench-cm-00")
    reader.has_perm("cases.view_missing_case")  # loads the permission cache, as a request would
    rows: list[tuple] = []

    def report(label, samples, alt=None, alt_label=""):
        median, p95 = median_p95(samples)
        line = f"{label:52} median {median:7.2f} ms  p95 {p95:7.2f} ms"
        alt_median = alt_p95 = ratio = None
        if alt is not None:
            alt_median, alt_p95 = median_p95(alt)
            ratio = median / alt_median
            line += (
                f"  | {alt_label:18} median {alt_median:8.2f} ms  p95 {alt_p95:8.2f} ms"
                f"  | keyset/offset {ratio:.3f}"
            )
        print(line, flush=True)
        rows.append((label, median, p95, alt_label, alt_median, alt_p95, ratio))

    filters = {
        "no filter": selectors.CaseFilters(),
        "category=runaway": selectors.CaseFilters(category="runaway"),
        "status=open + worrying": selectors.CaseFilters(status="open", worrying=True),
        "region=BE-WLG": selectors.CaseFilters(region="BE-WLG"),
        "assigned_to=one manager": selectors.CaseFilters(assigned_to=reader.pk),
        "opened 2020-03-01..2020-03-31": selectors.CaseFilters(
            opened_from=date(2020, 3, 1), opened_to=date(2020, 3, 31)
        ),
        "name 'name12345 first12345' (1 person)": selectors.CaseFilters(q="Name12345 First12345"),
        "name prefix 'name123' (~900 persons)": selectors.CaseFilters(q="name123"),
        "name prefix 'first301' (~1,100, old cases)": selectors.CaseFilters(q="first301"),
        "name prefix 'name12' (~8,600 persons)": selectors.CaseFilters(q="name12"),
        "name prefix 'name1' (broad, ~86,000 persons)": selectors.CaseFilters(q="name1"),
        "name prefix 'first30' (~11,000, old cases)": selectors.CaseFilters(q="first30"),
        "name prefix 'first3' (~111,000, old cases)": selectors.CaseFilters(q="first3"),
        "unaccompanied + open + worrying": selectors.CaseFilters(
            category="unaccompanied_minor", status="open", worrying=True
        ),
    }

    print(
        "\n== selectors.case_list (25 rows) vs Paginator(queryset, 25).get_page(n) "
        "(COUNT(*) + OFFSET/LIMIT)"
    )
    for name, case_filters in filters.items():
        runs = min(args.runs, SLOW_RUNS) if name in SLOW else args.runs
        offset_runs = min(args.offset_runs, SLOW_RUNS) if name in SLOW else args.offset_runs
        first = timed(lambda f=case_filters: selectors.case_list(user=reader, filters=f), runs)

        def paginated(number, f=case_filters):
            # Built per call, as per request: a name search resolves its persons when built.
            queryset = selectors.case_queryset(user=reader, filters=f).select_related(
                "category", "subkind", "person", "region", "assigned_to"
            )
            return Paginator(queryset, 25).get_page(number)

        offset_first = timed(lambda: list(paginated(1).object_list), offset_runs)
        report(f"{name}, page 1", first, offset_first, "offset page 1")

        page, depth, cursor = selectors.case_list(user=reader, filters=case_filters), 1, ""
        while depth < DEEP_PAGES and page.next_cursor:
            cursor = page.next_cursor
            page = selectors.case_list(user=reader, filters=case_filters, cursor=cursor)
            depth += 1
        if depth < DEEP_PAGES:
            print(f"    ({name}: only {depth} pages, so the deep figures are at the last page)")
        deep = timed(
            lambda f=case_filters, c=cursor: selectors.case_list(user=reader, filters=f, cursor=c),
            runs,
        )
        deep_page = paginated(OFFSET_DEEP_PAGE).number
        offset_deep = timed(
            lambda: list(paginated(OFFSET_DEEP_PAGE).object_list), offset_runs, warmup=2
        )
        report(f"{name}, page {depth} (cursor)", deep, offset_deep, f"offset page {deep_page}")

    print("\n== case detail: selectors.case_get on random ids (includes its audit insert)")
    low = Case.objects.order_by("id").values_list("id", flat=True).first()
    high = Case.objects.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(1)
    report(
        "selectors.case_get",
        timed(lambda: selectors.case_get(user=reader, pk=rng.randint(low, high)), args.runs),
        timed(
            lambda: selectors.case_get(user=reader, pk=rng.randint(low, high), audited=False),
            args.runs,
        ),
        "without the audit",
    )

    print("\n== through HTTP (django.test.Client: middleware, view or endpoint, template/JSON)")
    from django.test import Client

    client = Client()
    client.force_login(reader)
    token_headers = {}
    try:
        from beacon.core.services import token_create

        _token, secret = token_create(actor=reader, user=reader, name="benchmark")
        token_headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    except ImportError:
        pass
    some_pk = rng.randint(low, high)
    http = [
        ("GET /cases/", lambda: client.get("/cases/"), "/cases/", {}),
        (
            "GET /cases/?category=runaway",
            lambda: client.get("/cases/", {"category": "runaway"}),
            "/cases/",
            {},
        ),
        (
            "GET /cases/?status=open&worrying=yes&region=",
            lambda: client.get(
                "/cases/", {"status": "open", "worrying": "yes", "region": "BE-WLG"}
            ),
            "/cases/",
            {},
        ),
        ("GET /cases/?q=name123", lambda: client.get("/cases/", {"q": "name123"}), "/cases/", {}),
        (
            "GET /cases/<pk>/",
            lambda: client.get(f"/cases/{rng.randint(low, high)}/"),
            f"/cases/{some_pk}/",
            {},
        ),
        (
            "GET /api/v1/cases?category=runaway",
            lambda: client.get("/api/v1/cases", {"category": "runaway"}, **token_headers),
            "/api/v1/cases",
            token_headers,
        ),
        (
            "GET /api/v1/cases/<pk>",
            lambda: client.get(f"/api/v1/cases/{rng.randint(low, high)}", **token_headers),
            f"/api/v1/cases/{some_pk}",
            token_headers,
        ),
    ]
    for label, call, probe, headers in http:
        try:
            status = client.get(probe, **headers).status_code
        except Exception as error:  # noqa: BLE001 - a tree being edited must not lose the run
            print(f"{label:52} skipped: {probe} raised {type(error).__name__}: {error}")
            continue
        if status != 200:
            print(f"{label:52} skipped: {probe} answered {status}")
            continue
        report(label, timed(call, args.runs))

    print(f"\n== summary ({Case.objects.count():,} cases; target p95 < {TARGET_MS:.0f} ms)")
    print(
        f"{'measurement':52} {'median':>8} {'p95':>8}   {'alternative':18} {'median':>8} "
        f"{'p95':>8} {'ratio':>7}"
    )
    for label, median, p95, alt_label, alt_median, alt_p95, ratio in rows:
        flag = "" if p95 < TARGET_MS else "  <- over target"
        alt = (
            f"{alt_label:18} {alt_median:8.2f} {alt_p95:8.2f} {ratio:7.3f}"
            if alt_median is not None
            else ""
        )
        print(f"{label:52} {median:8.2f} {p95:8.2f}   {alt}{flag}")
    worst = max(rows, key=lambda row: row[2])
    print(f"worst p95: {worst[2]:.2f} ms ({worst[0]})")


if __name__ == "__main__":
    main()
