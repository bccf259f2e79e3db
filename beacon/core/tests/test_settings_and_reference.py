"""Configuration fails loudly on bad values; reference data and roles are in place after migrate."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group

from beacon.cases.models import Category
from beacon.core.models import Organisation, Region
from beacon.core.roles import ROLES


def run_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "beacon.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"LANGUAGE_CODE": "xx"}, "LANGUAGE_CODE"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE"),
    ],
)
def test_a_bad_setting_stops_the_process_naming_the_variable(env, named, tmp_path):
    result = run_settings({**env, "BEACON_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_secret_key_file_is_read(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-file\n")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "beacon.settings",
            "SECRET_KEY_FILE": str(secret),
            "BEACON_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "s3cret-from-file"


def test_belgian_reference_data_is_loaded(db):
    organisation = Organisation.objects.get()
    assert organisation.country == "BE"
    assert organisation.phone_numbers["missing_children_hotline"] == "116000"
    assert Region.objects.count() == 11
    keys = set(Category.objects.values_list("key", flat=True))
    assert {
        "runaway",
        "family_context",
        "abduction_outside_family",
        "undefined_and_other",
        "unaccompanied_minor",
        "legacy_international_parental_abduction",
        "legacy_abduction_by_third_party",
    } <= keys
    legacy = Category.objects.get(key="legacy_abduction_by_third_party")
    assert legacy.is_legacy and legacy.active_in_year(2024) and not legacy.active_in_year(2025)
    family = Category.objects.get(key="family_context")
    assert not family.is_legacy and family.active_in_year(2025) and not family.active_in_year(2024)
    assert list(family.subkinds.values_list("key", flat=True)) == [
        "international_parental_abduction",
        "other_family_disappearance",
        "preventive",
    ]


def test_every_role_exists_with_exactly_its_permissions(db):
    for name, role in ROLES.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(role["permissions"]), name


@pytest.mark.parametrize(
    "role", ["analyst", "volunteer_coordinator", "finance", "statistics_reader"]
)
def test_roles_outside_case_work_cannot_read_children(cast, role):
    user = cast[role]
    assert not user.has_perm("cases.view_missing_case")
    assert not user.has_perm("people.view_person")


def test_responders_start_on_the_line_and_others_on_the_case_list(client, cast):
    from conftest import PASSWORD

    for role, start in (
        ("first_responder", "/line/"),
        ("case_manager", "/cases/"),
        ("finance", "/funding/donors/"),
        ("volunteer_coordinator", "/network/"),
    ):
        client.login(username=cast[role].username, password=PASSWORD)
        response = client.get("/")
        assert (response.status_code, response.url) == (302, start), role
        client.logout()
    assert client.get("/").url == "/cases/"  # and from there to the login page
