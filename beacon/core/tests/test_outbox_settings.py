"""The outbox's settings: read from the environment (secrets also from *_FILE), loud when bad."""

import os
import subprocess
import sys

import pytest


def settings_of(env: dict, tmp_path, expression: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"from beacon.core.outbox import signing_key; print({expression})"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "beacon.settings",
            "BEACON_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_signing_key_is_read_from_a_file(tmp_path):
    key_file = tmp_path / "outbox-key"
    key_file.write_text("key-from-a-file\n")
    result = settings_of({"OUTBOX_SIGNING_KEY_FILE": str(key_file)}, tmp_path, "signing_key()")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "b'key-from-a-file'"


def test_defaults(tmp_path):
    result = settings_of(
        {},
        tmp_path,
        "settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_TIMEOUT_SECONDS, "
        "settings.OUTBOX_LEASE_SECONDS, len(signing_key())",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10 30.0 300 64"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OUTBOX_MAX_ATTEMPTS": "many"}, "OUTBOX_MAX_ATTEMPTS"),
        ({"OUTBOX_MAX_ATTEMPTS": "0"}, "OUTBOX_MAX_ATTEMPTS"),
        ({"OUTBOX_TIMEOUT_SECONDS": "-1"}, "OUTBOX_TIMEOUT_SECONDS"),
        # A lease shorter than a send would let a second deliverer send while the first waits.
        ({"OUTBOX_TIMEOUT_SECONDS": "60", "OUTBOX_LEASE_SECONDS": "120"}, "OUTBOX_LEASE_SECONDS"),
        ({"OUTBOX_SIGNING_KEY_FILE": "/nonexistent/key"}, "OUTBOX_SIGNING_KEY_FILE"),
    ],
)
def test_a_bad_outbox_setting_stops_the_process_naming_it(env, named, tmp_path):
    result = settings_of(env, tmp_path, "1")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr
