"""`beacon tick`: run the periodic jobs once (cron every minute), or forever with --loop."""

import time

from django.core.management.base import BaseCommand

from beacon.core.schedule import run_periodic_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs (outbox delivery, URL checks, retention) once, or in a loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Run again every SECONDS."
        )

    def handle(self, *args, loop: int, **options):
        while True:
            for job, outcome in run_periodic_jobs().items():
                if options["verbosity"] > 1 or outcome.startswith("failed"):
                    self.stdout.write(f"{job}: {outcome}")
            if not loop:
                return
            time.sleep(loop)
