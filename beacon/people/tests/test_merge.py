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


def test_undo_restores_every_field_the_kept_record_took_exactly(cast, case_manager):
    sparse = episode(case_manager, first="Nele", days_ago=40).person
    full = episode(case_manager, first="Nele", born=date(2012, 1, 2), days_ago=3).person
    Person.objects.filter(pk=full.pk).update(
        nationality="BE", languages=["nl", "fr"], institution_name="De Haven"
    )
    Person.objects.filter(pk=sparse.pk).update(gender="unknown", nationality="")
    sparse, full = Person.objects.get(pk=sparse.pk), Person.objects.get(pk=full.pk)
    fields = ("date_of_birth", "estimated_age", "gender", "nationality", "languages")
    before = {f: getattr(sparse, f) for f in (*fields, "institution_name")}
    record = merge(case_manager, sparse, full)
    sparse.refresh_from_db()
    assert (sparse.date_of_birth, sparse.nationality, sparse.languages) == (
        date(2012, 1, 2),
        "BE",
        ["nl", "fr"],
    )
    assert sparse.gender == "female" and sparse.institution_name == "De Haven"
    assert sparse.estimated_age == 14  # it had one: kept, not overwritten
    person_merge_undo(actor=cast["administrator"], merge=record)
    sparse.refresh_from_db()
    assert {f: getattr(sparse, f) for f in before} == before


def test_audit_and_timeline_of_a_merge_and_its_undo(cast, twins):
    survivor, duplicate, kept_case, moved_case = twins
    admin = cast["administrator"]
    record = merge(cast["case_manager"], survivor, duplicate)
    person_merge_undo(actor=admin, merge=record)
    trail = set(
        AuditRecord.objects.filter(object_type__in=["people.person", "people.personmerge"])
        .exclude(action="view")
        .values_list("actor__username", "action", "object_type", "object_id")
    )
    carla = cast["case_manager"].username
    assert {
        (carla, "create", "people.personmerge", str(record.pk)),
        (carla, "update", "people.person", str(survivor.pk)),
        (carla, "update", "people.person", str(duplicate.pk)),
        (admin.username, "update", "people.personmerge", str(record.pk)),
        (admin.username, "update", "people.person", str(survivor.pk)),
        (admin.username, "update", "people.person", str(duplicate.pk)),
    } <= trail
    entries = list(
        TimelineEntry.objects.filter(kind="merge").order_by("id").values_list("case_id", "data")
    )
    assert [case_id for case_id, _data in entries] == [moved_case.pk, moved_case.pk]
    assert entries[1][1]["undone"] is True
    assert not TimelineEntry.objects.filter(case=kept_case, kind="merge").exists()
    record.refresh_from_db()
    assert record.undone_by == admin and record.undone_at is not None


def test_undo_is_refused_when_the_kept_record_was_merged_again_since(cast, twins):
    survivor, duplicate, _kept, moved = twins
    manager = cast["case_manager"]
    third = episode(manager, first="Mila", days_ago=2).person
    first_merge = merge(manager, survivor, duplicate)
    merge(manager, third, Person.objects.get(pk=survivor.pk))
    with pytest.raises(ValidationError) as excinfo:
        person_merge_undo(actor=cast["administrator"], merge=first_merge)
    assert "merge" in excinfo.value.message_dict
    first_merge.refresh_from_db()
    assert first_merge.undone_at is None
    assert Case.objects.get(pk=moved.pk).person_id == third.pk
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_the_merged_record_is_hidden_and_cannot_take_part_in_another_merge(cast, twins):
    survivor, duplicate, *_ = twins
    manager = cast["case_manager"]
    merge(manager, survivor, duplicate)
    assert not Person.objects.visible_to(manager).filter(pk=duplicate.pk).exists()
    third = episode(manager, first="Mila", days_ago=2).person
    with pytest.raises(ValidationError) as excinfo:
        merge(manager, third, duplicate)  # a stale copy: the service reads it again
    assert "duplicate_id" in excinfo.value.message_dict
    assert PersonMerge.objects.count() == 1


