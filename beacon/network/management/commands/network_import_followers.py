"""`beacon network_import_followers FILE.csv [--group NAME]`: subscribe the addresses of a CSV
file (header: address, and optionally channel, group, region, language). All or nothing: bad lines
are listed with their line numbers and nothing is imported; addresses already subscribed are
skipped, so running it again is harmless."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.core.request_context import set_request
from beacon.network.services import followers_import


class Command(BaseCommand):
    help = "Subscribe the addresses of a CSV file as followers (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, first line naming the columns.")
        parser.add_argument("--group", default="", help="Group of the lines that name none.")

    def handle(self, *args, file, group, **options):
        # Audit records of this command's writes say "cli", not the last request's channel.
        set_request(channel="cli", path="")
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": file})
        try:
            result = followers_import(actor=None, content=path.read_bytes(), group=group)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("Nothing was imported.")) from exc
        self.stdout.write(
            _(
                "%(created)d subscribed, %(resubscribed)d subscribed again, "
                "%(already_subscribed)d already subscribed."
            )
            % result
        )
