"""The prevention figures on hand-made records whose answers are known by hand (year boundary,
parents not counted as professionals, planned records left out), and the demo's published
counts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from beacon.demo.network import load_network
from beacon.demo.prevention import load_prevention
from beacon.figures.prevention import prevention_section
from beacon.network.models import Volunteer, VolunteerRole
from beacon.prevention.models import Session, ToolHandout, Training

pytestmark = pytest.mark.django_db


def training(audience: str, day: date, participants: int = 10) -> Training:
    return Training.objects.create(
        audience=audience,
        module="Module",
        held_on=day,
        trainer="T. Rainer",
        participants=participants,
    )


def session(kind: str, day: date, children: int) -> Session:
    return Session.objects.create(kind=kind, held_on=day, venue="Venue", children_reached=children)


def test_trainings_count_in_the_year_of_their_day_and_parents_apart():
    training("police", date(2024, 12, 31), 12)
    training("youth_care", date(2025, 1, 1), 20)
    training("teachers", date(2025, 6, 1), 15)
    training("professionals", date(2025, 12, 31), 30)
    training("parents", date(2025, 3, 3), 40)
    training("parents", date(2026, 1, 1), 45)  # after the period

    section = prevention_section(2024, 2025)

    assert section["trainings_professionals"] == {"2024": 1, "2025": 3}
    assert section["trainings_parents"] == {"2025": 1}
    assert section["2024"]["police_trainings"] == 1
    assert section["2024"]["professionals_reached"] == 12
    assert section["2025"]["police_trainings"] == 0
    assert section["2025"]["professionals_reached"] == 20 + 15 + 30
    assert section["2025"]["parents_reached"] == 40


def test_sessions_stands_and_tools_per_year():
    session("school", date(2021, 1, 1), 20)
    session("school", date(2021, 12, 31), 25)
    session("school", date(2022, 1, 1), 19)
    session("stand", date(2021, 6, 5), 150)
    ToolHandout.objects.create(tool="Game", quantity=30, handed_on=date(2021, 12, 31))
    ToolHandout.objects.create(tool="Poster", quantity=70, handed_on=date(2021, 2, 1))
    ToolHandout.objects.create(tool="Poster", quantity=5, handed_on=date(2022, 1, 1))

    section = prevention_section(2021, 2022)

    assert section["school_sessions"] == {"2021": 2, "2022": 1}
    assert section["school_children"] == {"2021": 45, "2022": 19}
    assert section["stand_events"] == {"2021": 1}
    assert section["stand_children"] == {"2021": 150}
    assert section["tools_handed_out"] == {"2021": 100, "2022": 5}
    assert section["2021"] == {
        "police_trainings": 0,
        "school_sessions": 2,
        "children": 45,
        "parents_reached": 0,
        "professionals_reached": 0,
    }
    # The stand's children are not the school sessions' children.
    assert section["2022"]["children"] == 19


def test_planned_records_count_once_their_day_has_come():
    today = timezone.localdate()
    training("police", today)
    training("police", today + timedelta(days=1))
    session("school", today + timedelta(days=1), 20)

    section = prevention_section(today.year - 1, today.year + 1)

    assert sum(section["trainings_professionals"].values()) == 1
    assert section["school_sessions"] == {}


def test_no_records_no_years():
    section = prevention_section(2021, 2025)
    assert section["trainings_professionals"] == {}
    assert "2025" not in section


def test_the_demo_gives_the_published_prevention_figures():
    assert load_network() is True
    assert load_prevention() is True
    counts = (Training.objects.count(), Session.objects.count(), ToolHandout.objects.count())
    assert load_prevention() is False
    assert (
        Training.objects.count(),
        Session.objects.count(),
        ToolHandout.objects.count(),
    ) == counts

    section = prevention_section(2021, 2025)
    assert section["trainings_professionals"] == {"2021": 36, "2025": 88}
    assert section["trainings_parents"] == {"2021": 140, "2025": 216}
    assert section["school_sessions"] == {"2021": 333, "2025": 611}
    assert section["school_children"] == {"2021": 6_500, "2025": 13_480}
    assert section["stand_events"] == {"2025": 73}
    assert section["stand_children"] == {"2025": 10_050}
    assert section["2021"] == {
        "police_trainings": 17,
        "school_sessions": 333,
        "children": 6_500,
        "parents_reached": 5_600,
        "professionals_reached": 700,
    }
    assert Training.objects.filter(held_on__year=2025, module__startswith="GPS").count() == 4

    # Sessions are run by volunteers with the role, in the network on the day.
    school_2025 = Volunteer.objects.filter(
        prevention_sessions__held_on__year=2025, prevention_sessions__kind="school"
    )
    people = set(school_2025.values_list("pk", flat=True))
    assert 40 <= len(people) <= 44  # the network's school volunteers at the end of 2025
    for volunteer in Volunteer.objects.filter(pk__in=people):
        assert VolunteerRole.SCHOOL_WORKSHOPS in volunteer.roles
    stand_people = set(
        Volunteer.objects.filter(prevention_sessions__kind="stand").values_list("pk", flat=True)
    )
    assert 0 < len(stand_people) <= 142
    for session_row in Session.objects.prefetch_related("volunteers"):
        assert session_row.volunteers.all(), session_row
        for volunteer in session_row.volunteers.all():
            assert volunteer.joined_on <= session_row.held_on
            assert volunteer.left_on is None or volunteer.left_on > session_row.held_on


def test_every_prevention_figure_has_a_drill_down_adding_up_to_it(client, cast):
    from django.urls import reverse

    from beacon.figures.engine import Period, Total, drill_down_count, drill_down_total, evaluate
    from beacon.figures.prevention import catalogue_figures

    today = timezone.localdate()
    training("police", date(2025, 2, 1), 12)
    training("parents", date(2025, 3, 1), 40)
    session("school", date(2025, 4, 1), 25)
    session("school", date(2025, 4, 2), 30)
    session("stand", date(2025, 5, 1), 100)
    ToolHandout.objects.create(tool="Game", handed_on=date(2025, 6, 1), quantity=7, recipient="S")
    session("school", today + timedelta(days=1), 99)  # planned: not held yet
    year = Period.year(2025)
    values = evaluate(catalogue_figures(), year)
    assert values["prevention.school_children"] == 55
    assert values["prevention.stand_children"] == 100
    assert values["prevention.tools_handed_out"] == 7
    assert values["prevention.police_trainings"] == 1
    assert values["prevention.professionals_reached"] == 12
    assert values["prevention.parents_reached"] == 40
    client.force_login(cast["statistics_reader"])
    for figure in catalogue_figures():
        if isinstance(figure, Total):
            assert drill_down_total(figure, year) == values[figure.key], figure.key
        else:
            assert drill_down_count(figure, year) == values[figure.key], figure.key
        page = client.get(
            reverse("figures:records", args=[figure.key]),
            {"from": "2025-01-01", "to": "2025-12-31"},
        )
        assert page.status_code == 200, figure.key
    upcoming = Period(today, today + timedelta(days=3))
    assert evaluate(catalogue_figures(), upcoming)["prevention.school_sessions"] == 0
