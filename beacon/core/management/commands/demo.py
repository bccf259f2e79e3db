"""`beacon demo`: load the synthetic demo organisation (idempotent)."""

import secrets
import time

from django.core.management.base import BaseCommand

from beacon.demo.loader import DEMO_USERS, DemoLoader


class Command(BaseCommand):
    help = "Load the demo organisation: staff of every role and synthetic cases 2019-2025."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for every demo login (default: a new random one)."
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="Where Beacon is served (shown)."
        )

    def handle(self, *args, password=None, url="http://127.0.0.1:8000/", **options):
        password = password or secrets.token_urlsafe(9)
        started = time.monotonic()
        self.stdout.write("Loading the demo organisation (synthetic data)...")
        DemoLoader(out=self.stdout.write).load(password=password)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.\n")
        self.stdout.write(f"Demo logins ({url}), all with the password: " + password)
        for username, role in DEMO_USERS.items():
            self.stdout.write(f"  {username:20} {role}")
