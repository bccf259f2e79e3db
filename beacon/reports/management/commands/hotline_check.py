"""`beacon hotline_check [--limit N]`: check now the reported URLs whose "is it still online?"
check is due (what `beacon tick` does on its own)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from beacon.reports.liveness import check_due


class Command(BaseCommand):
    help = "Check the reported URLs whose availability check is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most this many URLs.")

    def handle(self, *args, limit=None, **options):
        self.stdout.write(_("Checks: %(outcome)s") % {"outcome": check_due(limit=limit)})
