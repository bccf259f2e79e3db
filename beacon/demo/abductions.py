"""The 2021 taxonomy's case files as the 2021 report describes them: which files were still open
when a year began (carried over), which were closed in which year, the international parental
abductions' facts (children, abducting parent, destination, active role in the return) and the
undefined disappearances' kinds.

Like beacon.demo.plan, the numbers below are the *input* of the generator: how many files of
each kind to make so (the report's shape); beacon.figures.details_2021 then counts them from the
records. Run once, after the loader has written every year's cases (`settle_2021_taxonomy`): it
changes when files closed, sub-kinds and ages, and adds the abductions' facts; nothing is drawn
from the loader's random sequence, so the rest of the demo stays the same.

The years the report looks back on handled files opened before the demo's first year
(`EARLIER_YEARS`): the loader writes them (`DemoLoader.load_earlier`), before this module runs.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from beacon.cases.choices import CaseStatus, TimelineKind
from beacon.cases.models import AbductionFacts, Assessment, Case, SubKind, TimelineEntry
from beacon.demo import plan
from beacon.people.models import Person

IPA = "legacy_international_parental_abduction"
THIRD_PARTY = "legacy_abduction_by_third_party"

# Files opened before 2019 still handled in 2019-2021. Unaccompanied minors' files still open on
# 1 January 2020 and 2021 (the 2021 report: 359 handled in 2020, 99 of them new; 384 in 2021, 98
# new): the files of 2019 and 2020 open by then, and as many earlier ones as are missing.
EARLIER_YEARS = (2016, 2017, 2018)
UM_CARRIED_INTO = {2020: 260, 2021: 286}
# Effective abductions opened before 2019 and closed in 2019 or 2020, so that of the effective
# files handled 32% close in 2019 (61 + 36 of 303: 32.0%) and 39% in 2020 (54 + 77 of 336: 39.0%)
# while 205 are still open on 1 January 2021.
EARLIER_EFFECTIVE_CLOSED = {2019: 36, 2020: 77}

# Effective and preventive abduction files opened per year (the 2021 report: 71 and 68 of 139
# new in 2021; earlier years: chosen so that 205 effective and 26 preventive files are still
# open on 1 January 2021).
SUBKINDS = {
    2019: {"effective": 190, "preventive": 26},
    2020: {"effective": 130, "preventive": 25},
    2021: {"effective": 71, "preventive": 68},
}
# Files closed per year: (year opened, sub-kind) -> {year closed: files}. The 2021 report: 73
# effective files closed in 2021 of the 276 handled (26%); 2019: 61 of 190 (32.1% -> 32%).
# The files not listed here stay open until after 2021.
CLOSED = {
    (2019, "effective"): {2019: 61, 2020: 34, 2021: 40},
    (2020, "effective"): {2020: 20, 2021: 22},
    (2021, "effective"): {2021: 11},
    (2019, "preventive"): {2019: 13, 2020: 3},
    (2020, "preventive"): {2020: 9},
}
# Of the 73 effective files closed in 2021, those where the organisation played an active role
# in the return ("over 12%": 9 = 12.3%).
ACTIVE_ROLE_2021 = 9
# The 550 children of the 370 files handled in 2021: 262 girls, 282 boys, 6 unknown; 200 files
# with one child, 160 with two, 10 with three.
CHILDREN_2021 = {"girls": 262, "boys": 282, "gender_unknown": 6}
CHILDREN_PER_FILE_2021 = [1] * 200 + [2] * 160 + [3] * 10
# The abducting parent of the 71 effective files opened in 2021: mother 38 (53.5% -> 54%),
# father 32 (45.1% -> 45%), one unknown.
ABDUCTORS_2021 = ["mother"] * 38 + ["father"] * 32 + ["unknown"]
# Where the children of the 276 effective files handled in 2021 were taken: within the EU 179
# (64.9% -> 65%), of which 22 to Belgium (8.0%, inbound files); Africa 55 (19.9%, "almost
# 20%"), Asia 28 (10.1%), the Americas 14 (5.1%).
DESTINATIONS_2021 = {"eu": 179, "africa": 55, "asia": 28, "americas": 14}
TO_BELGIUM_2021 = 22
COUNTRIES = {
    "eu": ["FR", "NL", "ES", "DE", "RO", "PL", "IT"],
    "africa": ["MA", "DZ", "CD"],
    "asia": ["TR", "IN"],
    "americas": ["US", "BR"],
    "europe_other": ["GB"],
}
# Runaway and third-party files still open on 1 January 2021 (986 - 867 and 16 - 10 handled).
CARRIED_INTO_2021 = {"runaway": 119, THIRD_PARTY: 6}
# Undefined disappearances opened in 2021: 57 young adults, 8 (mostly young) lost children,
# 5 adults with limited self-reliance and 4 custody arrangements not respected ("other": an
# adult, a minor).
UNDEFINED_2021 = {"young_adult": 57, "lost_child": 8, "other_adult": 5, "other_minor": 4}
# Of them, young adults found deceased (the 2021 report: 3): closed files whose outcome is that.
FOUND_DECEASED_2021 = 3
# Children with more than one runaway file opened in 2021 (the 2021 report: 130). The loader's
# usual share makes a few more; the second file of as many children with two files as are too
# many is another child's (same age and circumstances), so the 867 reports stay.
RUNAWAY_REPEATERS_2021 = 130


def _zone():
    return timezone.get_default_timezone()


def _year_start(year: int) -> datetime:
    return datetime.combine(date(year, 1, 1), time(0), tzinfo=_zone())


class Settler:
    def __init__(self, seed: int = 2021) -> None:
        self.rng = random.Random(seed)
        self.closed_changed: list[Case] = []

    def moment_in(self, year: int, after: datetime) -> datetime:
        """A moment of local `year`, at least two days after `after` (and before 20 December,
        so the file's closing stays in the year)."""
        low = max(_year_start(year), after + timedelta(days=2))
        high = _year_start(year) + timedelta(days=353)
        assert low < high, (year, after)
        return low + timedelta(seconds=self.rng.randint(0, int((high - low).total_seconds())))

    def close(self, case: Case, at: datetime | None, *, keep_found: bool = False) -> None:
        """Close `case` at `at` (found two hours before, as the loader does, unless
        `keep_found`: a file followed up after the child was found), or keep it open (None).
        A closed file's `status` timeline entry follows (`write_closures`)."""
        if at is None:
            case.status, case.outcome = CaseStatus.OPEN, ""
            case.found_at = case.closed_at = None
        else:
            case.status, case.closed_at = CaseStatus.CLOSED, at
            case.outcome = case.outcome or self.rng.choice(["found_safe", "other"])
            if not keep_found:
                case.found_at = at - timedelta(hours=2)
        self.closed_changed.append(case)

    # --- international parental abductions -------------------------------------------------

    def plan_closures(
        self,
        year: int,
        files: list[Case],
        closing: dict[int, int],
        closed_in: dict[int, int | None],
    ) -> None:
        """The year each of `files` (opened in `year`) closes (None: after 2021), as `closing`
        says; those closed in the year they were opened are among the ones opened by November."""
        early = [c for c in files if c.opened_at < _year_start(year) + timedelta(days=330)]
        same_year = self.rng.sample(early, closing.get(year, 0))
        rest = [c for c in files if c not in same_year]
        self.rng.shuffle(rest)
        for case in same_year:
            closed_in[case.pk] = year
        for closing_year, count in closing.items():
            if closing_year != year:
                for case in rest[:count]:
                    closed_in[case.pk] = closing_year
                rest = rest[count:]
        for case in rest:
            closed_in[case.pk] = None

    def abductions(self) -> None:
        subkinds = {s.key: s for s in SubKind.objects.filter(category__key=IPA)}
        files = list(Case.objects.filter(category__key=IPA).order_by("opened_at", "pk"))
        by_year: dict[int, list[Case]] = {}
        for case in files:
            by_year.setdefault(timezone.localtime(case.opened_at, _zone()).year, []).append(case)
        closed_in: dict[int, int | None] = {}
        for year, planned in SUBKINDS.items():
            cases = by_year.get(year, [])
            kinds = [k for k, n in planned.items() for _ in range(n)]
            assert len(kinds) == len(cases), (year, len(cases))
            self.rng.shuffle(kinds)
            for case, kind in zip(cases, kinds, strict=True):
                case.subkind = subkinds[kind]
            for kind in planned:
                self.plan_closures(
                    year,
                    [c for c in cases if c.subkind == subkinds[kind]],
                    CLOSED.get((year, kind), {}),
                    closed_in,
                )
        active: set[int] = set()
        closed_2021 = [c for c in files if closed_in.get(c.pk) == 2021]
        active.update(c.pk for c in self.rng.sample(closed_2021, ACTIVE_ROLE_2021))
        for case in files:
            if case.pk not in closed_in:
                continue  # opened after 2021: as the loader made it
            closing = closed_in[case.pk]
            if closing is None:
                # Open until after 2021: closed some time later, or still open.
                later = self.rng.random() < 0.4
                self.close(
                    case,
                    self.moment_in(self.rng.choice([2022, 2023, 2024]), case.opened_at)
                    if later
                    else None,
                )
            else:
                self.close(case, self.moment_in(closing, case.opened_at))
        Case.objects.bulk_update(files, ["subkind"], batch_size=1000)
        self.abduction_facts(files, closed_in, active)

    def abduction_facts(
        self, files: list[Case], closed_in: dict[int, int | None], active: set[int]
    ) -> None:
        end_2021, start_2021 = _year_start(2022), _year_start(2021)
        handled = [
            c
            for c in files
            if c.opened_at < end_2021 and (c.closed_at is None or c.closed_at > start_2021)
        ]
        assert len(handled) == len(CHILDREN_PER_FILE_2021), len(handled)
        genders = [g for g, n in CHILDREN_2021.items() for _ in range(n)]
        self.rng.shuffle(genders)
        per_file = list(CHILDREN_PER_FILE_2021)
        self.rng.shuffle(per_file)
        children: dict[int, dict[str, int]] = {}
        for case, count in zip(handled, per_file, strict=True):
            taken, genders = genders[:count], genders[count:]
            children[case.pk] = {g: taken.count(g) for g in CHILDREN_2021}
        effective = [c for c in handled if c.subkind and c.subkind.key == "effective"]
        regions = [r for r, n in DESTINATIONS_2021.items() for _ in range(n)]
        assert len(regions) == len(effective), len(effective)
        self.rng.shuffle(regions)
        region = dict(zip([c.pk for c in effective], regions, strict=True))
        in_eu = [c for c in effective if region[c.pk] == "eu"]
        inbound = {c.pk for c in self.rng.sample(in_eu, TO_BELGIUM_2021)}
        new_effective = [c for c in effective if c.opened_at >= start_2021]
        abductors = list(ABDUCTORS_2021)
        self.rng.shuffle(abductors)
        abductor = dict(zip([c.pk for c in new_effective], abductors, strict=True))
        facts = []
        for case in files:
            if case.pk in region:
                case.direction = "inbound" if case.pk in inbound else "outbound"
            elif case.direction != "inbound":
                region[case.pk] = self.rng.choices(
                    ["eu", "africa", "asia", "americas", "europe_other"], [64, 20, 10, 5, 1]
                )[0]
            else:
                region[case.pk] = "eu"
            if case.direction == "outbound":
                case.countries = [self.rng.choice(COUNTRIES[region[case.pk]])]
            counts = children.get(case.pk)
            if counts is None:
                n = self.rng.choice([1, 1, 2, 2, 3])
                girls = sum(self.rng.random() < 0.48 for _ in range(n))
                counts = {"girls": girls, "boys": n - girls, "gender_unknown": 0}
            if case.pk in abductor:
                who = abductor[case.pk]
            else:
                who = self.rng.choices(["mother", "father", "unknown"], [54, 45, 1])[0]
            role = None
            if case.closed_at is not None:
                role = (
                    case.pk in active
                    if closed_in.get(case.pk) == 2021
                    else self.rng.random() < 0.12
                )
            facts.append(
                AbductionFacts(
                    case=case,
                    children=sum(counts.values()),
                    abductor=who,
                    destination_region=region[case.pk],
                    active_role_in_return=role,
                    **counts,
                )
            )
        Case.objects.bulk_update(files, ["direction", "countries"], batch_size=1000)
        AbductionFacts.objects.bulk_create(facts, batch_size=1000)

    # --- runaways and abductions by a third party: files carried into 2021 -----------------

    def carried_over(self) -> None:
        start = _year_start(2021)
        for category, wanted in CARRIED_INTO_2021.items():
            before = Case.objects.filter(category__key=category, opened_at__lt=start)
            already = before.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=start)).count()
            assert already <= wanted, (category, already, wanted)
            # The files closed last before 2021 stay open into it (followed up for longer).
            last = list(
                before.filter(closed_at__lte=start).order_by("-closed_at", "-pk")[
                    : wanted - already
                ]
            )
            for case in last:
                assert case.closed_at is not None
                later = timedelta(days=self.rng.randint(1, 40), minutes=self.rng.randint(0, 1439))
                self.close(case, start + later, keep_found=True)

    # --- undefined disappearances of 2021 --------------------------------------------------

    def undefined(self) -> None:
        start, end = _year_start(2021), _year_start(2022)
        subkinds = {s.key: s for s in SubKind.objects.filter(category__key="undefined_and_other")}
        cases = list(
            Case.objects.filter(
                category__key="undefined_and_other", opened_at__gte=start, opened_at__lt=end
            )
            .select_related("person", "subkind")
            .order_by("opened_at", "pk")
        )
        assert len(cases) == sum(UNDEFINED_2021.values()), len(cases)
        # Lost children keep theirs (under 13); the others are given a kind, the lost children
        # missing taken from the rest, the ones too many made older.
        lost = [c for c in cases if c.subkind and c.subkind.key == "lost_child"]
        rest = [c for c in cases if c not in lost]
        self.rng.shuffle(rest)
        wanted_lost = UNDEFINED_2021["lost_child"]
        extra_lost = lost[wanted_lost:]
        lost = lost[:wanted_lost]
        rest += extra_lost
        while len(lost) < wanted_lost:
            lost.append(rest.pop())
        plan = (
            ["young_adult"] * UNDEFINED_2021["young_adult"]
            + ["other_adult"] * UNDEFINED_2021["other_adult"]
            + ["other_minor"] * UNDEFINED_2021["other_minor"]
        )
        persons, assessments = [], []
        for case, kind in [(c, "lost_child") for c in lost] + list(zip(rest, plan, strict=True)):
            low, high = {
                "lost_child": (3, 12),
                "young_adult": (18, 24),
                "other_adult": (30, 60),
                "other_minor": (13, 17),
            }[kind]
            case.subkind = subkinds[kind.split("_")[0] if kind.startswith("other") else kind]
            age = case.age_at_disappearance
            if age is None or not low <= age <= high:
                self.set_age(case, self.rng.randint(low, high))
                persons.append(case.person)
            # Criterion 1 follows the age; a file that is no longer about a child under 13 keeps
            # its worrying flag through a judged criterion.
            assessment = case.assessments.get()
            under_13 = case.age_at_disappearance < 13  # type: ignore[operator]
            if assessment.under_13 != under_13:
                assessment.under_13 = under_13
                if case.worrying and not assessment.criteria_held():
                    assessment.abnormal_absence = True
                assessments.append(assessment)
            if (kind == "other_minor" or under_13) and not case.worrying:
                case.worrying = True
                assessment.abnormal_absence = assessment.is_worrying = True
                assessments.append(assessment)
        deceased = [
            c for c in cases if c.subkind == subkinds["young_adult"] and c.closed_at is not None
        ]
        for case in self.rng.sample(deceased, FOUND_DECEASED_2021):
            case.outcome = "found_deceased"
            self.closed_changed.append(case)
        Case.objects.bulk_update(cases, ["subkind", "worrying"])
        Person.objects.bulk_update(persons, ["date_of_birth"])
        Assessment.objects.bulk_update(
            set(assessments), ["under_13", "abnormal_absence", "is_worrying"]
        )

    # --- runaways who ran more than once in 2021 -------------------------------------------

    def runaway_repeaters(self) -> None:
        start, end = _year_start(2021), _year_start(2022)
        files = Case.objects.filter(
            category__key="runaway", opened_at__gte=start, opened_at__lt=end
        ).select_related("person")
        by_person: dict[int, list[Case]] = {}
        for case in files.order_by("opened_at", "pk"):
            by_person.setdefault(case.person_id, []).append(case)  # type: ignore[arg-type]
        repeaters = [cases for cases in by_person.values() if len(cases) > 1]
        extra = len(repeaters) - RUNAWAY_REPEATERS_2021
        assert extra >= 0, len(repeaters)
        twice = [cases for cases in repeaters if len(cases) == 2]
        moved = []
        for first, second in self.rng.sample(twice, extra):
            child = first.person
            other = Person(
                first_name=self.rng.choice(
                    plan.GIVEN_FEMALE if child.gender == "female" else plan.GIVEN_MALE
                ),
                last_name=self.rng.choice(plan.SURNAME_STARTS) + self.rng.choice(plan.SURNAME_ENDS),
                date_of_birth=child.date_of_birth,
                gender=child.gender,
                languages=child.languages,
                nationality=child.nationality,
                in_institution=child.in_institution,
                institution_name=child.institution_name,
            )
            other.refresh_search_names()
            other.save()
            second.person = other
            moved.append(second)
        Case.objects.bulk_update(moved, ["person"])

    def set_age(self, case: Case, age: int) -> None:
        """The person's birth date moved so that they were `age` on the day last seen."""
        assert case.last_seen_at is not None
        seen = timezone.localtime(case.last_seen_at, _zone()).date()
        born = case.person.date_of_birth or seen
        day = min(born.day, 28)
        candidate = date(seen.year - age, born.month, day)
        if (seen.month, seen.day) < (candidate.month, candidate.day):
            candidate = date(seen.year - age - 1, born.month, day)
        case.person.date_of_birth = candidate

    # --- writing --------------------------------------------------------------------------

    def write_closures(self) -> None:
        cases = {c.pk: c for c in self.closed_changed}
        Case.objects.bulk_update(
            list(cases.values()), ["status", "outcome", "found_at", "closed_at"], batch_size=1000
        )
        TimelineEntry.objects.filter(case__in=list(cases), kind=TimelineKind.STATUS).delete()
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    case=case,
                    at=case.closed_at,
                    kind=TimelineKind.STATUS,
                    author_id=case.assigned_to_id,
                    data={"status": "closed", "outcome": case.outcome},
                )
                for case in cases.values()
                if case.closed_at is not None
            ],
            batch_size=1000,
        )


def settle_2021_taxonomy() -> None:
    """Make the 2021 taxonomy's files what the 2021 report says (see the module's docstring);
    nothing when the load leaves out one of the years it plans (a partial load, in tests)."""
    if not set(SUBKINDS) <= set(plan.YEARS):
        return
    settler = Settler()
    settler.abductions()
    settler.carried_over()
    settler.undefined()
    settler.runaway_repeaters()
    settler.write_closures()
