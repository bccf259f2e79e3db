"""Records written directly for the figures' tests, like imported history."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from beacon.cases.models import Case, Category, ExploitationFacts, SubKind
from beacon.line.models import Call
from beacon.people.models import Person


def record(category_key: str, opened: datetime, *, worrying=False, person=None) -> Case:
    """A case of the category opened at `opened`, last seen an hour before."""
    person = person or Person.objects.create(
        first_name="Test", last_name="Kind", date_of_birth=date(2010, 1, 1)
    )
    category = Category.objects.get(key=category_key)
    return Case.objects.create(
        number=f"T-{Case.objects.count() + 1}",
        mission=category.mission,
        category=category,
        person=person,
        opened_at=opened,
        last_seen_at=opened - timedelta(hours=1),
        channel="116000",
        reporter_kind="parent",
        worrying=worrying,
    )


MARCH_2025 = datetime(2025, 3, 1, 12, tzinfo=ZoneInfo("Europe/Brussels"))


def victim_case(
    category: str,
    *,
    age: int,
    gender: str = "female",
    subkind: str = "",
    opened: datetime = MARCH_2025,
    person: Person | None = None,
    closed: datetime | None = None,
    **facts,
) -> Case:
    """An exploitation case with its facts, written directly (like imported history)."""
    person = person or Person.objects.create(first_name="V", last_name="Ictim", gender=gender)
    cat = Category.objects.get(key=category)
    case = Case.objects.create(
        number=f"E-{Case.objects.count() + 1}",
        mission="exploitation",
        category=cat,
        subkind=SubKind.objects.get(category=cat, key=subkind) if subkind else None,
        person=person,
        opened_at=opened,
        closed_at=closed,
        status="closed" if closed else "open",
        channel="116000",
        reporter_kind="child",
    )
    ExploitationFacts.objects.create(case=case, victim_age=age, **facts)
    return case


def call(started: datetime, channel: str = "116000") -> Call:
    """A contact on the line's `channel` that started at `started`."""
    return Call.objects.create(
        channel=channel, caller_kind="child", topic_kind="out_of_scope", started_at=started
    )
