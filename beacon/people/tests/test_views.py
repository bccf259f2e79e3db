"""The person page, the person search used at intake, and who may see them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from beacon.cases.services import case_close, case_open
from beacon.core.models import AuditRecord
from conftest import PASSWORD

CASE_READERS = ["administrator", "case_manager", "first_responder"]
NO_CASES = ["analyst", "volunteer_coordinator", "finance", "statistics_reader", "nobody"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def closed_episode(actor, *, person=None, last_seen, found, category="runaway"):
    case = case_open(
        actor=actor,
        category=category,
        person=person,
        person_data=None
        if person
        else {"first_name": "Sam", "last_name": "Tweemaal", "date_of_birth": date(2009, 6, 1)},
        last_seen_at=last_seen,
        channel="116000",
        reporter_kind="parent",
    )
    return case_close(
        actor=actor,
        case=case,
        expected_version=case.version,
        outcome="found_safe",
        found_at=found,
    )


@pytest.fixture
def two_episodes(case_manager):
    now = timezone.now()
    first = closed_episode(
        case_manager, last_seen=now - timedelta(days=10), found=now - timedelta(days=8)
    )
    second = closed_episode(
        case_manager,
        person=first.person,
        last_seen=now - timedelta(days=5),
        found=now - timedelta(days=5) + timedelta(hours=3),
    )
    return first, second


def test_person_page_lists_every_episode_with_how_many_and_how_long(
    client, case_manager, two_episodes
):
    first, second = two_episodes
    login(client, case_manager)
    response = client.get(reverse("people:detail", args=[first.person_id]))
    assert response.status_code == 200
    episodes = response.context["episodes"]
    assert [case.pk for case in episodes.cases] == [second.pk, first.pk]
    assert episodes.total_missing == timedelta(days=2, hours=3)
    assert episodes.longest == timedelta(days=2)
    page = response.content.decode()
    assert "2 episodes" in page
    assert first.number in page and second.number in page
    assert "2 days 3 h" in page  # missing in all
    assert page.count("found safe") == 2
    assert (
        AuditRecord.objects.filter(
            actor=case_manager, action="view", object_type="people.person"
        ).count()
        == 1
    )


@pytest.mark.parametrize("role", CASE_READERS)
def test_case_readers_see_the_person_page(client, cast, open_case, role):
    login(client, cast[role])
    response = client.get(reverse("people:detail", args=[open_case.person_id]))
    assert response.status_code == 200
    assert "Lotte Testperson" in response.content.decode()


@pytest.mark.parametrize("role", NO_CASES)
def test_other_roles_cannot_see_or_search_persons(client, cast, open_case, role):
    login(client, cast[role])
    denied_before = AuditRecord.objects.filter(action="denied").count()
    for url in (
        reverse("people:detail", args=[open_case.person_id]),
        reverse("people:search") + "?q=lotte",
        reverse("people:photo", args=[open_case.person_id]),
    ):
        assert client.get(url).status_code == 403, url
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == 3
    assert AuditRecord.objects.filter(action="denied").count() == denied_before + 3
    assert not AuditRecord.objects.filter(action="view", actor=cast[role]).exists()


def test_unknown_person_is_404(client, case_manager):
    login(client, case_manager)
    assert client.get(reverse("people:detail", args=[999999])).status_code == 404


def test_person_search_offers_a_new_episode(client, case_manager, two_episodes):
    first, _second = two_episodes
    login(client, case_manager)
    response = client.get(reverse("people:search"), {"q": "tweem"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page  # a fragment for HTMX to swap in, not a whole page
    assert f'href="{reverse("cases:new")}?person={first.person_id}"' in page
    assert "2 episodes" in page
    none = client.get(reverse("people:search"), {"q": "nobodyhere"}).content.decode()
    assert "Nobody found" in none


def test_intake_prefilled_with_the_person(client, case_manager, open_case):
    login(client, case_manager)
    response = client.get(reverse("cases:new"), {"person": open_case.person_id})
    assert response.status_code == 200
    page = response.content.decode()
    assert "New episode for <strong>Lotte Testperson</strong>" in page
    assert f'name="person_id" value="{open_case.person_id}"' in page
