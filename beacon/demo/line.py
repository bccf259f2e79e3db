"""The demo's call log: every contact on the line, 2019-2025, and a working day today.

Calls to 116 000 (the free line and the international number) come in the exact yearly numbers
of `plan.CALLS_116000`, of which exactly `plan.CALLS_AT_NIGHT` start between 23:00 and 07:00
local time: each call is built as a local wall-clock time with zoneinfo, so the night count
holds across the DST changes. A case reported through the line has the call that reported it;
some contacts on the other channels concern a case (a 116 800 tip about a missing child, the
police, a victim writing), and they are on its timeline as the line's services put them.
The thousands of calls about no case are written as plain rows (`insert_rows`): they are most
of the demo's rows.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from beacon.cases.choices import Mission, TimelineKind
from beacon.cases.models import Case, Category, TimelineEntry
from beacon.demo import plan
from beacon.demo.rows import insert_objects, insert_rows
from beacon.line.models import CHANNELS_116000, NIGHT_ENDS, NIGHT_STARTS, Call, local_hour_of

# Calls per local hour, relative: busiest in the afternoon and evening (children out of school),
# quieter late in the evening, fewest between two and six in the morning.
HOUR_WEIGHTS = {0: 3, 1: 2, 2: 1.5, 3: 1, 4: 1, 5: 1, 6: 2, 7: 3, 8: 4, 21: 7, 22: 5, 23: 4} | {
    **dict.fromkeys(range(9, 14), 6),
    **dict.fromkeys(range(14, 21), 8),
}
NIGHT_HOUR_WEIGHTS = {h: w for h, w in HOUR_WEIGHTS.items() if h >= NIGHT_STARTS or h < NIGHT_ENDS}
DAY_HOUR_WEIGHTS = {h: w for h, w in HOUR_WEIGHTS.items() if h not in NIGHT_HOUR_WEIGHTS}
TOPICS = ["case_category", "internet_safety", "out_of_scope", "silent_prank"]
TOPIC_WEIGHTS = [45, 20, 20, 15]
ROW_FIELDS = (
    "channel",
    "started_at",
    "ended_at",
    "language",
    "caller_kind",
    "topic_kind",
    "topic_category",
    "taken_by",
    "local_hour",  # the plain rows bypass Call.save() and bulk_create, which set it
)


@dataclass
class CaseRow:
    """What a contact about a case needs to know of it."""

    pk: int
    category_id: int
    mission: str
    channel: str
    opened_at: datetime
    ends: datetime  # found, closed, or a month on: contacts about it come before
    assigned_to_id: int | None


def is_night(moment: datetime, zone: ZoneInfo) -> bool:
    """The rule of Call.objects.at_night(), for an instant: the local hour is 23-06."""
    hour = moment.astimezone(zone).hour
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS


class CallLogDemo:
    def __init__(self, rng: random.Random, *, responders):
        self.rng = rng
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.responders = responders
        self.categories = list(Category.objects.order_by("position", "key"))
        # Callers ask about a category about as often as it has cases (runaways most).
        self.weights = {c.key: plan.CALL_TOPIC_WEIGHTS.get(c.key, 1) for c in self.categories}
        self.topics: dict[int, tuple[list[int], list[int]]] = {}

    # --- moments --------------------------------------------------------------------------------

    def local(self, day: date, hour: int) -> datetime:
        """A minute of that local hour, as a UTC instant: durations added to it are real ones
        (wall-clock arithmetic across a DST change would end some calls before they start).
        In the spring gap (02:00-03:00) zoneinfo reads the time with the winter offset: the
        call is at 03:xx summer time, still at night."""
        moment = datetime.combine(day, time(hour, self.rng.randint(0, 59)), tzinfo=self.zone)
        return moment.astimezone(UTC)

    def day_of(self, year: int) -> date:
        days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(days))

    def duration(self) -> timedelta:
        """Most calls take a few minutes, some half an hour."""
        return timedelta(seconds=int(self.rng.lognormvariate(6.0, 0.7)) + 30)

    def topic(self, year: int) -> tuple[str, int | None]:
        kind = self.rng.choices(TOPICS, TOPIC_WEIGHTS)[0]
        if kind != "case_category":
            return kind, None
        if year not in self.topics:
            usable = [c for c in self.categories if c.active_in_year(year)]
            self.topics[year] = ([c.pk for c in usable], [self.weights[c.key] for c in usable])
        ids, weights = self.topics[year]
        return kind, self.rng.choices(ids, weights)[0]

    def caller(self) -> str:
        return self.rng.choice(
            ["child", "parent", "parent", "professional", "police", "witness", "anonymous"]
        )

    def language(self) -> str:
        return self.rng.choice(["nl", "nl", "fr", "fr", "en", "de"])

    # --- a year ---------------------------------------------------------------------------------

    def cases_of(self, year: int) -> list[CaseRow]:
        start = datetime(year, 1, 1, tzinfo=self.zone)
        end = datetime(year + 1, 1, 1, tzinfo=self.zone)
        rows = Case.objects.filter(opened_at__gte=start, opened_at__lt=end).values_list(
            "pk",
            "category_id",
            "mission",
            "channel",
            "opened_at",
            "found_at",
            "closed_at",
            "assigned_to_id",
        )
        cases = []
        now = timezone.now()
        for pk, category, mission, channel, opened, found, closed, assignee in rows:
            ends = min(d for d in (found, closed, opened + timedelta(days=30), now) if d)
            cases.append(CaseRow(pk, category, mission, channel, opened, ends, assignee))
        cases.sort(key=lambda c: c.pk)
        return cases

    def write(self, year: int) -> int:
        """The year's contacts; returns how many."""
        cases = self.cases_of(year)
        about_cases = self.reporting_calls(year, cases) + self.contacts_about_cases(year, cases)
        self.write_about_cases(about_cases)
        on_line = [c for c in about_cases if c.channel in CHANNELS_116000]
        night = sum(1 for c in on_line if is_night(c.started_at, self.zone))
        total, nights = plan.CALLS_116000[year], plan.CALLS_AT_NIGHT[year]
        assert len(on_line) <= total and night <= nights, year
        rows = self.calls_about_nothing(year, total - len(on_line), nights - night)
        rows += self.other_contacts(year)
        return len(about_cases) + insert_rows(Call, ROW_FIELDS, rows)

    def reporting_calls(self, year: int, cases: list[CaseRow]) -> list[Call]:
        """The call that reported each case reported through the line, a few minutes before
        the case was opened (never in the year before)."""
        year_start = datetime(year, 1, 1, tzinfo=self.zone)
        calls = []
        for case in cases:
            if case.channel not in CHANNELS_116000:
                continue
            start = max(case.opened_at - timedelta(minutes=self.rng.randint(3, 25)), year_start)
            calls.append(
                Call(
                    channel=case.channel,
                    started_at=start,
                    ended_at=max(start + self.duration(), case.opened_at),
                    language=self.language(),
                    caller_kind="parent" if case.mission == Mission.MISSING else self.caller(),
                    topic_kind="case_category",
                    topic_category_id=case.category_id,
                    case_id=case.pk,
                    taken_by=self.rng.choice(self.responders),
                )
            )
        return calls

    def contacts_about_cases(self, year: int, cases: list[CaseRow]) -> list[Call]:
        """Tips, police calls and messages about a case of the year, while it is open. A tip
        about a missing child is flagged for the case's manager, who read it within the day."""
        by_mission: dict[str, list[CaseRow]] = {}
        for case in cases:
            if case.ends - case.opened_at > timedelta(hours=2):
                by_mission.setdefault(case.mission, []).append(case)
        calls = []
        for channel, (share, mission) in plan.OTHER_CONTACTS_ABOUT_CASES.items():
            candidates = by_mission.get(mission, [])
            count = min(len(candidates), round(plan.OTHER_CONTACTS[channel] * share))
            for case in self.rng.sample(candidates, count):
                window = (case.ends - case.opened_at).total_seconds()
                start = case.opened_at + timedelta(seconds=self.rng.uniform(600, window))
                flagged = channel == "116800" and mission == Mission.MISSING
                calls.append(
                    Call(
                        channel=channel,
                        started_at=start,
                        ended_at=start + self.duration(),
                        language=self.language(),
                        caller_kind="police" if channel == "police" else self.caller(),
                        topic_kind="case_category",
                        topic_category_id=case.category_id,
                        case_id=case.pk,
                        taken_by=self.rng.choice(self.responders),
                        flagged=flagged,
                        flag_acknowledged_at=start + timedelta(hours=self.rng.uniform(0.5, 20))
                        if flagged and case.assigned_to_id
                        else None,
                        flag_acknowledged_by_id=case.assigned_to_id if flagged else None,
                    )
                )
        return calls

    def write_about_cases(self, calls: list[Call]) -> None:
        """The calls, and each on its case's timeline (a tip as a tip), as call_log writes them."""
        last = Call.objects.aggregate(last=Max("pk"))["last"] or 0
        for call in calls:  # insert_objects bypasses Call.save() and bulk_create, which set it
            call.local_hour = local_hour_of(call.started_at)
        insert_objects(calls)
        written = (
            Call.objects.filter(pk__gt=last, case__isnull=False)
            .order_by("pk")
            .values_list("pk", "case_id", "started_at", "channel", "flagged", "taken_by_id")
        )
        insert_objects(
            [
                TimelineEntry(
                    case_id=case,
                    at=started,
                    kind=TimelineKind.TIP if channel == "116800" else TimelineKind.CALL,
                    author_id=taken_by,
                    data={"call": pk, "channel": channel, "flagged": flagged},
                )
                for pk, case, started, channel, flagged, taken_by in written
            ]
        )

    def calls_about_nothing(self, year: int, total: int, night: int) -> list[tuple]:
        """Calls to 116 000 about no case: questions, advice, calls out of scope; exactly
        `night` of them at night. About 3% come in on the international number."""
        rows = []
        night_hours, night_weights = list(NIGHT_HOUR_WEIGHTS), list(NIGHT_HOUR_WEIGHTS.values())
        day_hours, day_weights = list(DAY_HOUR_WEIGHTS), list(DAY_HOUR_WEIGHTS.values())
        for index in range(total):
            if index < night:
                hour = self.rng.choices(night_hours, night_weights)[0]
            else:
                hour = self.rng.choices(day_hours, day_weights)[0]
            start = self.local(self.day_of(year), hour)
            channel = "international" if self.rng.random() < 0.03 else "116000"
            rows.append(self.row(year, channel, start))
        return rows

    def other_contacts(self, year: int) -> list[tuple]:
        """Tips, chats, e-mails, police and walk-ins about no case, in the day."""
        rows = []
        for channel, per_year in plan.OTHER_CONTACTS.items():
            share = plan.OTHER_CONTACTS_ABOUT_CASES.get(channel, (0, ""))[0]
            for _ in range(per_year - round(per_year * share)):
                start = self.local(self.day_of(year), self.rng.randint(8, 21))
                rows.append(self.row(year, channel, start))
        return rows

    def row(self, year: int, channel: str, start: datetime) -> tuple:
        kind, category = self.topic(year)
        return (
            channel,
            start,
            start + self.duration(),
            self.language(),
            self.caller(),
            kind,
            category,
            self.rng.choice(self.responders).pk,
            local_hour_of(start),
        )

    # --- today ----------------------------------------------------------------------------------

    def write_today(self) -> int:
        """Calls of the current local day (at load time), so the live board shows a working
        day: finished calls since midnight (at least five, even just after it), two still going
        on, callbacks due (one overdue, one due now, one later), and an unread tip about an
        open case."""
        now = timezone.now()
        day = timezone.localtime(now).date()
        day_start = datetime.combine(day, time.min, tzinfo=self.zone)
        minutes = int((now - day_start).total_seconds() // 60)
        calls = []
        for _ in range(max(5, min(40, minutes // 15))):
            start = day_start + timedelta(minutes=self.rng.randint(0, max(0, minutes - 30)))
            kind, category = self.topic(day.year)
            calls.append(
                Call(
                    channel=self.rng.choice(["116000", "116000", "116000", "chat", "email"]),
                    started_at=start,
                    ended_at=min(start + self.duration(), now),
                    language=self.language(),
                    caller_kind=self.caller(),
                    topic_kind=kind,
                    topic_category_id=category,
                    taken_by=self.rng.choice(self.responders),
                )
            )
        calls.sort(key=lambda c: c.started_at)
        overdue, due_now, later = calls[:3]
        overdue.callback_due_at = min(overdue.started_at + timedelta(minutes=30), now)
        due_now.callback_due_at = now
        later.callback_due_at = now + timedelta(hours=2)
        for minutes_ago in (2, 9):  # still going on
            calls.append(
                Call(
                    channel="116000",
                    started_at=now - timedelta(minutes=minutes_ago),
                    language=self.language(),
                    caller_kind=self.caller(),
                    topic_kind="out_of_scope",
                    taken_by=self.rng.choice(self.responders),
                )
            )
        Call.objects.bulk_create(calls)
        tip = self.unread_tip(now)
        return len(calls) + (tip is not None)

    def unread_tip(self, now: datetime) -> Call | None:
        """A 116 800 tip, an hour ago, about a missing child whose case is still open: flagged
        for the case manager, not read yet."""
        case = (
            Case.objects.filter(mission=Mission.MISSING, status="open")
            .order_by("-opened_at")
            .first()
        )
        if case is None:
            return None
        tip = Call.objects.create(
            channel="116800",
            started_at=now - timedelta(hours=1),
            ended_at=now - timedelta(minutes=52),
            language="nl",
            caller_kind="witness",
            topic_kind="case_category",
            topic_category_id=case.category_id,
            case=case,
            taken_by=self.responders[0],
            flagged=True,
        )
        TimelineEntry.objects.create(
            case=case,
            at=tip.started_at,
            kind=TimelineKind.TIP,
            author=tip.taken_by,
            data={"call": tip.pk, "channel": tip.channel, "flagged": True},
        )
        return tip
