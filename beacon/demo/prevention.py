"""The demo organisation's prevention work (deterministic: seeded), sized as the annual reports
say (shared/reference/published-figures.json, "prevention", and the network's school and stand
volunteers):

- 2025: 88 trainings for professionals (4 'GPS' trainings and 6 '#FlashTag' trainings for
  youth-care staff, 20 for police, 12 iCoach trainings for teachers, 46 Academy modules for
  other professionals) and 216 "Safe online" trainings for parents; 611 MAX 24/7 school
  sessions reaching 13,480 children, run by the network's school-workshop volunteers; 73 stands
  at events reaching 10,050 children, staffed by the stand volunteers;
- 2021: 17 police trainings, 7 iCoach and 12 Academy trainings reaching 700 professionals in
  all; 140 trainings for parents reaching 5,600 parents; 333 school sessions reaching 6,500
  children;
- a few tools handed out in both years.

Volunteers are the demo network's (beacon.demo.network: load it first), chosen among those with
the role and in the network on the day; municipalities are the reference list's. Names of
trainers are invented. Everything is written in one transaction; a second run finds its mark
and changes nothing.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from beacon.demo import plan
from beacon.network.models import Municipality, Volunteer, VolunteerRole
from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training

SEED = 116_900
MARK_RECIPIENT = "Prevention demo: youth-care facilities"
SUMMER = (7, 8)

# (year, audience, module, trainings); per year the participants of the trainings other than
# parents' add up to PROFESSIONALS_REACHED (when given), the parents' to PARENTS_REACHED.
TRAININGS = [
    (2025, Audience.YOUTH_CARE, "GPS: sexual exploitation of minors in prostitution", 4),
    (2025, Audience.YOUTH_CARE, "#FlashTag: online safety game", 6),
    (2025, Audience.POLICE, "Missing and exploited children: police training", 20),
    (2025, Audience.TEACHERS, "iCoach: safe internet in the classroom", 12),
    (2025, Audience.PROFESSIONALS, "Academy: recognising grooming and sextortion", 16),
    (2025, Audience.PROFESSIONALS, "Academy: runaways and RADAR", 15),
    (2025, Audience.PROFESSIONALS, "Academy: sexting without consent", 15),
    (2025, Audience.PARENTS, "Safe online: parents' evening", 216),
    (2021, Audience.POLICE, "Missing and exploited children: police training", 17),
    (2021, Audience.TEACHERS, "iCoach: safe internet in the classroom", 7),
    (2021, Audience.PROFESSIONALS, "Academy: recognising grooming and sextortion", 6),
    (2021, Audience.PROFESSIONALS, "Academy: teenage pimps and their victims", 6),
    (2021, Audience.PARENTS, "Safe online: parents' evening", 140),
]
PROFESSIONALS_REACHED = {2021: 700}
PARENTS_REACHED = {2021: 5_600}
# (year, kind, sessions, children reached, children per session from, to)
SESSIONS = [
    (2025, SessionKind.SCHOOL, 611, 13_480, 12, 32),
    (2025, SessionKind.STAND, 73, 10_050, 60, 240),
    (2021, SessionKind.SCHOOL, 333, 6_500, 10, 30),
]
VENUES = {
    SessionKind.SCHOOL: ["Primary school {n} (demo)", "Community school {n} (demo)"],
    SessionKind.STAND: ["Summer fair {n} (demo)", "Family day {n} (demo)", "Festival {n} (demo)"],
}
VOLUNTEERS_PER = {SessionKind.SCHOOL: (1, 2), SessionKind.STAND: (2, 3)}
ROLE_OF = {
    SessionKind.SCHOOL: VolunteerRole.SCHOOL_WORKSHOPS,
    SessionKind.STAND: VolunteerRole.STANDS,
}
TOOLS = [
    (2021, "#FlashTag game", 120, MARK_RECIPIENT),
    (2021, "MAX 24/7 posters", 900, "Primary schools (demo)"),
    (2025, "JungleWeb+ kit", 150, "Special-education schools (demo)"),
    (2025, "MAX 24/7 posters", 1_400, "Primary schools (demo)"),
    (2025, "#FlashTag game", 80, "Youth-care facilities (demo)"),
]


def split(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`parts` whole numbers from `low` to `high` adding up to `total` exactly."""
    if parts == 0:
        return []
    if not low * parts <= total <= high * parts:
        raise ValueError(f"cannot split {total} in {parts} parts of {low}-{high}")
    sizes = [rng.randint(low, high) for _ in range(parts)]
    diff = total - sum(sizes)
    while diff:
        i = rng.randrange(parts)
        if diff > 0 and sizes[i] < high:
            step = min(diff, high - sizes[i], 1 + diff // parts)
        elif diff < 0 and sizes[i] > low:
            step = -min(-diff, sizes[i] - low, 1 + (-diff) // parts)
        else:
            continue
        sizes[i] += step
        diff -= step
    return sizes


def _days(rng: random.Random, year: int, n: int, *, weekend: bool, months: range) -> list[date]:
    """`n` days of the year (weekdays or weekend days, in `months`, not in summer for weekdays),
    sorted."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    pool = [
        first + timedelta(days=i)
        for i in range((last - first).days + 1)
        if (first + timedelta(days=i)).month in months
        and ((first + timedelta(days=i)).weekday() >= 5) == weekend
        and (weekend or (first + timedelta(days=i)).month not in SUMMER)
    ]
    return sorted(rng.choice(pool) for _ in range(n))


def _trainer(rng: random.Random) -> str:
    given = rng.choice(plan.GIVEN_FEMALE + plan.GIVEN_MALE)
    return f"{given} {rng.choice(plan.SURNAME_STARTS)}{rng.choice(plan.SURNAME_ENDS)}"


def _trainings(rng: random.Random, municipalities: list[Municipality]) -> list[Training]:
    trainers = [_trainer(rng) for _ in range(18)]
    planned: list[tuple[int, str, str, int]] = [
        (year, audience, module, n) for year, audience, module, n in TRAININGS
    ]
    trainings: list[Training] = []
    for year in sorted({p[0] for p in planned}):
        for parents in (False, True):
            group = [p for p in planned if p[0] == year and (p[1] == Audience.PARENTS) == parents]
            count = sum(p[3] for p in group)
            reached = (PARENTS_REACHED if parents else PROFESSIONALS_REACHED).get(year)
            low, high = (15, 60) if parents else (8, 30)
            if reached is None:
                sizes = [rng.randint(low, high) for _ in range(count)]
            else:
                sizes = split(rng, reached, count, low, high)
            days = iter(_days(rng, year, count, weekend=False, months=range(1, 13)))
            people = iter(sizes)
            for _year, audience, module, n in group:
                for _i in range(n):
                    online = rng.random() < (0.3 if parents else 0.1)
                    municipality = (
                        None if online or not municipalities else rng.choice(municipalities)
                    )
                    trainings.append(
                        Training(
                            audience=audience,
                            module=module,
                            held_on=next(days),
                            place="" if municipality is None else "Training room (demo)",
                            municipality=municipality,
                            trainer=rng.choice(trainers),
                            participants=next(people),
                            online=online,
                        )
                    )
    return trainings


def _on_day(volunteers: list[Volunteer], day: date) -> list[Volunteer]:
    """Who had joined by the day and was still in the network at the year's end: the reports
    count the year's session volunteers at its end (beacon.figures.network)."""
    end = date(day.year, 12, 31)
    return [v for v in volunteers if v.joined_on <= day and (v.left_on is None or v.left_on > end)]


def _sessions(
    rng: random.Random, municipalities: list[Municipality]
) -> tuple[list[Session], list[list[int]]]:
    """The sessions, and for each the ids of the volunteers who ran it."""
    volunteers = list(Volunteer.objects.select_related("municipality").order_by("pk"))
    sessions: list[Session] = []
    crews: list[list[int]] = []
    for year, kind, n, children, low, high in SESSIONS:
        role = ROLE_OF[kind]
        with_role = [v for v in volunteers if role in (v.roles or [])]
        stands = kind == SessionKind.STAND
        days = _days(rng, year, n, weekend=stands, months=range(4, 10) if stands else range(1, 13))
        for day, reached in zip(days, split(rng, children, n, low, high), strict=True):
            available = _on_day(with_role, day)
            lo, hi = VOLUNTEERS_PER[kind]
            crew = rng.sample(available, min(len(available), rng.randint(lo, hi)))
            home = next((v.municipality for v in crew if v.municipality_id), None)
            municipality = home or (rng.choice(municipalities) if municipalities else None)
            sessions.append(
                Session(
                    kind=kind,
                    held_on=day,
                    venue=rng.choice(VENUES[kind]).format(n=rng.randint(1, 400)),
                    municipality=municipality,
                    children_reached=reached,
                )
            )
            crews.append([v.pk for v in crew])
    return sessions, crews


def load_prevention(out=lambda *_: None) -> bool:
    """Create the demo prevention work unless it is there (its mark: a tool handout); True if
    created. Uses the demo network's volunteers (load it first; without them sessions name no
    one) and the municipalities."""
    if ToolHandout.objects.filter(recipient=MARK_RECIPIENT).exists():
        return False
    rng = random.Random(SEED)
    municipalities = list(Municipality.objects.order_by("code"))
    with transaction.atomic():
        trainings = Training.objects.bulk_create(_trainings(rng, municipalities), batch_size=1000)
        sessions, crews = _sessions(rng, municipalities)
        sessions = Session.objects.bulk_create(sessions, batch_size=1000)
        through = Session.volunteers.through
        links = [
            through(session_id=session.pk, volunteer_id=volunteer_id)
            for session, crew in zip(sessions, crews, strict=True)
            for volunteer_id in crew
        ]
        through.objects.bulk_create(links, batch_size=2000)
        handouts = [
            ToolHandout(
                tool=tool,
                quantity=quantity,
                handed_on=date(year, 3 + i, 10),
                recipient=recipient,
                municipality=municipalities[i * 7 % len(municipalities)]
                if municipalities
                else None,
            )
            for i, (year, tool, quantity, recipient) in enumerate(TOOLS)
        ]
        ToolHandout.objects.bulk_create(handouts)
    out(
        f"prevention: {len(trainings)} trainings, {len(sessions)} school sessions and stands, "
        f"{len(handouts)} tool handouts"
    )
    return True
