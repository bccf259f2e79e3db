"""Prevention's services: the bad inputs each refused on its field with nothing written, the
volunteers a session may name, optimistic versions, the audit trail, and who may write."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.core.models import AuditAction, AuditRecord
from beacon.network.tests.helpers import volunteer
from beacon.prevention import selectors, services
from beacon.prevention.models import Session, ToolHandout, Training

pytestmark = pytest.mark.django_db


@pytest.fixture
def victor(cast):
    return cast["volunteer_coordinator"]


def training_values(**overrides) -> dict:
    values = {
        "audience": "police",
        "module": "Missing children: police training",
        "held_on": date(2025, 3, 4),
        "place": "Police school",
        "municipality": "21004",
        "trainer": "Tess Trainer",
        "participants": 24,
    }
    values.update(overrides)
    return values


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_training_is_recorded_and_audited(victor):
    training = services.training_create(actor=victor, **training_values())
    assert training.municipality.code == "21004"
    assert training.created_by == victor
    assert AuditRecord.objects.filter(
        action=AuditAction.CREATE, object_type="prevention.training", object_id=str(training.pk)
    ).exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("audience", "students"),
        ("audience", ""),
        ("module", ""),
        ("module", "x" * 201),
        ("module", "line\nbreak"),
        ("trainer", "   "),
        ("held_on", "2025-02-30"),
        ("held_on", "yesterday"),
        ("held_on", date(1999, 12, 31)),
        ("held_on", None),
        ("participants", -1),
        ("participants", "12a"),
        ("participants", 5_001),
        ("participants", 3.5),
        ("participants", True),
        ("participants", None),
        ("municipality", "99999"),
    ],
)
def test_bad_training_input_is_refused_on_its_field(victor, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.training_create(actor=victor, **training_values(**{field: value}))
    assert list(errors_of(excinfo)) == [field]
    assert not Training.objects.exists()


def test_several_bad_fields_are_told_together(victor):
    with pytest.raises(ValidationError) as excinfo:
        services.training_create(
            actor=victor, **training_values(audience="x", participants=-3, trainer="")
        )
    assert set(errors_of(excinfo)) == {"audience", "participants", "trainer"}


def test_a_planned_training_is_accepted_but_not_years_ahead(victor):
    soon = timezone.localdate() + timedelta(days=60)
    assert services.training_create(actor=victor, **training_values(held_on=soon))
    far = timezone.localdate() + timedelta(days=3 * 366)
    with pytest.raises(ValidationError) as excinfo:
        services.training_create(actor=victor, **training_values(held_on=far))
    assert list(errors_of(excinfo)) == ["held_on"]


def test_unknown_fields_are_a_programming_error(victor):
    with pytest.raises(TypeError):
        services.training_create(actor=victor, **training_values(colour="red"))


def test_training_update_changes_fields_with_the_version(victor):
    training = services.training_create(actor=victor, **training_values())
    updated = services.training_update(
        actor=victor, training_id=training.pk, expected_version=1, participants=30
    )
    assert updated.version == 2
    training.refresh_from_db()
    assert (training.participants, training.version, training.audience) == (30, 2, "police")
    record = AuditRecord.objects.get(action=AuditAction.UPDATE, object_id=str(training.pk))
    assert record.fields == ["participants"]


def test_a_stale_training_version_is_refused_and_changes_nothing(victor):
    training = services.training_create(actor=victor, **training_values())
    services.training_update(actor=victor, training_id=training.pk, expected_version=1, place="A")
    with pytest.raises(services.TrainingChangedError):
        services.training_update(
            actor=victor, training_id=training.pk, expected_version=1, place="B"
        )
    training.refresh_from_db()
    assert (training.place, training.version) == ("A", 2)


def test_a_bad_change_is_refused_and_the_training_kept(victor):
    training = services.training_create(actor=victor, **training_values())
    with pytest.raises(ValidationError) as excinfo:
        services.training_update(
            actor=victor, training_id=training.pk, expected_version=1, participants=-5
        )
    assert list(errors_of(excinfo)) == ["participants"]
    training.refresh_from_db()
    assert (training.participants, training.version) == (24, 1)


# --- sessions ---------------------------------------------------------------------------------


def session_values(**overrides) -> dict:
    values = {
        "kind": "school",
        "held_on": date(2025, 5, 12),
        "venue": "Primary school (test)",
        "municipality": "44021",
        "children_reached": 23,
    }
    values.update(overrides)
    return values


def test_a_session_names_active_volunteers(victor):
    ann = volunteer(victor, first_name="Ann", email="ann@example.org")
    bob = volunteer(victor, first_name="Bob", email="bob@example.org")
    session = services.session_create(
        actor=victor, **session_values(volunteers=[ann.pk, str(bob.pk), ann.pk])
    )
    assert set(session.volunteers.values_list("pk", flat=True)) == {ann.pk, bob.pk}


def test_an_inactive_or_unknown_volunteer_is_refused(victor):
    gone = volunteer(victor, first_name="Gone", email="gone@example.org", active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(actor=victor, **session_values(volunteers=[gone.pk]))
    assert list(errors_of(excinfo)) == ["volunteers"]
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(actor=victor, **session_values(volunteers=[987654]))
    assert list(errors_of(excinfo)) == ["volunteers"]
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(actor=victor, **session_values(volunteers=["abc"]))
    assert list(errors_of(excinfo)) == ["volunteers"]
    assert not Session.objects.exists()


def test_a_volunteer_who_left_stays_on_a_session_but_is_not_added(victor):
    ann = volunteer(victor, first_name="Ann", email="ann@example.org")
    bob = volunteer(victor, first_name="Bob", email="bob@example.org")
    session = services.session_create(actor=victor, **session_values(volunteers=[ann.pk]))
    from beacon.network import services as network_services

    network_services.volunteer_deactivate(actor=victor, volunteer_id=ann.pk, expected_version=1)
    network_services.volunteer_deactivate(actor=victor, volunteer_id=bob.pk, expected_version=1)
    services.session_update(
        actor=victor,
        session_id=session.pk,
        expected_version=1,
        volunteers=[ann.pk],
        children_reached=25,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.session_update(
            actor=victor, session_id=session.pk, expected_version=2, volunteers=[ann.pk, bob.pk]
        )
    assert list(errors_of(excinfo)) == ["volunteers"]
    session.refresh_from_db()
    assert list(session.volunteers.values_list("pk", flat=True)) == [ann.pk]
    assert session.children_reached == 25


@pytest.mark.parametrize(
    "field, value",
    [
        ("kind", "workshop"),
        ("venue", ""),
        ("children_reached", -1),
        ("children_reached", 20_001),
        ("children_reached", "many"),
        ("held_on", "31/12/2025"),
    ],
)
def test_bad_session_input_is_refused_on_its_field(victor, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(actor=victor, **session_values(**{field: value}))
    assert list(errors_of(excinfo)) == [field]
    assert not Session.objects.exists()


def test_session_version_conflict(victor):
    session = services.session_create(actor=victor, **session_values())
    services.session_update(actor=victor, session_id=session.pk, expected_version=1, venue="B")
    with pytest.raises(services.SessionChangedError):
        services.session_update(actor=victor, session_id=session.pk, expected_version=1, venue="C")
    # Nothing to change, but a stale version: still told.
    with pytest.raises(services.SessionChangedError):
        services.session_update(actor=victor, session_id=session.pk, expected_version=1, venue="B")
    session.refresh_from_db()
    assert (session.venue, session.version) == ("B", 2)


# --- tools and permissions ---------------------------------------------------------------------


def test_tools_handed_out(victor):
    handout = services.tool_handout_create(
        actor=victor, tool="#FlashTag game", quantity=12, handed_on="2025-04-01", recipient="X"
    )
    assert handout.handed_on == date(2025, 4, 1)
    for bad in (0, -2, "ten", None):
        with pytest.raises(ValidationError) as excinfo:
            services.tool_handout_create(
                actor=victor, tool="Game", quantity=bad, handed_on="2025-04-01"
            )
        assert list(errors_of(excinfo)) == ["quantity"]
    assert ToolHandout.objects.count() == 1


@pytest.mark.parametrize("role", ["finance", "case_manager", "statistics_reader", "nobody"])
def test_other_roles_may_not_write_nor_read(cast, role):
    user = cast[role]
    with pytest.raises(PermissionDenied):
        services.training_create(actor=user, **training_values())
    with pytest.raises(PermissionDenied):
        services.session_create(actor=user, **session_values())
    with pytest.raises(PermissionDenied):
        services.tool_handout_create(actor=user, tool="x", quantity=1, handed_on="2025-01-01")
    with pytest.raises(PermissionDenied):
        selectors.trainings_list(user=user)
    with pytest.raises(PermissionDenied):
        selectors.sessions_list(user=user)
    with pytest.raises(PermissionDenied):
        selectors.year_counts(user=user, year=2025)
    assert not Training.objects.exists()


def test_only_who_may_read_volunteers_sees_their_names(cast, victor):
    ann = volunteer(victor, first_name="Ann", last_name="Example", email="ann@example.org")
    services.session_create(actor=cast["administrator"], **session_values(volunteers=[ann.pk]))
    for user, names in [(victor, ["Ann Example"]), (cast["administrator"], None)]:
        (session,) = selectors.sessions_list(user=user)
        assert session.volunteer_count == 1
        shown = selectors.session_volunteer_names(user=user, session=session)
        assert shown == names


def test_year_counts(victor):
    services.training_create(actor=victor, **training_values(participants=10))
    services.training_create(actor=victor, **training_values(audience="parents", participants=40))
    services.training_create(actor=victor, **training_values(held_on=date(2024, 12, 31)))
    services.session_create(actor=victor, **session_values(children_reached=20))
    counts = selectors.year_counts(user=victor, year=2025)
    by_audience = {value: (n, people) for value, _label, n, people in counts.trainings}
    assert by_audience["police"] == (1, 10)
    assert by_audience["parents"] == (1, 40)
    assert by_audience["teachers"] == (0, 0)
    by_kind = {value: (n, children) for value, _label, n, children in counts.sessions}
    assert by_kind == {"school": (1, 20), "stand": (0, 0)}
    assert counts.tools == 0
