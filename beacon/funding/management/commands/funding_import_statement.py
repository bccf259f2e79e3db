"""`beacon funding_import_statement FILE --user USERNAME`: import a CAMT.053 bank statement, the
same service as the bank page and the API, with the permissions of the user named (a finance
user or an administrator). A refused file writes nothing and exits with its message. CODA files
are not read (no maintained parser exists)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.core.request_context import set_request
from beacon.funding import bank


class Command(BaseCommand):
    help = "Import a CAMT.053 bank statement: matched credits become gifts, the rest is queued."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CAMT.053 (XML) file.")
        parser.add_argument("--user", required=True, help="Who imports (a finance user).")

    def handle(self, *args, file: str, user: str, **options):
        # Audit records of this command's writes say "cli", not the last request's channel.
        set_request(channel="cli", path="")
        users = get_user_model().objects
        try:
            actor = users.get(username=user)
        except users.model.DoesNotExist:
            raise CommandError(_("No user %(name)s.") % {"name": user}) from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file %(file)s.") % {"file": file})
        if path.stat().st_size > bank.MAX_FILE_BYTES:
            raise CommandError(
                _("The file is too large (at most %(mb)d MB).")
                % {"mb": bank.MAX_FILE_BYTES // 1024 // 1024}
            )
        try:
            statement = bank.statement_import(
                actor=actor, filename=path.name, content=path.read_bytes()
            )
        except ValidationError as exc:
            raise CommandError(" ".join(str(m) for m in exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(_("%(user)s may not do this.") % {"user": actor}) from exc
        queued = statement.lines.filter(status="unmatched").count()
        self.stdout.write(
            _(
                "%(file)s: %(entries)d entries, %(new)d new, %(matched)d matched to donors, "
                "%(queued)d left to resolve."
            )
            % {
                "file": path.name,
                "entries": statement.entries,
                "new": statement.new_entries,
                "matched": statement.matched,
                "queued": queued,
            }
        )
