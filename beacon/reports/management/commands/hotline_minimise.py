"""`beacon hotline_minimise`: minimise the civil hotline's reports closed more than
HOTLINE_RETENTION_DAYS ago and the URLs left with only minimised reports (what `beacon tick` does on
its own; idempotent)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from beacon.reports.retention import minimise_due


class Command(BaseCommand):
    help = "Minimise the hotline's reports and URLs past the retention period."

    def handle(self, *args, **options):
        self.stdout.write(_("Minimised: %(outcome)s") % {"outcome": minimise_due()})
