"""`beacon serve`: the web server and the background worker together, for the embedded setup.

Production runs the two separately (any WSGI server for beacon.wsgi, and `beacon db_worker`);
this command is the one-process start for a laptop or a small office.
"""

import atexit
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

RESTART_SECONDS = 5


class Command(BaseCommand):
    help = "Run Beacon: migrate, optionally load the demo, then serve the web app and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--demo", action="store_true", help="Load the demo organisation first.")
        parser.add_argument("--no-worker", action="store_true", help="Serve the web app only.")

    def handle(self, *args, host, port, threads, demo, no_worker, **options):
        from waitress import serve  # type: ignore[import-untyped]

        from beacon.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        if demo:
            call_command("demo", url=f"http://{host}:{port}/", stdout=self.stdout)
        workers: list[subprocess.Popen] = []
        if not no_worker:
            # The workers are their own processes: a slow task never holds up a web request.
            # db_worker runs queued tasks; tick runs the periodic jobs (outbox, URL checks).
            commands = [
                ["db_worker", "--queue-name", "*", "--no-reload"],
                ["tick", "--loop", str(settings.TICK_SECONDS)],
            ]
            workers = [_start(command) for command in commands]
            atexit.register(lambda: [_stop(worker) for worker in workers])
            # A worker that exits (db_worker gives up when SQLite stays locked past its timeout)
            # is started again, so the embedded setup keeps running its tasks.
            threading.Thread(
                target=_supervise, args=(commands, workers, self.stderr), daemon=True
            ).start()
            signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        # The match index is built while the server starts, not on the first scan.
        from beacon.matching.index import match_index

        match_index.warm()
        self.stdout.write(
            _("Beacon is running on http://%(host)s:%(port)d/ (Ctrl+C stops it).")
            % {"host": host, "port": port}
        )
        try:
            serve(application, host=host, port=port, threads=threads, ident="Beacon")
        finally:
            for worker in workers:
                _stop(worker)


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "beacon", *command])  # noqa: S603 - our own


def _supervise(commands: list[list[str]], workers: list[subprocess.Popen], stderr) -> None:
    """Start again any worker that exited, at most once every RESTART_SECONDS."""
    while True:
        time.sleep(RESTART_SECONDS)
        for position, worker in enumerate(workers):
            if worker.poll() is not None:
                stderr.write(
                    f"beacon {commands[position][0]} exited ({worker.returncode}); starting it again"
                )
                workers[position] = _start(commands[position])


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
