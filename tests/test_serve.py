"""`beacon serve` starts a real web server and worker on a fresh embedded database."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, attempts: int = 300) -> bytes:
    for _ in range(attempts):
        if process.poll() is not None:
            raise AssertionError(f"beacon serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{url} answered {exc.code}") from exc
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_serve_runs_web_and_worker_on_a_fresh_sqlite_database(tmp_path):
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["BEACON_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "beacon", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/login/", process)
        assert b"<form" in page
        assert (tmp_path / "beacon.sqlite3").exists()
        # The worker is a child process of serve, polling the same database.
        children = subprocess.run(  # noqa: S603, S607
            ["pgrep", "-P", str(process.pid), "-f", "db_worker"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert children.stdout.strip(), "no db_worker child process"
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"http://127.0.0.1:{port}/" in output  # the start message, in the default language
    if process.returncode not in (0, -15):
        pytest.fail(f"serve exited with {process.returncode}: {output[-2000:]}")
