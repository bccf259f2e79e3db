"""Merging two records of the same person, and undoing it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from beacon.cases.models import Case, TimelineEntry
from beacon.cases.selectors import person_search
from beacon.cases.services import case_open
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditRecord
from beacon.people.models import Person, PersonMerge
from beacon.people.services import person_merge, person_merge_undo
from conftest import PASSWORD


def episode(actor, *, person=None, first="Mila", born=None, days_ago=10) -> Case:
    data = {"first_name": first, "last_name": "Dubbel", "gender": "female"}
    if born:
        data["date_of_birth"] = born
    else:
        data["estimated_age"] = 14
    return case_open(
        actor=actor,
        category="runaway",
        person=person,
        person_data=None if person else data,
        last_seen_at=timezone.now() - timedelta(days=days_ago),
        channel="116000",
        reporter_kind="parent",
    )


@pytest.fixture
def twins(case_manager):
    """One girl recorded twice: once without her date of birth, once with it."""
    kept = episode(case_manager, days_ago=30)
    other = episode(case_manager, born=date(2011, 4, 4), days_ago=5)
    return kept.person, other.person, kept, other


def merge(actor, survivor, duplicate, **overrides):
    values = {
        "survivor_version": survivor.version,
        "duplicate_version": duplicate.version,
        "reason": "Same girl: same school and parents, name typed twice",
    }
    values.update(overrides)
    return person_merge(actor=actor, survivor=survivor, duplicate=duplicate, **values)


def test_merge_moves_the_cases_keeps_the_history_and_hides_the_duplicate(case_manager, twins):
    survivor, duplicate, kept_case, moved_case = twins
    record = merge(case_manager, survivor, duplicate)
    moved_case.refresh_from_db()
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert moved_case.person == survivor and duplicate.merged_into == survivor
    assert record.moved_case_ids == [moved_case.pk]
    assert survivor.date_of_birth == date(2011, 4, 4)  # taken from the duplicate
    assert [p.pk for p in person_search(user=case_manager, q="Mila")] == [survivor.pk]
    assert TimelineEntry.objects.filter(case=moved_case, kind="merge").exists()
    assert AuditRecord.objects.filter(object_type="people.personmerge").exists()


def test_undo_restores_exactly_and_keeps_later_cases_with_the_kept_record(cast, twins):
    survivor, duplicate, kept_case, moved_case = twins
    record = merge(cast["case_manager"], survivor, duplicate)
    later = episode(cast["case_manager"], person=Person.objects.get(pk=survivor.pk), days_ago=1)
    with pytest.raises(PermissionDenied):
        person_merge_undo(actor=cast["case_manager"], merge=record)
    person_merge_undo(actor=cast["administrator"], merge=record)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert Case.objects.get(pk=moved_case.pk).person_id == duplicate.pk
    assert Case.objects.get(pk=later.pk).person_id == survivor.pk
    assert Case.objects.get(pk=kept_case.pk).person_id == survivor.pk
    assert survivor.date_of_birth is None and duplicate.merged_into is None
    with pytest.raises(ValidationError):
        person_merge_undo(actor=cast["administrator"], merge=PersonMerge.objects.get())


@pytest.mark.parametrize("role", ["first_responder", "analyst", "statistics_reader"])
def test_roles_without_the_permission_cannot_merge(cast, twins, role):
    survivor, duplicate, *_ = twins
    with pytest.raises(PermissionDenied):
        merge(cast[role], survivor, duplicate)
    assert not PersonMerge.objects.exists()


def test_refusals_change_nothing(case_manager, twins):
    survivor, duplicate, _kept, moved = twins
    version = survivor.version
    with pytest.raises(ValidationError):
        merge(case_manager, survivor, survivor)
    with pytest.raises(ValidationError):
        merge(case_manager, survivor, duplicate, reason="  ")
    with pytest.raises(ConcurrentEditError):
        merge(case_manager, survivor, duplicate, duplicate_version=99)
    moved.refresh_from_db()
    assert moved.person == duplicate and not PersonMerge.objects.exists()
    assert Person.objects.get(pk=survivor.pk).version == version
    merge(case_manager, Person.objects.get(pk=survivor.pk), Person.objects.get(pk=duplicate.pk))
    with pytest.raises(ValidationError):  # already merged
        merge(case_manager, Person.objects.get(pk=survivor.pk), Person.objects.get(pk=duplicate.pk))


def test_a_case_manager_cannot_merge_a_record_with_a_case_they_may_not_open(cast, twins):
    from beacon.cases.tests.test_exploitation import exploitation

    survivor, duplicate, *_ = twins
    exploitation(
        cast["administrator"], person=duplicate, facts={"victim_age": 14}, assigned_to=None
    )
    with pytest.raises(PermissionDenied):
        merge(cast["other_case_manager"], survivor, Person.objects.get(pk=duplicate.pk))
    assert not PersonMerge.objects.exists()


def test_merge_through_the_pages(client, cast, twins):
    survivor, duplicate, _kept, moved = twins
    client.login(username=cast["case_manager"].username, password=PASSWORD)
    url = reverse("people:merge", args=[survivor.pk, duplicate.pk])
    page = client.get(url).content.decode()
    assert "Kept record" in page and moved.number in page
    response = client.post(
        url,
        {
            "version": survivor.version,
            "duplicate_version": duplicate.version,
            "reason": "Same girl",
        },
    )
    assert response.status_code == 302
    # The merged record's page leads to the kept one.
    follow = client.get(reverse("people:detail", args=[duplicate.pk]))
    assert follow.status_code == 302 and follow.url == reverse("people:detail", args=[survivor.pk])
    client.logout()
    client.login(username=cast["administrator"].username, password=PASSWORD)
    detail = client.get(reverse("people:detail", args=[survivor.pk])).content.decode()
    assert "Undo" in detail
    record = PersonMerge.objects.get()
    client.post(reverse("people:merge_undo", args=[record.pk]))
    assert Case.objects.get(pk=moved.pk).person_id == duplicate.pk


def test_merge_through_the_api(client, cast, twins):
    from beacon.core.services import token_create

    survivor, duplicate, *_ = twins
    _token, secret = token_create(actor=None, user=cast["case_manager"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.post(
        f"/api/v1/people/{survivor.pk}/merge",
        {"duplicate_id": duplicate.pk, "version": 1, "duplicate_version": 1, "reason": "Same"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.json()
    person = client.get(f"/api/v1/people/{survivor.pk}", **headers).json()
    assert person["episode_count"] == 2 and person["merges"][0]["merged_person_id"] == duplicate.pk
    undo = client.post(f"/api/v1/people/merges/{person['merges'][0]['id']}/undo", **headers)
    assert undo.status_code == 403
