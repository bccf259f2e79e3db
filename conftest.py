"""Shared test fixtures: a fixed cast of users, one per role, and a case to work on."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from beacon.core.roles import ROLES

# The cast: one person per role, always the same names (healthchecks' alice/bob/charlie idea).
CAST = {
    "administrator": "alice",
    "case_manager": "carla",
    "first_responder": "fred",
    "analyst": "anna",
    "volunteer_coordinator": "victor",
    "finance": "fiona",
    "statistics_reader": "stan",
}
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast logs in constantly; PBKDF2's deliberate slowness only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def cast(db) -> dict[str, User]:
    """Users keyed by role name (and by their own name)."""
    users = {role: make_user(name, role) for role, name in CAST.items()}
    users["nobody"] = make_user("nora", None)
    return users


@pytest.fixture
def case_manager(cast) -> User:
    return cast["case_manager"]


@pytest.fixture
def open_case(case_manager):
    from beacon.cases.services import case_open

    return case_open(
        actor=case_manager,
        category="runaway",
        person_data={
            "first_name": "Lotte",
            "last_name": "Testperson",
            "date_of_birth": date(2011, 3, 14),
            "gender": "female",
        },
        last_seen_at=timezone.now() - timedelta(hours=5),
        last_seen_place="Station, Testville",
        region="BE-VAN",
        channel="116000",
        reporter_kind="parent",
    )
