"""Prevention's pages: who gets 403 (audited, nothing written), who gets 200; the year's counts
and lists with their filters; forms that keep the input and show the service's errors; the
volunteers' names only for who may read them."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from beacon.core.models import AuditAction, AuditRecord
from beacon.network.tests.helpers import volunteer
from beacon.prevention import services
from beacon.prevention.models import Session, ToolHandout, Training

pytestmark = pytest.mark.django_db

HOME = reverse("prevention:home")


@pytest.fixture
def victor(cast):
    return cast["volunteer_coordinator"]


def training(actor, **values) -> Training:
    defaults = {
        "audience": "teachers",
        "module": "iCoach",
        "held_on": date(2025, 2, 3),
        "trainer": "Tom Trainer",
        "participants": 15,
    }
    return services.training_create(actor=actor, **{**defaults, **values})


def training_form(**overrides) -> dict:
    data = {
        "audience": "youth_care",
        "module": "GPS",
        "held_on": "2025-10-02",
        "place": "Room 1",
        "municipality": "",
        "trainer": "Tia Trainer",
        "participants": "18",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["finance", "case_manager", "statistics_reader", "nobody"])
def test_other_roles_get_403_audited(client, cast, role):
    client.force_login(cast[role])
    existing = training(cast["volunteer_coordinator"])
    pages = [
        ("get", HOME),
        ("get", reverse("prevention:training_new")),
        ("post", reverse("prevention:training_new")),
        ("get", reverse("prevention:training", args=[existing.pk])),
        ("get", reverse("prevention:session_new")),
        ("post", reverse("prevention:session_new")),
        ("get", reverse("prevention:tool_new")),
    ]
    for method, url in pages:
        before = AuditRecord.objects.filter(action=AuditAction.DENIED).count()
        data = training_form() if method == "post" else None
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 403, url
        assert AuditRecord.objects.filter(action=AuditAction.DENIED).count() == before + 1
    assert Training.objects.count() == 1


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["volunteer_coordinator", "administrator"])
def test_coordinators_and_administrators_see_the_year(client, cast, role):
    victor = cast["volunteer_coordinator"]
    training(victor, audience="parents", module="Safe online", participants=33)
    training(victor, audience="police", module="Police module", held_on=date(2024, 5, 5))
    client.force_login(cast[role])
    response = client.get(HOME, {"year": "2025"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Safe online" in body
    assert "Police module" not in body
    counts = {value: (n, people) for value, _l, n, people in response.context["counts"].trainings}
    assert counts["parents"] == (1, 33)
    assert counts["police"] == (0, 0)
    response = client.get(HOME, {"year": "2024", "audience": "parents"})
    assert "Police module" not in response.content.decode()
    response = client.get(HOME, {"year": "2024", "audience": "police"})
    assert "Police module" in response.content.decode()


def test_a_bad_year_falls_back_to_this_year(client, victor):
    client.force_login(victor)
    response = client.get(HOME, {"year": "drop table", "audience": "aliens"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert response.context["audience"] == ""


def test_volunteer_names_on_the_list_only_for_coordinators(client, cast, victor):
    ann = volunteer(victor, first_name="Annelies", last_name="Demotest", email="a@example.org")
    services.session_create(
        actor=victor,
        kind="school",
        held_on=date(2025, 3, 3),
        venue="School A",
        volunteers=[ann.pk],
        children_reached=20,
    )
    client.force_login(victor)
    assert "Annelies Demotest" in client.get(HOME, {"year": "2025"}).content.decode()
    client.force_login(cast["administrator"])
    body = client.get(HOME, {"year": "2025"}).content.decode()
    assert "School A" in body
    assert "Annelies" not in body


def test_new_training_form(client, victor):
    client.force_login(victor)
    assert client.get(reverse("prevention:training_new")).status_code == 200
    response = client.post(reverse("prevention:training_new"), training_form())
    assert response.status_code == 302
    created = Training.objects.get()
    assert (created.audience, created.participants, created.created_by) == (
        "youth_care",
        18,
        victor,
    )


def test_the_form_keeps_the_input_and_shows_the_service_errors(client, victor):
    client.force_login(victor)
    response = client.post(
        reverse("prevention:training_new"),
        training_form(held_on="1990-01-01", municipality="", module="Kept module"),
    )
    assert response.status_code == 400
    assert "held_on" in response.context["form"].errors
    assert "Kept module" in response.content.decode()
    assert not Training.objects.exists()


def test_edit_training_with_a_stale_version(client, victor):
    existing = training(victor)
    client.force_login(victor)
    url = reverse("prevention:training", args=[existing.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, training_form(version="1", participants="20")).status_code == 302
    response = client.post(url, training_form(version="1", participants="22"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    existing.refresh_from_db()
    assert (existing.participants, existing.version) == (20, 2)
    assert client.get(reverse("prevention:training", args=[99999])).status_code == 404


def test_new_session_with_volunteers_chosen_among_the_active(client, victor):
    ann = volunteer(victor, first_name="Ann", email="ann@example.org")
    gone = volunteer(victor, first_name="Gone", email="gone@example.org", active=False)
    client.force_login(victor)
    page = client.get(reverse("prevention:session_new"))
    choices = dict(page.context["form"].fields["volunteers"].choices)
    assert ann.pk in choices and gone.pk not in choices
    data = {
        "kind": "stand",
        "held_on": "2025-06-14",
        "venue": "Summer fair",
        "municipality": "44021",
        "children_reached": "140",
    }
    response = client.post(reverse("prevention:session_new"), {**data, "volunteers": [gone.pk]})
    assert response.status_code == 400
    assert "volunteers" in response.context["form"].errors
    response = client.post(reverse("prevention:session_new"), {**data, "volunteers": [ann.pk]})
    assert response.status_code == 302
    session = Session.objects.get()
    assert list(session.volunteers.all()) == [ann]
    assert session.municipality.code == "44021"


def test_an_administrator_edits_a_session_without_touching_its_volunteers(client, cast, victor):
    ann = volunteer(victor, first_name="Ann", email="ann@example.org")
    session = services.session_create(
        actor=victor, kind="school", held_on=date(2025, 3, 3), venue="School A", volunteers=[ann]
    )
    client.force_login(cast["administrator"])
    url = reverse("prevention:session", args=[session.pk])
    page = client.get(url)
    assert "volunteers" not in page.context["form"].fields
    # (a whole word: the navigation's "Annual report" is not her)
    assert not re.search(r"\bAnn\b", page.content.decode())
    data = {"kind": "school", "held_on": "2025-03-03", "venue": "School B", "version": "1"}
    assert client.post(url, {**data, "children_reached": "21"}).status_code == 302
    session.refresh_from_db()
    assert (session.venue, session.children_reached) == ("School B", 21)
    assert list(session.volunteers.all()) == [ann]


def test_tools_form(client, victor):
    client.force_login(victor)
    assert client.get(reverse("prevention:tool_new")).status_code == 200
    data = {"tool": "MAX 24/7 poster", "quantity": "0", "handed_on": "2025-04-01"}
    assert client.post(reverse("prevention:tool_new"), data).status_code == 400
    data["quantity"] = "50"
    assert client.post(reverse("prevention:tool_new"), data).status_code == 302
    assert ToolHandout.objects.get().quantity == 50
    body = client.get(HOME, {"year": "2025"}).content.decode()
    assert "MAX 24/7 poster" in body


def test_the_home_page_reads_in_a_fixed_number_of_queries(client, victor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [volunteer(victor, first_name=f"V{i}", email=f"v{i}@example.org") for i in range(4)]

    def add(n: int) -> None:
        for i in range(n):
            training(victor, module=f"Module {i}")
            services.session_create(
                actor=victor,
                kind="school",
                held_on=date(2025, 4, 1 + i),
                venue=f"School {i}",
                municipality="44021",
                volunteers=people[: 1 + i % 4],
            )
            services.tool_handout_create(
                actor=victor, tool=f"Tool {i}", quantity=3, handed_on="2025-04-01"
            )

    client.force_login(victor)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME, {"year": "2025"}).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(HOME, {"year": "2025"}).status_code == 200
    assert len(many) == len(few)
