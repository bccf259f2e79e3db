"""The staff UI: who may see what, intake, field errors, locking, closing, episodes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from beacon.cases.models import Case
from beacon.cases.services import case_open
from beacon.core.models import AuditRecord
from beacon.people.models import Person
from conftest import PASSWORD, synthetic_photo

CASE_READERS = ["administrator", "case_manager", "first_responder"]
NO_CASES = ["analyst", "volunteer_coordinator", "finance", "statistics_reader", "nobody"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def intake_post(**overrides) -> dict:
    data = {
        "first_name": "Lena",
        "last_name": "Formulier",
        "date_of_birth": "2011-04-02",
        "gender": "female",
        "languages": "nl",
        "nationality": "BE",
        "kind": "runaway",
        "last_seen_at": local(timezone.now() - timedelta(hours=4)),
        "last_seen_place": "Station",
        "region": "BE-VOV",
        "channel": "116000",
        "reporter_kind": "parent",
        "criterion_abnormal_absence": "on",
        "note_abnormal_absence": "Never stayed out before",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", CASE_READERS)
def test_case_readers_see_list_and_case(client, cast, open_case, role):
    login(client, cast[role])
    assert client.get(reverse("cases:list")).status_code == 200
    response = client.get(reverse("cases:detail", args=[open_case.pk]))
    assert response.status_code == 200
    assert open_case.number in response.content.decode()
    assert (
        AuditRecord.objects.filter(
            actor=cast[role], action="view", object_id=str(open_case.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("role", NO_CASES)
def test_other_roles_get_403_and_the_denial_is_audited(client, cast, open_case, role):
    login(client, cast[role])
    for url in (
        reverse("cases:list"),
        reverse("cases:detail", args=[open_case.pk]),
        reverse("cases:new"),
        reverse("people:detail", args=[open_case.person_id]),
    ):
        before = AuditRecord.objects.filter(action="denied").count()
        assert client.get(url).status_code == 403, url
        denial = AuditRecord.objects.filter(action="denied").first()
        assert AuditRecord.objects.filter(action="denied").count() == before + 1
        assert denial.actor == cast[role] and denial.path == url
    cases_before = Case.objects.count()
    assert client.post(reverse("cases:new"), intake_post()).status_code == 403
    assert Case.objects.count() == cases_before


def test_anonymous_is_sent_to_login(client, open_case):
    response = client.get(reverse("cases:detail", args=[open_case.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_intake_opens_one_worrying_case(client, case_manager):
    login(client, case_manager)
    response = client.post(reverse("cases:new"), intake_post())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert case.worrying is True
    assert case.assessments.get().notes == {"abnormal_absence": "Never stayed out before"}
    assert case.person.first_name == "Lena" and case.region.code == "BE-VOV"
    page = client.get(response.url).content.decode()
    assert "worrying" in page and case.number in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_seen_at": local(timezone.now() + timedelta(days=2))}, "last_seen_at", "future"),
        ({"kind": "family_context:attempted"}, "kind", "Select a valid choice"),
        ({"kind": "legacy_abduction_by_third_party"}, "kind", "Select a valid choice"),
        ({"kind": "runaway:attempted"}, "kind", "Select a valid choice"),
        ({"date_of_birth": "1996-01-01"}, "date_of_birth", "up to 24"),
        ({"date_of_birth": "", "estimated_age": "30"}, "estimated_age", "up to 24"),
        ({"summary": "bad\x07bell"}, "summary", "control characters"),
        ({"last_name": "Escape\x1bd"}, "last_name", "control characters"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_bad_intake_shows_field_errors_and_saves_nothing(
    client, case_manager, overrides, field, message
):
    login(client, case_manager)
    audit_before = AuditRecord.objects.count()
    response = client.post(reverse("cases:new"), intake_post(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Case.objects.count() == 0 and Person.objects.count() == 0
    assert AuditRecord.objects.count() == audit_before


def test_non_image_photo_is_refused(client, case_manager, private_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, case_manager)
    upload = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(reverse("cases:new"), {**intake_post(), "photo": upload})
    assert response.status_code == 400 and "not an image" in response.content.decode()
    assert Case.objects.count() == 0


def test_photo_is_served_only_to_case_readers(client, cast, private_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, cast["case_manager"])
    client.post(
        reverse("cases:new"),
        {**intake_post(), "photo": SimpleUploadedFile("p.jpg", synthetic_photo())},
    )
    person = Person.objects.get()
    response = client.get(reverse("people:photo", args=[person.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.logout()
    login(client, cast["analyst"])
    assert client.get(reverse("people:photo", args=[person.pk])).status_code == 403


def test_second_editor_is_refused_and_the_first_edit_is_kept(client, cast, open_case):
    first, second = cast["case_manager"], cast["administrator"]
    form = {
        "version": open_case.version,
        "last_seen_at": local(open_case.last_seen_at),
        "channel": "116000",
        "reporter_kind": "parent",
        "region": "BE-VAN",
    }
    login(client, first)
    assert (
        client.post(
            reverse("cases:edit", args=[open_case.pk]), {**form, "police_reference": "PV-A"}
        ).status_code
        == 302
    )
    client.logout()
    login(client, second)
    response = client.post(
        reverse("cases:edit", args=[open_case.pk]), {**form, "police_reference": "PV-B"}
    )
    assert response.status_code == 400
    assert "Someone else changed this case" in response.content.decode()
    assert 'value="PV-B"' in response.content.decode()  # the second editor's input is not lost
    open_case.refresh_from_db()
    assert open_case.police_reference == "PV-A"


def test_close_reopen_and_a_new_episode_on_the_person_page(client, case_manager, open_case):
    login(client, case_manager)
    found = local(timezone.now() - timedelta(hours=1))
    response = client.post(
        reverse("cases:close", args=[open_case.pk]),
        {"version": open_case.version, "outcome": "found_safe", "found_at": found},
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.status == "closed" and open_case.outcome == "found_safe"
    response = client.post(
        reverse("cases:new") + f"?person={open_case.person_id}",
        {**intake_post(first_name="", last_name=""), "person_id": open_case.person_id},
    )
    assert response.status_code == 302
    assert Case.objects.filter(person=open_case.person).count() == 2
    page = client.get(reverse("people:detail", args=[open_case.person_id])).content.decode()
    assert "2 episodes" in page
    response = client.post(
        reverse("cases:reopen", args=[open_case.pk]),
        {"version": open_case.version, "reason": "Mistake"},
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.status == "open"


def test_close_with_found_before_last_seen_is_refused(client, case_manager, open_case):
    login(client, case_manager)
    response = client.post(
        reverse("cases:close", args=[open_case.pk]),
        {
            "version": open_case.version,
            "outcome": "found_safe",
            "found_at": local(open_case.last_seen_at - timedelta(hours=2)),
        },
    )
    assert response.status_code == 400
    assert "before they disappeared" in response.content.decode()
    open_case.refresh_from_db()
    assert open_case.status == "open"


def open_cases(actor, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        case_open(
            actor=actor,
            category="runaway",
            person_data={"first_name": f"Many{index}", "last_name": "Queries"},
            last_seen_at=timezone.now() - timedelta(hours=index + 1),
            region="BE-WLG",
            channel="police",
            reporter_kind="police",
        )


def test_list_query_count_does_not_grow_with_the_cases(client, case_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, case_manager)
    url = reverse("cases:list") + "?region=BE-WLG&status=open&q=many"
    open_cases(case_manager, 3)
    with CaptureQueriesContext(connection) as few:
        shown_few = len(client.get(url).context["page"].items)
    open_cases(case_manager, 60, start=3)
    with CaptureQueriesContext(connection) as many:
        shown_many = len(client.get(url).context["page"].items)
    assert shown_few == 3 and shown_many > 3
    assert len(many) == len(few)


def test_list_filters_and_keyset_pages(client, case_manager, django_assert_max_num_queries):
    for index in range(30):
        case_open(
            actor=case_manager,
            category="unaccompanied_minor" if index % 3 == 0 else "runaway",
            person_data={
                "first_name": f"Kid{index}",
                "last_name": "Lijst",
                "date_of_birth": date(2010, 1, 1),
            },
            last_seen_at=timezone.now() - timedelta(hours=index + 1),
            channel="police",
            reporter_kind="police",
        )
    login(client, case_manager)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("cases:list"))
    assert first.context["page"].next_cursor
    second = client.get(reverse("cases:list"), {"cursor": first.context["page"].next_cursor})
    numbers = [c.number for c in first.context["page"].items] + [
        c.number for c in second.context["page"].items
    ]
    assert len(numbers) == 30 and len(set(numbers)) == 30
    filtered = client.get(reverse("cases:list"), {"category": "unaccompanied_minor"})
    assert len(filtered.context["page"].items) == 10
    searched = client.get(reverse("cases:list"), {"q": "kid1"})
    assert {c.person.first_name for c in searched.context["page"].items} == {"Kid1"} | {
        f"Kid1{i}" for i in range(10)
    }
    bad = client.get(reverse("cases:list"), {"opened_from": "not-a-date"})
    assert bad.status_code == 200 and "not understood" in bad.content.decode()


def test_assessment_form_adds_to_the_history(client, case_manager, open_case):
    login(client, case_manager)
    response = client.post(
        reverse("cases:assess", args=[open_case.pk]),
        {
            "version": open_case.version,
            "criterion_medication": "on",
            "note_medication": "Insulin, none with her",
        },
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.worrying is True
    assert [a.criteria_held() for a in open_case.assessments.all()] == [["medication"], []]
    page = client.get(reverse("cases:detail", args=[open_case.pk])).content.decode()
    assert "Depends on medication or medical treatment" in page
    assert "Insulin, none with her" in page


def test_stale_assessment_is_refused(client, case_manager, open_case):
    login(client, case_manager)
    stale = open_case.version
    client.post(
        reverse("cases:note", args=[open_case.pk]), {"kind": "contact", "text": "Called school"}
    )
    client.post(
        reverse("cases:edit", args=[open_case.pk]),
        {
            "version": stale,
            "last_seen_at": local(open_case.last_seen_at),
            "channel": "116000",
            "reporter_kind": "parent",
            "police_reference": "PV-1",
        },
    )
    response = client.post(
        reverse("cases:assess", args=[open_case.pk]),
        {"version": stale, "criterion_disability": "on"},
    )
    assert response.status_code == 400
    assert "Someone else changed this case" in response.content.decode()
    assert open_case.assessments.count() == 1


def test_login_page_speaks_the_language_asked_for(client, db):
    assert '<html lang="fr">' in client.get(reverse("login") + "?lang=fr").content.decode()
    assert '<html lang="en">' in client.get(reverse("login") + "?lang=xx").content.decode()


def test_language_preference_changes_the_page_language(client, case_manager):
    from beacon.core.models import UserProfile

    login(client, case_manager)
    response = client.post(reverse("core:set_language"), {"language": "nl", "next": "/cases/"})
    assert response.status_code == 302 and response.url == "/cases/"
    assert UserProfile.objects.get(user=case_manager).language == "nl"
    page = client.get(reverse("cases:list")).content.decode()
    assert '<html lang="nl">' in page
    assert "<h1>Dossiers" in page and "Afmelden" in page


def test_language_form_ignores_unknown_languages_and_foreign_redirects(client, case_manager):
    from beacon.core.models import UserProfile

    def languages():
        return list(
            UserProfile.objects.filter(user=case_manager).values_list("language", flat=True)
        )

    login(client, case_manager)
    before = languages()
    response = client.post(
        reverse("core:set_language"), {"language": "xx", "next": "https://example.invalid/"}
    )
    assert response.status_code == 302 and response.url == "/"
    assert languages() == before


def test_audit_browser_is_for_administrators(client, cast, open_case):
    login(client, cast["administrator"])
    page = client.get(reverse("core:audit"), {"object_type": "cases.case"})
    assert page.status_code == 200 and f"cases.case {open_case.pk}" in page.content.decode()
    client.logout()
    login(client, cast["case_manager"])
    assert client.get(reverse("core:audit")).status_code == 403


def test_admin_edits_reference_data_only_and_never_the_audit_trail(rf, cast):
    from django.contrib import admin

    from beacon.cases.models import Category
    from beacon.core.models import Organisation, Region

    registry = admin.site._registry
    assert Case not in registry and Person not in registry  # writes go through the services
    assert {Category, Organisation, Region} <= set(registry)
    request = rf.get("/admin/")
    request.user = cast["administrator"]
    request.user.is_superuser = True  # even a superuser may not rewrite the trail
    audit_admin = registry[AuditRecord]
    assert not audit_admin.has_add_permission(request)
    assert not audit_admin.has_change_permission(request)
    assert not audit_admin.has_delete_permission(request)


def test_next_page_link_keeps_the_filters(client, case_manager):
    import html
    import re

    open_cases(case_manager, 27)  # in BE-WLG
    case_open(
        actor=case_manager,
        category="runaway",
        person_data={"first_name": "Elsewhere", "last_name": "Queries"},
        last_seen_at=timezone.now() - timedelta(minutes=30),
        region="BE-VAN",
        channel="police",
        reporter_kind="police",
    )
    login(client, case_manager)
    first = client.get(reverse("cases:list"), {"region": "BE-WLG"})
    assert len(first.context["page"].items) == 25
    link = re.search(r'href="(\?[^"]*cursor=[^"]*)"', first.content.decode())
    assert link is not None
    href = html.unescape(link.group(1))
    assert "region=BE-WLG" in href
    second = client.get(reverse("cases:list") + href)
    rest = second.context["page"].items
    assert len(rest) == 2 and {case.region.code for case in rest} == {"BE-WLG"}
    assert second.context["page"].next_cursor is None


def test_unknown_category_and_assigned_to_me(client, cast, case_manager):
    case_open(
        actor=case_manager,
        category="runaway",
        person_data={"first_name": "Mine", "last_name": "Assigned"},
        last_seen_at=timezone.now() - timedelta(hours=2),
        channel="police",
        reporter_kind="police",
        assigned_to=case_manager,
    )
    open_cases(case_manager, 2)
    login(client, case_manager)
    mine = client.get(reverse("cases:list"), {"assigned_to": "me"})
    assert [case.person.first_name for case in mine.context["page"].items] == ["Mine"]
    unknown = client.get(reverse("cases:list"), {"category": "no_such_category"})
    assert unknown.status_code == 200
    assert "not understood" in unknown.content.decode()
    assert len(unknown.context["page"].items) == 3  # the bad filter is ignored, not applied


def test_a_bad_filter_is_dropped_and_the_good_ones_still_apply(client, case_manager):
    open_cases(case_manager, 2)  # in BE-WLG
    case_open(
        actor=case_manager,
        category="runaway",
        person_data={"first_name": "Elsewhere", "last_name": "Queries"},
        last_seen_at=timezone.now() - timedelta(hours=2),
        region="BE-VAN",
        channel="police",
        reporter_kind="police",
    )
    login(client, case_manager)
    response = client.get(reverse("cases:list"), {"region": "BE-VAN", "opened_from": "31/02/x"})
    assert response.status_code == 200 and "not understood" in response.content.decode()
    assert [case.person.first_name for case in response.context["page"].items] == ["Elsewhere"]


def test_first_responder_sees_no_close_or_edit_form_and_cannot_post_them(client, cast, open_case):
    responder = cast["first_responder"]
    login(client, responder)
    page = client.get(reverse("cases:detail", args=[open_case.pk])).content.decode()
    assert reverse("cases:close", args=[open_case.pk]) not in page
    assert reverse("cases:edit", args=[open_case.pk]) not in page
    assert reverse("cases:assess", args=[open_case.pk]) in page  # assessing is their job
    version = open_case.version
    found = local(timezone.now() - timedelta(hours=1))
    denied_before = AuditRecord.objects.filter(action="denied", actor=responder).count()
    close = client.post(
        reverse("cases:close", args=[open_case.pk]),
        {"version": version, "outcome": "found_safe", "found_at": found},
    )
    edit = client.post(
        reverse("cases:edit", args=[open_case.pk]),
        {
            "version": version,
            "last_seen_at": local(open_case.last_seen_at),
            "channel": "116000",
            "reporter_kind": "parent",
            "police_reference": "PV-X",
        },
    )
    assert (close.status_code, edit.status_code) == (403, 403)
    assert AuditRecord.objects.filter(action="denied", actor=responder).count() == denied_before + 2
    open_case.refresh_from_db()
    assert (open_case.status, open_case.police_reference, open_case.version) == (
        "open",
        "",
        version,
    )