def test_the_pages_refuse_who_may_not_merge_and_hide_who_they_may_not_see(client, cast, twins):
    from beacon.cases.tests.test_exploitation import exploitation

    survivor, duplicate, *_ = twins
    url = reverse("people:merge", args=[survivor.pk, duplicate.pk])
    client.login(username=cast["first_responder"].username, password=PASSWORD)
    assert client.get(url).status_code == 403
    refused = client.post(url, {"version": 1, "duplicate_version": 1, "reason": "x"})
    assert refused.status_code == 403
    client.logout()
    # A record whose only case is an exploitation case colin may not open: "not found".
    hidden = exploitation(
        cast["case_manager"], facts={"victim_age": 14}, assigned_to=cast["case_manager"]
    ).person
    client.login(username=cast["other_case_manager"].username, password=PASSWORD)
    assert client.get(reverse("people:merge", args=[survivor.pk, hidden.pk])).status_code == 404
    response = client.post(
        reverse("people:merge", args=[survivor.pk, hidden.pk]),
        {"version": survivor.version, "duplicate_version": hidden.version, "reason": "Same"},
    )
    assert response.status_code == 404
    assert not PersonMerge.objects.exists()
    assert Person.objects.get(pk=hidden.pk).merged_into_id is None


def test_the_page_answers_a_stale_version_without_merging(client, cast, twins):
    survivor, duplicate, *_ = twins
    client.login(username=cast["case_manager"].username, password=PASSWORD)
    response = client.post(
        reverse("people:merge", args=[survivor.pk, duplicate.pk]),
        {"version": survivor.version, "duplicate_version": "garbled", "reason": "Same girl"},
    )
    assert response.status_code == 400
    assert "Someone else changed one of these records" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_the_api_answers_404_409_and_422_and_changes_nothing(client, cast, twins):
    from beacon.cases.tests.test_exploitation import exploitation
    from beacon.core.services import token_create

    survivor, duplicate, _kept, moved = twins
    hidden = exploitation(
        cast["case_manager"], facts={"victim_age": 14}, assigned_to=cast["case_manager"]
    ).person
    answers = {}
    for role in ("case_manager", "other_case_manager"):
        _token, secret = token_create(actor=None, user=cast[role], name="t")
        answers[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def post(role, person_id, **body):
        payload = {"duplicate_id": duplicate.pk, "version": 1, "duplicate_version": 1}
        payload.update({"reason": "Same girl", **body})
        return client.post(
            f"/api/v1/people/{person_id}/merge",
            payload,
            content_type="application/json",
            **answers[role],
        )

    assert post("other_case_manager", survivor.pk, duplicate_id=hidden.pk).status_code == 404
    assert post("case_manager", survivor.pk, duplicate_version=7).status_code == 409
    same = post("case_manager", survivor.pk, duplicate_id=survivor.pk)
    assert same.status_code == 422
    assert [e["loc"][-1] for e in same.json()["detail"]] == ["duplicate_id"]
    assert post("case_manager", survivor.pk, reason=" ").status_code == 422
    assert not PersonMerge.objects.exists()
    assert Case.objects.get(pk=moved.pk).person_id == duplicate.pk
    undo = client.post("/api/v1/people/merges/999/undo", **answers["case_manager"])
    assert undo.status_code == 404


def test_an_administrator_undoes_through_the_api_once(client, cast, twins):
    from beacon.core.services import token_create

    survivor, duplicate, _kept, moved = twins
    record = merge(cast["case_manager"], survivor, duplicate)
    _token, secret = token_create(actor=None, user=cast["administrator"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    first = client.post(f"/api/v1/people/merges/{record.pk}/undo", **headers)
    assert first.status_code == 200 and first.json()["undone_at"] is not None
    assert Case.objects.get(pk=moved.pk).person_id == duplicate.pk
    again = client.post(f"/api/v1/people/merges/{record.pk}/undo", **headers)
    assert again.status_code == 422


def test_the_merge_search_offers_the_other_records_not_the_person_itself(client, cast, twins):
    survivor, duplicate, *_ = twins
    client.login(username=cast["case_manager"].username, password=PASSWORD)
    html = client.get(
        reverse("people:search"), {"q": "Mila", "for": "merge", "into": survivor.pk}
    ).content.decode()
    assert reverse("people:merge", args=[survivor.pk, duplicate.pk]) in html
    assert f"/people/{survivor.pk}/merge/{survivor.pk}/" not in html
    merge(cast["case_manager"], survivor, duplicate)
    after = client.get(
        reverse("people:search"), {"q": "Mila", "for": "merge", "into": survivor.pk}
    ).content.decode()
    assert "Nobody else found by that name." in after
