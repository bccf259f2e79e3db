"""The person page across both missions: what the assigned case manager sees, and what another
case manager (not assigned, not the lead) must not see: not even that the exploitation case
exists."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from beacon.cases.services import case_close, case_open
from beacon.cases.tests.test_exploitation import exploitation
from conftest import PASSWORD


def runaway(actor, *, person=None, days_ago: float):
    return case_open(
        actor=actor,
        category="runaway",
        person=person,
        person_data=None
        if person
        else {"first_name": "Ilse", "last_name": "Tweezijdig", "date_of_birth": date(2010, 5, 5)},
        last_seen_at=timezone.now() - timedelta(days=days_ago),
        channel="116000",
        reporter_kind="institution",
    )


@pytest.fixture
def girl(cast):
    """Two runaway episodes (one closed after 2 days) and a prostitution case assigned to carla."""
    manager = cast["case_manager"]
    first = runaway(manager, days_ago=60)
    case_close(
        actor=manager,
        case=first,
        expected_version=first.version,
        outcome="found_safe",
        found_at=first.last_seen_at + timedelta(days=2),
    )
    second = runaway(manager, person=first.person, days_ago=20)
    prostitution = exploitation(
        manager, person=first.person, facts={"victim_age": 15}, assigned_to=manager
    )
    return first.person, first, second, prostitution


def page(client, user, person) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_assigned_case_manager_sees_both_missions_grouped(client, cast, girl):
    person, first, second, prostitution = girl
    html = page(client, cast["case_manager"], person)
    assert first.number in html and second.number in html
    assert prostitution.number in html and 'id="exploitation-cases"' in html
    # The summary counts the disappearances only: 2 episodes, not 3 cases.
    assert "2 episodes" in html and "3 episodes" not in html
    # The exploitation case is in its own section, after the episodes.
    assert html.index(second.number) < html.index('id="exploitation-cases"')
    assert html.index('id="exploitation-cases"') < html.index(prostitution.number)


def test_another_case_manager_sees_the_runaways_but_nothing_of_the_exploitation_case(
    client, cast, girl
):
    person, first, second, prostitution = girl
    html = page(client, cast["other_case_manager"], person)
    assert first.number in html and second.number in html and "2 episodes" in html
    assert prostitution.number not in html
    assert 'id="exploitation-cases"' not in html
    assert prostitution.category.name not in html  # "Child prostitution" would say who it is
    # Nor through a risk flag that names it (exploitation after repeated running away).
    assert 'id="risk-flags"' not in html


def test_the_team_lead_of_the_assignee_sees_it_and_the_risk_flag(client, cast, team, girl):
    person, _first, _second, prostitution = girl
    html = page(client, cast["team_lead"], person)
    assert prostitution.number in html
    assert 'id="risk-flags"' in html and "Exploitation after repeated running away" in html


def test_the_api_lists_the_exploitation_cases_apart_and_only_to_who_may_open_them(
    client, cast, girl
):
    from beacon.core.services import token_create

    person, first, second, prostitution = girl
    answers = {}
    for role in ("case_manager", "other_case_manager"):
        _token, secret = token_create(actor=None, user=cast[role], name="t")
        answers[role] = client.get(
            f"/api/v1/people/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).json()
    mine, theirs = answers["case_manager"], answers["other_case_manager"]
    assert [c["number"] for c in mine["exploitation_cases"]] == [prostitution.number]
    assert theirs["exploitation_cases"] == []
    assert mine["episode_count"] == theirs["episode_count"] == 2
    assert {c["number"] for c in theirs["episodes"]} == {first.number, second.number}
    assert prostitution.number not in str(theirs)
