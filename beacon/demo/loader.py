"""Generate the demo organisation's synthetic records (deterministic: seeded).

Everything is invented: names are built from lists of common given names and made-up surnames,
places are provinces, no record describes a real person. The loader writes the same rows the
services would (case, first assessment, timeline), in bulk and in one transaction: a crash leaves
nothing half-loaded, and a second run finds the load complete and changes nothing.
Disappearances first (here), then per year the exploitation cases (exploitation.py) and the
line's contacts (line.py), which refer to the year's cases.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from beacon.cases.choices import CRITERION_KEYS, CaseStatus, Mission, TimelineKind
from beacon.cases.models import (
    Assessment,
    Case,
    CaseNumberCounter,
    Category,
    ExploitationFacts,
    SubKind,
    SupportSession,
    TimelineEntry,
)
from beacon.core.audit import audit
from beacon.core.models import AuditAction, AuditRecord, Organisation, Region, Team
from beacon.demo import abductions, plan
from beacon.demo.abductions import settle_2021_taxonomy
from beacon.demo.campaigns import load_campaigns
from beacon.demo.exploitation import ExploitationDemo
from beacon.demo.line import CallLogDemo
from beacon.demo.matching import load_matching_demo
from beacon.demo.network import load_network
from beacon.demo.reports import load_hotline_demo
from beacon.demo.rows import insert_objects
from beacon.line.models import Call
from beacon.people.models import Person

SEED = 116000
# The load's own audit record doubles as its completion mark: it is written last, in the load's
# transaction, so it exists exactly when every demo record does.
LOAD_OBJECT_TYPE, LOAD_OBJECT_ID = "demo.load", "2019-2025"
# Repeat episodes of one child are at least this far apart, so each is over before the next.
MIN_DAYS_BETWEEN_EPISODES = 5
DEMO_USERS = {
    "demo-admin": "administrator",
    "demo-casemanager": "case_manager",
    "demo-responder": "first_responder",
    "demo-teamlead": "team_lead",
    "demo-analyst": "analyst",
    "demo-coordinator": "volunteer_coordinator",
    "demo-finance": "finance",
    "demo-statistics": "statistics_reader",
}
JUDGED_CRITERIA = [key for key in CRITERION_KEYS if key != "under_13"]
# The team lead's team: the case manager, to whom most exploitation cases go.
DEMO_TEAM = "Exploitation team (demo)"


@dataclass
class Child:
    gender: str
    first_name: str
    last_name: str
    born: date
    in_institution: bool = False
    institution: str = ""
    nationality: str = "BE"
    languages: list[str] = field(default_factory=list)
    person: Person | None = None


@dataclass
class Episode:
    category: str
    year: int
    child: Child
    subkind: str = ""
    opened_at: datetime | None = None
    last_seen_at: datetime | None = None
    found_at: datetime | None = None
    outcome: str = ""
    criteria: dict[str, bool] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def age(self) -> int:
        assert self.last_seen_at is not None
        return age_on(self.child.born, timezone.localtime(self.last_seen_at).date())


def age_on(born: date, day: date) -> int:
    """Whole years on `day` (Person.age_on's rule)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def older_by(born: date, years: int) -> date:
    """A birth date `years` earlier than `born`, so its child is `years` older on every day
    (younger for negative years; 29 February becomes 28 February in a common year)."""
    if not years:
        return born
    year = born.year - years
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = 28 if (born.month, born.day) == (2, 29) and not leap else born.day
    return born.replace(year=year, day=day)


class DemoLoader:
    def __init__(self, *, out=print):
        self.rng = random.Random(SEED)
        self.out = out
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.lost_children = 0

    # --- people -----------------------------------------------------------------------------------

    def surname(self) -> str:
        return self.rng.choice(plan.SURNAME_STARTS) + self.rng.choice(plan.SURNAME_ENDS)

    def child(self, *, girls_share: float, age: int, on: date) -> Child:
        gender = "female" if self.rng.random() < girls_share else "male"
        names = plan.GIVEN_FEMALE if gender == "female" else plan.GIVEN_MALE
        born = date(on.year - age, on.month, min(on.day, 28)) - timedelta(
            days=self.rng.randint(1, 360)
        )
        return Child(
            gender=gender,
            first_name=self.rng.choice(names),
            last_name=self.surname(),
            born=born,
            languages=[self.rng.choice(["nl", "nl", "fr", "fr", "de", "en"])],
        )

    def age_for(self, category: str, subkind: str) -> int:
        r = self.rng.random()
        if category == "runaway":
            return (
                self.rng.randint(10, 12)
                if r < 0.06
                else self.rng.randint(13, 15)
                if r < 0.65
                else self.rng.randint(16, 17)
            )
        if category == "unaccompanied_minor":
            return (
                self.rng.randint(11, 12)
                if r < 0.05
                else self.rng.randint(13, 15)
                if r < 0.40
                else self.rng.randint(16, 17)
            )
        if category in ("family_context", "legacy_international_parental_abduction"):
            return self.rng.randint(3, 12) if r < 0.15 else self.rng.randint(13, 17)
        if category == "abduction_outside_family":
            return self.rng.randint(5, 12)
        if category == "legacy_abduction_by_third_party":
            return self.rng.randint(4, 9) if r < 0.66 else self.rng.randint(13, 17)
        if subkind == "lost_child":
            # Half of the lost children are under 10 (the 2025 report: 3 of 6).
            self.lost_children += 1
            return self.rng.randint(3, 9) if self.lost_children % 2 else self.rng.randint(10, 12)
        if subkind == "young_adult":
            return self.rng.randint(18, 24)
        return self.rng.randint(13, 17)

    # --- episodes ---------------------------------------------------------------------------------

    def random_moment(self, year: int) -> datetime:
        day = date(year, 1, 1) + timedelta(days=self.rng.randint(0, 364 if year % 4 else 365))
        return self.at_random_time(day)

    def at_random_time(self, day: date) -> datetime:
        """A random minute of `day`, local time."""
        hour, minute = self.rng.randint(0, 23), self.rng.randint(0, 59)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def spaced_moments(self, year: int, count: int) -> list[datetime]:
        """`count` moments of a year, sorted, at least MIN_DAYS_BETWEEN_EPISODES apart."""
        days_in_year = 366 if year % 4 == 0 else 365
        gap = MIN_DAYS_BETWEEN_EPISODES
        starts = sorted(self.rng.sample(range(days_in_year - (count - 1) * gap), count))
        moments = []
        for index, start in enumerate(starts):
            day = date(year, 1, 1) + timedelta(days=start + index * gap)
            moments.append(self.at_random_time(day))
        return moments

    def subkinds_for(self, category: str, year: int, count: int) -> list[str]:
        if year == 2025 and category in plan.SUBKINDS_2025:
            kinds = [k for k, n in plan.SUBKINDS_2025[category].items() for _ in range(n)]
            self.rng.shuffle(kinds)
            return kinds
        if category == "undefined_and_other":
            return [
                self.rng.choices(["young_adult", "lost_child", "other"], [0.78, 0.1, 0.12])[0]
                for _ in range(count)
            ]
        if category == "legacy_international_parental_abduction":
            return [self.rng.choice(["effective", "effective", "preventive"]) for _ in range(count)]
        return [""] * count

    def episode_counts(self, category: str, year: int, reports: int) -> list[int]:
        """Episodes per child: singles, and repeaters with at least two."""
        if (category, year) in plan.REPEATS:
            children, repeaters = plan.REPEATS[(category, year)]
        elif category in plan.DEFAULT_REPEAT_RATIO:
            ratio, share = plan.DEFAULT_REPEAT_RATIO[category]
            children = round(reports / ratio)
            repeaters = round(children * share)
        else:
            return [1] * reports
        singles = children - repeaters
        extra = reports - singles - 2 * repeaters
        assert extra >= 0, (category, year)
        counts = [2] * repeaters
        # Skewed: a few children run away very often (up to 14 times a year, as reported).
        for _ in range(extra):
            index = min(int(self.rng.expovariate(1 / (repeaters / 4))), repeaters - 1)
            if counts[index] >= 14:
                index = self.rng.randrange(repeaters)
            counts[index] += 1
        return [1] * singles + counts

    def build_year(self, category: str, year: int, reports: int) -> list[Episode]:
        counts = self.episode_counts(category, year, reports)
        subkinds = self.subkinds_for(category, year, reports)
        girls = (
            0.55 if category == "runaway" else 0.15 if category == "unaccompanied_minor" else 0.5
        )
        episodes: list[Episode] = []
        children_in_order: list[tuple[Child, int]] = []
        for count in counts:
            subkind = subkinds[len(episodes)]
            moments = self.spaced_moments(year, count)
            kid = self.child(
                girls_share=girls, age=self.age_for(category, subkind), on=moments[0].date()
            )
            if category == "unaccompanied_minor":
                kid.nationality = self.rng.choice(plan.UM_ORIGINS)
                kid.languages = ["ar" if kid.nationality in ("MA", "DZ", "SY", "TN") else "en"]
            children_in_order.append((kid, count))
            for index, opened in enumerate(moments):
                episode = Episode(
                    category=category,
                    year=year,
                    child=kid,
                    subkind=subkinds[len(episodes)] if count == 1 else subkind,
                )
                episode.opened_at = opened
                # Reported between half an hour and a day and a half after last seen, and never
                # before the child's previous episode ended.
                episode.last_seen_at = opened - timedelta(minutes=self.rng.randint(30, 36 * 60))
                limit = (moments[index + 1] - timedelta(days=2)) if index + 1 < count else None
                episode.extra["limit"] = limit
                self.settle(episode, limit)
                episodes.append(episode)
        if (category, year) in plan.AGE_BANDS:
            self.place_in_age_bands(plan.AGE_BANDS[(category, year)], children_in_order, episodes)
        if category == "runaway":
            self.place_in_institutions(children_in_order)
            self.runaway_found_times(episodes)
        return episodes

    def place_in_age_bands(
        self,
        bands: list[tuple[int, int, int]],
        children: list[tuple[Child, int]],
        episodes: list[Episode],
    ) -> None:
        """Ages at disappearance in exact numbers of reports per band (plan.AGE_BANDS): each child
        goes to a band, the most frequent first, to the band that needs the most reports still;
        a child whose drawn age is outside their band is made older or younger by whole years,
        and a child with several episodes starts below the band's oldest age, so a birthday
        during the year keeps them in it. No random draw: the rest of the demo stays the same."""
        needed = [reports for reports, _youngest, _oldest in bands]
        assert sum(needed) == len(episodes), (bands, len(episodes))
        seen_days: dict[int, list[date]] = {}
        for episode in episodes:
            assert episode.last_seen_at is not None
            day = timezone.localtime(episode.last_seen_at, self.zone).date()
            seen_days.setdefault(id(episode.child), []).append(day)
        for kid, count in sorted(children, key=lambda item: -item[1]):
            index = max((i for i, n in enumerate(needed) if n >= count), key=lambda i: needed[i])
            needed[index] -= count
            _reports, youngest, oldest = bands[index]
            first = min(seen_days[id(kid)])
            age = age_on(kid.born, first)
            wanted = min(max(age, youngest), oldest - 1 if count > 1 else oldest)
            kid.born = older_by(kid.born, wanted - age)
            ages = [age_on(kid.born, day) for day in seen_days[id(kid)]]
            assert youngest <= min(ages) and max(ages) <= oldest, (kid, ages, bands[index])
        assert not any(needed), needed

    def runaway_found_times(self, episodes: list[Episode]) -> None:
        """Time until found, in exact shares of the year's runaways (the shape the 2025 report
        gives: 52% within 48 h, 75.5% within a week, 9% after more than a month). Long absences
        go only to episodes with room before the same child's next one."""
        total = len(episodes)
        counts = [round(total * share) for _bounds, share in plan.RUNAWAY_FOUND_AFTER]
        counts[0] += total - sum(counts)
        buckets = [
            bounds
            for (bounds, _share), n in zip(plan.RUNAWAY_FOUND_AFTER, counts, strict=True)
            for _ in range(n)
        ]
        self.rng.shuffle(buckets)

        def room(episode: Episode) -> float:
            limit = episode.extra["limit"]
            if limit is None:
                return float("inf")
            return (limit - episode.last_seen_at).total_seconds() / 3600

        free = [i for i, e in enumerate(episodes) if room(e) == float("inf")]
        for index, episode in enumerate(episodes):
            if buckets[index][1] <= room(episode):
                continue
            # Trade with an episode that has no later episode and a shorter absence.
            for other in free:
                if buckets[other][1] < buckets[index][1] and buckets[other][1] <= room(episode):
                    buckets[index], buckets[other] = buckets[other], buckets[index]
                    break
        for episode, (low, high) in zip(episodes, buckets, strict=True):
            assert episode.last_seen_at is not None
            hours = self.rng.uniform(low, min(high, room(episode)))
            episode.found_at = episode.last_seen_at + timedelta(hours=hours)

    def place_in_institutions(self, children: list[tuple[Child, int]]) -> None:
        """About 32% of runaway children live in an institution and, running more often, make
        about 52% of the reports: the most frequent runaways are placed first."""
        ordered = sorted(children, key=lambda item: -item[1])
        reports = sum(n for _, n in children)
        wanted_children = round(0.32 * len(children))
        singles = [c for c in ordered if c[1] == 1]
        best, best_gap = 0, None
        running = 0
        for k in range(0, min(wanted_children, len(ordered) - len(singles)) + 1):
            if k:
                running += ordered[k - 1][1]
            gap = abs(running + (wanted_children - k) - 0.52 * reports)
            if best_gap is None or gap < best_gap:
                best, best_gap = k, gap
        chosen = ordered[:best] + singles[: wanted_children - best]
        for kid, _count in chosen:
            kid.in_institution = True
            kid.institution = self.rng.choice(plan.INSTITUTIONS)

    def settle(self, episode: Episode, limit: datetime | None) -> None:
        """Outcome and time found, per category."""
        assert episode.last_seen_at is not None
        r = self.rng.random()
        category = episode.category
        hours: float | None
        if category == "runaway":
            bucket = self.rng.choices(
                plan.RUNAWAY_FOUND_AFTER, [w for _, w in plan.RUNAWAY_FOUND_AFTER]
            )[0][0]
            hours = self.rng.uniform(*bucket)
            episode.outcome = "returned" if r < 0.6 else "found_safe"
        elif category == "unaccompanied_minor":
            if r < 0.2:
                hours, episode.outcome = self.rng.uniform(24, 2000), "found_safe"
            else:
                hours = None  # never closed without news
        elif category in ("family_context", "legacy_international_parental_abduction"):
            if r < 0.3:
                hours, episode.outcome = (
                    self.rng.uniform(48, 4000),
                    self.rng.choice(["found_safe", "other"]),
                )
            else:
                hours = None
        elif category in ("abduction_outside_family", "legacy_abduction_by_third_party"):
            hours, episode.outcome = self.rng.uniform(1, 72), "found_safe"
        else:
            if r < 0.85:
                hours, episode.outcome = (
                    self.rng.uniform(2, 400),
                    self.rng.choice(["found_safe", "returned"]),
                )
            else:
                hours = None
        if hours is not None:
            found = episode.last_seen_at + timedelta(hours=hours)
            if limit is not None and found > limit:
                found = max(episode.last_seen_at + timedelta(hours=1), limit)
            episode.found_at = found

    def undefined_2025_outcomes(self, episodes: list[Episode]) -> None:
        """2025 undefined cases: 53 found or returned, 9 adults left voluntarily, 6 found dead,
        1 still missing (all but the lost children are young adults)."""
        adults = [e for e in episodes if e.subkind == "young_adult"]
        outcomes = (
            ["left_voluntarily"] * 9
            + ["found_deceased"] * 6
            + [""]
            + ["found_safe", "returned"] * 24
        )
        for episode, outcome in zip(adults, outcomes[: len(adults)], strict=True):
            episode.outcome = outcome
            assert episode.last_seen_at is not None
            episode.found_at = (
                None
                if not outcome
                else episode.last_seen_at + timedelta(hours=self.rng.uniform(3, 300))
            )
        for episode in episodes:
            if episode.subkind == "lost_child":
                episode.outcome = "found_safe"
                assert episode.last_seen_at is not None
                episode.found_at = episode.last_seen_at + timedelta(hours=self.rng.uniform(0.5, 6))

    def assess(self, year: int, episodes: list[Episode]) -> None:
        """Criterion 1 from the date of birth; judged criteria on as many more cases as the year's
        worrying total needs. If too many children are under 13, some single-episode children
        are made a little older (they are invented)."""
        target = plan.WORRYING[year]
        young = [e for e in episodes if e.age() < 13]
        movable = [
            e
            for e in young
            if e.category not in ("abduction_outside_family",)
            and e.subkind != "lost_child"
            and (e.category, e.year) not in plan.AGE_BANDS
            and sum(1 for x in episodes if x.child is e.child) == 1
        ]
        self.rng.shuffle(movable)
        while len(young) > target and movable:
            episode = movable.pop()
            episode.child.born -= timedelta(days=365 * 3)
            young.remove(episode)
        for episode in episodes:
            episode.criteria = {"under_13": episode.age() < 13}
        others = [e for e in episodes if not e.criteria["under_13"]]
        # Undefined disappearances are worrying by nature; then runaways and the rest.
        others.sort(key=lambda e: (e.category != "undefined_and_other", self.rng.random()))
        for episode in others[: target - len(young)]:
            episode.criteria[self.rng.choice(JUDGED_CRITERIA)] = True

    # --- writing ----------------------------------------------------------------------------------

    def users(self, password: str) -> dict[str, User]:
        users = {}
        # Every demo login shares the one printed password, so it is hashed once: the hasher is
        # deliberately slow, and seven hashes were a third of the load's time.
        hashed = make_password(password)
        for username, role in DEMO_USERS.items():
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.org",
                    "first_name": username.split("-")[1].title(),
                },
            )
            user.password = hashed
            user.is_active = True
            user.is_staff = role == "administrator"
            user.save(update_fields=["password", "is_active", "is_staff"])
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        return users

    def already_loaded(self) -> bool:
        return AuditRecord.objects.filter(
            object_type=LOAD_OBJECT_TYPE, object_id=LOAD_OBJECT_ID
        ).exists()

    def prefix(self) -> str:
        organisation = Organisation.objects.first()
        return organisation.case_number_prefix if organisation else "MC"

    @transaction.atomic
    def load(self, *, password: str) -> dict[str, User]:
        users = self.users(password)
        load_hotline_demo(users, out=self.out)
        load_matching_demo(users, out=self.out)
        if self.already_loaded():
            if self.refresh_today(users):
                self.out("Demo cases already loaded; today's calls added for the line's board.")
            else:
                self.out("Demo cases already loaded: nothing to add.")
            self.load_search_notices()
            self.load_around_missions()
            return users
        categories = {c.key: c for c in Category.objects.all()}
        subkinds = {(s.category.key, s.key): s for s in SubKind.objects.select_related("category")}
        regions = list(Region.objects.filter(code__in=plan.REGION_WEIGHTS))
        weights = [plan.REGION_WEIGHTS[r.code] for r in regions]
        # Mostly the case manager; the administrator (a senior case manager) takes some.
        managers = [users["demo-casemanager"]] * 4 + [users["demo-admin"]]
        channels = (
            ["116000"] * 70
            + ["police"] * 10
            + ["email"] * 8
            + ["chat"] * 5
            + ["international"] * 3
            + ["116800"] * 2
            + ["other"] * 2
        )
        prefix = self.prefix()
        for year in plan.YEARS:
            episodes: list[Episode] = []
            for category, per_year in plan.NEW_CASES.items():
                if year in per_year:
                    built = self.build_year(category, year, per_year[year])
                    if category == "undefined_and_other" and year == 2025:
                        self.undefined_2025_outcomes(built)
                    episodes.extend(built)
            self.assess(year, episodes)
            self.write_year(
                year, episodes, categories, subkinds, regions, weights, managers, channels, prefix
            )
            self.out(f"  {year}: {len(episodes)} cases")
        self.load_earlier(categories, subkinds, regions, weights, managers, channels, prefix)
        # The files opened before the first planned year are only those still open then: the
        # multi-year tables start with the first planned year.
        Organisation.objects.filter(figures_from_year__isnull=True).update(
            figures_from_year=min(plan.YEARS)
        )
        settle_2021_taxonomy()
        self.load_exploitation_and_calls(users)
        self.analyze()
        audit(
            actor=None,
            action=AuditAction.CREATE,
            fields=["cases", "persons", "assessments", "timeline", "calls"],
            object_type=LOAD_OBJECT_TYPE,
            object_id=LOAD_OBJECT_ID,
        )
        self.load_search_notices()
        self.load_around_missions()
        return users

    def load_earlier(self, *args) -> None:
        """The files opened before the first planned year that the 2021 report's years still
        handled (beacon.demo.abductions: `EARLIER_YEARS`): unaccompanied minors' files open into
        2020 and 2021, as many as the years planned leave missing, and effective abductions closed
        in 2019 and 2020. Reported otherwise than by a call to 116 000 (the call log starts in
        2019). Drawn from a random sequence of their own, so the rest of the demo stays the same;
        nothing on a partial load (in tests)."""
        if not set(abductions.SUBKINDS) <= set(plan.YEARS):
            return
        categories, subkinds, regions, weights, managers, channels, prefix = args
        no_call = [c for c in channels if c not in ("116000", "international")]
        main, self.rng = self.rng, random.Random(SEED - 1)
        try:
            episodes = self.earlier_unaccompanied() + self.earlier_abductions()
            for year in abductions.EARLIER_YEARS:
                of_year = [e for e in episodes if e.year == year]
                self.write_year(
                    year, of_year, categories, subkinds, regions, weights, managers, no_call, prefix
                )
                self.out(f"  {year}: {len(of_year)} cases still open in {plan.YEARS[0]}")
        finally:
            self.rng = main

    def earlier_episode(self, category: str, subkind: str, closed_in: int) -> Episode:
        """A file opened in one of the earlier years, found in `closed_in` (its closing two
        hours later stays in that year)."""
        year = self.rng.choice(abductions.EARLIER_YEARS)
        opened = self.random_moment(year)
        age = self.age_for(category, subkind)
        kid = self.child(
            girls_share=0.15 if category == "unaccompanied_minor" else 0.5,
            age=age,
            on=opened.date(),
        )
        if category == "unaccompanied_minor":
            kid.nationality = self.rng.choice(plan.UM_ORIGINS)
            kid.languages = ["ar" if kid.nationality in ("MA", "DZ", "SY", "TN") else "en"]
        episode = Episode(category=category, year=year, child=kid, subkind=subkind)
        episode.opened_at = opened
        episode.last_seen_at = opened - timedelta(minutes=self.rng.randint(30, 36 * 60))
        found = self.random_moment(closed_in)
        episode.found_at = min(found, datetime(closed_in, 12, 20, tzinfo=self.zone))
        episode.outcome = (
            "found_safe"
            if category == "unaccompanied_minor"
            else self.rng.choice(["found_safe", "other"])
        )
        episode.criteria = {"under_13": episode.age() < 13}
        return episode

    def earlier_unaccompanied(self) -> list[Episode]:
        """Unaccompanied minors' files still open on 1 January of the years
        `abductions.UM_CARRIED_INTO` names, besides those the planned years leave open: each
        is found in the last of those years it must be open into."""
        category = "unaccompanied_minor"
        files = Case.objects.filter(category__key=category)
        needed: dict[int, int] = {}
        for year, carried in abductions.UM_CARRIED_INTO.items():
            start = datetime(year, 1, 1, tzinfo=self.zone)
            already = (
                files.filter(opened_at__lt=start)
                .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=start))
                .count()
            )
            needed[year] = carried - already
        years = sorted(needed)
        assert all(n >= 0 for n in needed.values()), needed
        episodes = []
        for year in years:
            later = sum(needed[y] for y in years if y > year)
            assert needed[year] >= later, needed  # open into a year, open into the ones before
            episodes += [
                self.earlier_episode(category, "", year) for _ in range(needed[year] - later)
            ]
        return episodes

    def earlier_abductions(self) -> list[Episode]:
        return [
            self.earlier_episode("legacy_international_parental_abduction", "effective", year)
            for year, count in abductions.EARLIER_EFFECTIVE_CLOSED.items()
            for _ in range(count)
        ]

    def load_search_notices(self) -> None:
        """The network that spreads notices, then the campaigns on the demo's cases (each loads
        once; a demo loaded before they existed gets them on its next start)."""
        if load_network(out=self.out):
            self.out("  network: volunteers, partners, 13,000 followers")
        if load_campaigns(out=self.out):
            self.out("  search notices: campaigns 2019-2025")

    def load_around_missions(self) -> None:
        """Around both missions: the accounts' trial balances, donors with their gifts and
        certificates, prevention work (each loads once, like the network)."""
        from beacon.demo.accounts import load_accounts
        from beacon.demo.funding import load_funding
        from beacon.demo.prevention import load_prevention

        if load_accounts(out=self.out):
            self.out("  accounts: trial balances 2020, 2021, 2024, 2025")
        if load_funding(out=self.out):
            self.out("  funding: donors, gifts and certificates of 2021 and 2025")
        if load_prevention(out=self.out):
            self.out("  prevention: trainings, school sessions and stands")

    def analyze(self) -> None:
        """Fresh planner statistics for the tables just filled: after a bulk load there are
        none until autovacuum's next pass (never, where it is off), and PostgreSQL then plans
        joins with the call log as if it were a few hundred rows (a join of cases and their
        calls took 40 s instead of 0.1 s)."""
        models = (Person, Case, Assessment, TimelineEntry, ExploitationFacts, Call)
        tables = [model._meta.db_table for model in models]
        tables += [Case.linked_cases.through._meta.db_table, SupportSession._meta.db_table]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    def refresh_today(self, users: dict[str, User]) -> bool:
        """A demo loaded on an earlier day gets today's calls, so the board shows a working day
        (`beacon serve --demo` restarted the next morning); False when today has calls already."""
        from beacon.line.selectors import local_day_bounds

        start, end = local_day_bounds(timezone.localdate())
        if Call.objects.filter(started_at__gte=start, started_at__lt=end).exists():
            return False
        CallLogDemo(
            self.rng, responders=[users["demo-responder"], users["demo-admin"]]
        ).write_today()
        return True

    def load_exploitation_and_calls(self, users: dict[str, User]) -> None:
        """Exploitation cases and the line's contacts, year by year after the disappearances
        (prostitution victims are runaways of the demo; calls concern the year's cases)."""
        # Exploitation cases go to the case manager, who is in the team lead's team: the lead
        # may open them too (Case.objects.visible_to), and takes some of them.
        team, _created = Team.objects.get_or_create(
            name=DEMO_TEAM, defaults={"lead": users["demo-teamlead"]}
        )
        team.members.add(users["demo-casemanager"])
        managers = [users["demo-casemanager"]] * 5 + [users["demo-teamlead"]]
        exploitation = ExploitationDemo(self.rng, managers=managers, prefix=self.prefix())
        line = CallLogDemo(self.rng, responders=[users["demo-responder"], users["demo-admin"]])
        for year in plan.YEARS:
            cases = exploitation.write(year)
            calls = line.write(year)
            self.out(f"  {year}: {cases} exploitation cases, {calls} contacts on the line")
        line.write_today()

    def direction(self, episode: Episode) -> dict:
        """Family disappearances: most are international (81% in 2025), and more than a fifth
        of those come from abroad into the country; other family disappearances mostly stay
        within it."""
        domestic = episode.subkind == "other_family_disappearance" and self.rng.random() < 0.97
        if domestic:
            return {"direction": "domestic", "countries": []}
        inbound_share = 0.08 if episode.category.startswith("legacy_") else 0.24
        direction = "inbound" if self.rng.random() < inbound_share else "outbound"
        return {"direction": direction, "countries": [self.rng.choice(plan.ABDUCTION_COUNTRIES)]}

    def write_year(
        self, year, episodes, categories, subkinds, regions, weights, managers, channels, prefix
    ) -> None:
        children = {id(e.child): e.child for e in episodes}.values()
        people = []
        for kid in children:
            person = Person(
                first_name=kid.first_name,
                last_name=kid.last_name,
                date_of_birth=kid.born,
                gender=kid.gender,
                languages=kid.languages,
                nationality=kid.nationality,
                in_institution=kid.in_institution,
                institution_name=kid.institution,
            )
            person.refresh_search_names()
            kid.person = person
            people.append(person)
        Person.objects.bulk_create(people, batch_size=1000)
        episodes.sort(key=lambda e: e.opened_at)
        # Numbers continue after any already handed out for the year, and the counter moves on,
        # so cases opened later through case_open() never collide with demo numbers.
        counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
            prefix=prefix, year=year
        )
        first_number = counter.last + 1
        cases = []
        for number, episode in enumerate(episodes, start=first_number):
            category = categories[episode.category]
            closed = bool(episode.outcome)
            extra: dict = {}
            if "direction" in category.extra_fields:
                extra.update(self.direction(episode))
            if "country_of_origin" in category.extra_fields:
                extra["country_of_origin"] = episode.child.nationality
            assert episode.opened_at and episode.last_seen_at
            case = Case(
                number=f"{prefix}-{year}-{number:06d}",
                mission=Mission.MISSING,
                category=category,
                subkind=subkinds.get((episode.category, episode.subkind)),
                person=episode.child.person,
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                worrying=any(episode.criteria.values()),
                opened_at=episode.opened_at,
                last_seen_at=episode.last_seen_at,
                last_seen_place=self.rng.choice(
                    ["Home", "School", "Railway station", "Youth centre", "Park", "Shopping centre"]
                ),
                region=self.rng.choices(regions, weights)[0],
                channel="police"
                if episode.category == "unaccompanied_minor" and self.rng.random() < 0.5
                else self.rng.choice(channels),
                reporter_kind=(
                    "institution"
                    if episode.child.in_institution or episode.category == "unaccompanied_minor"
                    else "parent"
                ),
                assigned_to=self.rng.choice(managers),
                outcome=episode.outcome,
                found_at=episode.found_at,
                # A child can be found before the file is opened (reported late):
                # the file is closed two hours after whichever comes last.
                closed_at=(max(episode.found_at, episode.opened_at) + timedelta(hours=2))
                if closed and episode.found_at
                else None,
                **extra,
            )
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=1000)
        counter.last = first_number + len(cases) - 1
        counter.save(update_fields=["last"])
        assessments, timeline = [], []
        for case, episode in zip(cases, episodes, strict=True):
            criteria = {key: bool(episode.criteria.get(key)) for key in CRITERION_KEYS}
            assessments.append(
                Assessment(
                    case=case,
                    assessed_by=case.assigned_to,
                    assessed_at=case.opened_at,
                    is_worrying=case.worrying,
                    **criteria,
                )
            )
            timeline.append(
                TimelineEntry(
                    case=case,
                    at=case.opened_at,
                    kind=TimelineKind.OPENED,
                    author=case.assigned_to,
                    data={"category": episode.category},
                )
            )
            timeline.append(
                TimelineEntry(
                    case=case,
                    at=case.opened_at,
                    kind=TimelineKind.ASSESSMENT,
                    author=case.assigned_to,
                    data={
                        "worrying": case.worrying,
                        "criteria": [k for k, v in criteria.items() if v],
                    },
                )
            )
            if case.closed_at:
                timeline.append(
                    TimelineEntry(
                        case=case,
                        at=case.closed_at,
                        kind=TimelineKind.STATUS,
                        author=case.assigned_to,
                        data={"status": "closed", "outcome": case.outcome},
                    )
                )
        insert_objects(assessments)
        insert_objects(timeline)
