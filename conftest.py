"""Shared test fixtures: a fixed cast of users, one per role, and a case to work on."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

# The cast: one person per role, always the same names (healthchecks' alice/bob/charlie idea).
CAST = {
    "administrator": "alice",
    "case_manager": "carla",
    "first_responder": "fred",
    "analyst": "anna",
    "volunteer_coordinator": "victor",
    "finance": "fiona",
    "statistics_reader": "stan",
    "team_lead": "tess",
}
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast logs in constantly; PBKDF2's deliberate slowness only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Tests assert English messages unless they choose a language; the shipped default is Dutch.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # The public form's rate limit counts in the cache, which lives as long as the test process:
    # every test starts with no submissions counted.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_match_index_between_tests(settings):
    # The match index is a snapshot kept by the process; each test's banks start from nothing
    # (ids may be reused once a test's transaction is rolled back). Rebuilds run in the test's
    # thread: a background thread's connection would not see the test's uncommitted hashes.
    from beacon.matching.index import match_index

    settings.MATCHING_INDEX_BACKGROUND = False
    match_index.reset()
    yield
    match_index.reset()


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
    # A second case manager, in no team: may not open carla's exploitation cases.
    users["other_case_manager"] = make_user("colin", "case_manager")
    return users


@pytest.fixture
def team(cast):
    """Tess leads a team of which carla (the case manager) is a member."""
    from beacon.core.models import Team

    team = Team.objects.create(name="Exploitation team", lead=cast["team_lead"])
    team.members.add(cast["case_manager"])
    return team


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


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded files go to a throw-away folder instead of the data directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/nonexistent/"},
        },
    }
    return tmp_path / "private"


def synthetic_photo(*, size=(800, 600), fmt="JPEG", gps=True) -> bytes:
    """A generated image (no real person), optionally carrying EXIF GPS data to be stripped."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (90, 140, 200))
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (255, 255, 255))
    buffer = io.BytesIO()
    if gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (50.0, 51.0, 0.0), 3: "E", 4: (4.0, 21.0, 0.0)}
        exif[0x010F] = "Synthetic camera"
        image.save(buffer, format=fmt, exif=exif)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()
