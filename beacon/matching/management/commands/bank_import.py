"""`beacon bank_import BANK_NAME FILE --format pdq|csv|md5|sha1|sha256`: import a file of hashes
into a bank in the foreground, printing the progress (the same import as an upload in the staff
pages, without the worker). `beacon bank_import --resume IMPORT_ID` finishes an import that
stopped half-way; it goes on where it stopped and repeats nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.core.request_context import set_request
from beacon.matching import banks
from beacon.matching.choices import ImportFormat, ImportStatus
from beacon.matching.models import BankImport, HashBank


class Command(BaseCommand):
    help = "Import a file of hashes into a hash bank, in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("bank", nargs="?", help="The bank's name.")
        parser.add_argument("file", nargs="?", help="The file of hashes.")
        parser.add_argument("--format", choices=ImportFormat.values, help="The file's format.")
        parser.add_argument(
            "--resume", type=int, metavar="IMPORT_ID", help="Finish an interrupted import."
        )
        parser.add_argument(
            "--chunk-lines",
            type=int,
            default=banks.IMPORT_CHUNK_LINES,
            help="Lines read per transaction (default %(default)s).",
        )

    def handle(self, *args, bank, file, format, resume, chunk_lines, **options):
        # Audit records of this command's writes say "cli", not the last request's channel.
        set_request(channel="cli", path="")
        if chunk_lines < 1:
            raise CommandError(_("--chunk-lines must be at least 1."))
        if resume is not None:
            if bank or file or format:
                raise CommandError(
                    _("Give either --resume IMPORT_ID or a bank, a file and --format.")
                )
            import_id = resume
            if not BankImport.objects.filter(pk=import_id).exists():
                raise CommandError(_("No import %(id)d.") % {"id": import_id})
        else:
            import_id = self._upload(bank, file, format)
        imported = banks.import_run(
            import_id=import_id, chunk_lines=chunk_lines, progress=self._progress
        )
        self._summary(imported)

    def _upload(self, bank_name, file, format) -> int:
        if not bank_name or not file or not format:
            raise CommandError(_("Give the bank's name, the file and --format."))
        bank = HashBank.objects.filter(name=bank_name).first()
        if bank is None:
            raise CommandError(_("No bank named %(name)r.") % {"name": bank_name})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": file})
        try:
            with path.open("rb") as handle:
                imported = banks.import_upload(
                    actor=None,
                    bank_id=bank.pk,
                    format=format,
                    file=handle,
                    filename=path.name,
                    enqueue=False,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("Import %(id)d: %(lines)d lines into %(bank)s.")
            % {"id": imported.pk, "lines": imported.lines_total, "bank": bank.name}
        )
        return imported.pk

    def _progress(self, imported: BankImport) -> None:
        self.stdout.write(
            _(
                "%(done)d/%(total)d lines (%(pct)d%%): %(added)d added, %(duplicates)d duplicates, "
                "%(malformed)d malformed"
            )  # fmt: skip
            % {
                "done": imported.lines_done,
                "total": imported.lines_total,
                "pct": imported.progress_pct,
                "added": imported.added,
                "duplicates": imported.duplicates,
                "malformed": imported.malformed,
            }
        )

    def _summary(self, imported: BankImport) -> None:
        for line in banks.import_error_lines(imported)[:20]:
            self.stderr.write(line)
        if imported.malformed > 20:
            self.stderr.write(
                _("(%(count)d malformed lines in all; the first 1,000 are on the import's page.)")
                % {"count": imported.malformed}
            )
        if imported.status == ImportStatus.FAILED:
            raise CommandError(_("The import failed: %(why)s") % {"why": imported.failure})
        if imported.status != ImportStatus.DONE:
            raise CommandError(
                _("The import did not finish (another run is working on it): %(status)s")
                % {"status": imported.get_status_display()}
            )
        self.stdout.write(
            _("Done: %(added)d added, %(duplicates)d duplicates, %(malformed)d malformed lines.")
            % {
                "added": imported.added,
                "duplicates": imported.duplicates,
                "malformed": imported.malformed,
            }
        )
