"""Hash banks: keeping them (create, edit), reading hashes into them from files, removing hashes a
partner retracts, and exporting them; and the reads that have rules.

Who may do what: holders of `matching.view_hashbank` (analysts, administrators) see banks, their
counts and their imports; administrators keep them: `add_hashbank` / `change_hashbank` to create
and edit, `add_bankimport` to import, `change_bankhash` to remove hashes. Exporting a bank also
needs `change_hashbank`: an exported file is the bank's content leaving Beacon, and partner and
industry lists are shared on the condition that they are not passed on, so it is a keeper's act.

Imports. The upload is copied to private storage (DATA_DIR/private/imports/, a random name, never
under a public path) and checked while it is copied: at most IMPORT_MAX_BYTES, text (UTF-8, no NUL
byte). A BankImport row records it, and the task `run_import` reads it with `import_run`, chunk by
chunk: each chunk is one transaction that inserts the new hashes, counts the duplicates, records
the malformed lines and advances `lines_done`. A crash between chunks loses nothing and a run
started again goes on from `lines_done` and repeats nothing. The formats:

- `pdq`: a PDQ hash (64 hex characters) per line, optionally followed by its quality (0-100),
  separated by a comma or white space: `<hex>`, `<hex>,<quality>`, `<hex> <quality>`.
- `csv`: ThreatExchange-style columns with a header line naming them: the hash (`hash`,
  `signal_value`, `pdq`, `pdq_hash`, `value` or `indicator`), optionally `quality` and `tags`
  (tags separated by spaces, semicolons or commas); other columns are ignored. The delimiter is
  detected from the header line (comma, semicolon, tab or `|`) and accepted. A header without a
  hash column fails the import, naming the columns it found. One record per line (a quoted field
  may not hold a line break).
- `md5`, `sha1`, `sha256`: one hash per line (32, 40, 64 hex characters). The output of the
  checksum tools is accepted too: `<hex>  <file name>` (two spaces) or `<hex> *<file name>`.

Hex may be upper or lower case; it is stored in lower case. Blank lines and lines starting with
`#` are skipped. A hash already in the bank, or repeated in the file, counts as a duplicate; a
hash that was removed from the bank and comes again is restored and counts as added.
"""

import codecs
import csv
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.tasks import enqueue_with_transaction
from beacon.core.validators import (
    reject_control_characters,
    reject_control_characters_single_line,
)
from beacon.matching.choices import (
    FORMAT_KIND,
    HEX_LENGTH,
    BankSource,
    HashKind,
    ImportFormat,
    ImportStatus,
)
from beacon.matching.models import BankHash, BankImport, HashBank
from beacon.reports.choices import ILLEGAL, Classification

logger = logging.getLogger(__name__)

VIEW = "matching.view_hashbank"
CREATE = "matching.add_hashbank"
CHANGE = "matching.change_hashbank"
IMPORT = "matching.add_bankimport"
REMOVE = "matching.change_bankhash"
EXPORT = CHANGE  # see the module's docstring

# An upload larger than this is refused (a million PDQ lines with a quality are about 67 MB).
IMPORT_MAX_BYTES = 512 * 1024 * 1024
# Lines read per transaction: small enough to keep each transaction short, large enough that a
# million lines are 200 transactions.
IMPORT_CHUNK_LINES = 5_000
# Malformed lines recorded with their number and reason (all are counted).
IMPORT_ERRORS_KEPT = 1_000
# Values per IN (...) of a look-up: below every database's limit of parameters.
LOOKUP_SLICE = 900
COPY_BLOCK = 1024 * 1024
EXPORT_CHUNK_ROWS = 2_000
# Hashes removed in one go, and how many bad values are named in the answer.
REMOVE_MAX_VALUES = 10_000
REMOVE_ERRORS_SHOWN = 100
NAME_MAX = 120
DESCRIPTION_MAX = 5_000
REASON_MAX = 300
TAGS_MAX = 500
FAILURE_MAX = 300
# Bytes of a bad value quoted in a message.
QUOTE_MAX = 80

BANK_FIELDS = (
    "name",
    "source",
    "description",
    "auto_act_exact",
    "near_to_analysts",
    "near_threshold",
    "classification",
    "active",
)
HASH_COLUMNS = ("hash", "signal_value", "pdq", "pdq_hash", "value", "indicator")
QUALITY_COLUMNS = ("quality", "pdq_quality", "signal_quality")
TAGS_COLUMNS = ("tags", "tag", "labels")
CSV_DELIMITERS = (",", ";", "\t", "|")

HEX = re.compile(r"[0-9a-fA-F]+")
CHECKSUM_LINE = re.compile(r"([0-9A-Za-z]+)(?:  | \*)(.+)")
TAG_SEPARATORS = re.compile(r"[\s;,]+")
VALUE_SEPARATORS = re.compile(r"[\s,;]+")


class BankChangedError(ConcurrentEditError):
    """Someone changed the bank since it was read (409 in the API)."""

    message = gettext_lazy(
        "Someone else changed this bank since you opened it. Reload it to see their changes, "
        "then apply yours again."
    )


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _bump(bank_id: int, now) -> None:
    """A change the match index must see: it rebuilds for a bank whose version moved."""
    HashBank.objects.filter(pk=bank_id).update(version=F("version") + 1, changed_at=now)


# --- reads ----------------------------------------------------------------------------------------


def banks_list(*, user) -> QuerySet[HashBank]:
    """Every bank with its number of hashes not removed (`live_hashes`), in one query."""
    require(user, VIEW)
    return HashBank.objects.annotate(
        live_hashes=Count("hashes", filter=Q(hashes__removed_at__isnull=True))
    ).order_by("name")


def bank_get(*, user, pk: int) -> HashBank:
    """One bank (HashBank.DoesNotExist when there is none)."""
    require(user, VIEW)
    return HashBank.objects.get(pk=pk)


def bank_counts(bank: HashBank) -> dict[str, int]:
    """Hashes not removed, per kind (every kind present, zero when none). An inactive bank keeps
    its hashes: they count here, though nothing matches them until it is active again."""
    counts = dict.fromkeys(HashKind.values, 0)
    rows = (
        BankHash.objects.filter(bank=bank, removed_at__isnull=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, n in rows:
        counts[kind] = n
    return counts


def bank_imports(*, user, bank: HashBank, limit: int = 50) -> list[BankImport]:
    """The bank's latest imports, newest first."""
    require(user, VIEW)
    return list(BankImport.objects.filter(bank=bank).select_related("created_by")[:limit])


def import_get(*, user, pk: int, bank_id: int | None = None) -> BankImport:
    """One import with its progress and errors (BankImport.DoesNotExist when there is none, or
    when it is not the given bank's)."""
    require(user, VIEW)
    imports = BankImport.objects.select_related("bank", "created_by")
    if bank_id is not None:
        imports = imports.filter(bank_id=bank_id)
    return imports.get(pk=pk)


# --- keeping banks --------------------------------------------------------------------------------


def _classifications() -> list[str]:
    return [value for value in Classification.values if value in ILLEGAL]


def _clean_bank(values: dict, errors: FieldErrors, *, bank_id: int | None) -> dict:
    """Checked and normalised values of a bank's fields (only those given)."""
    cleaned = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            errors.add("name", _("Give the bank a name."))
        elif len(name) > NAME_MAX:
            errors.add("name", _("The name is too long."))
        else:
            errors.run("name", reject_control_characters_single_line, name)
            same_name = HashBank.objects.filter(name__iexact=name)
            if bank_id is not None:
                same_name = same_name.exclude(pk=bank_id)
            if same_name.exists():
                errors.add("name", _("Another bank has this name."))
        cleaned["name"] = name
    if "source" in values:
        if values["source"] not in BankSource.values:
            errors.add("source", _("Choose one of the listed values."))
        cleaned["source"] = values["source"]
    if "classification" in values:
        if values["classification"] not in _classifications():
            errors.add("classification", _("Choose one of the listed values."))
        cleaned["classification"] = values["classification"]
    if "description" in values:
        description = (values["description"] or "").strip()
        if len(description) > DESCRIPTION_MAX:
            errors.add(
                "description", _("At most %(count)d characters.") % {"count": DESCRIPTION_MAX}
            )
        errors.run("description", reject_control_characters, description)
        cleaned["description"] = description
    if "near_threshold" in values:
        threshold = values["near_threshold"]
        if not isinstance(threshold, int) or isinstance(threshold, bool):
            errors.add("near_threshold", _("Give a whole number from 0 to 64."))
        elif not 0 <= threshold <= 64:
            errors.add("near_threshold", _("The distance is from 0 to 64."))
        cleaned["near_threshold"] = threshold
    for flag in ("auto_act_exact", "near_to_analysts", "active"):
        if flag in values:
            if not isinstance(values[flag], bool):
                errors.add(flag, _("Give true or false."))
            cleaned[flag] = values[flag]
    return cleaned


@transaction.atomic
def bank_create(
    *,
    actor,
    name: str,
    source: str,
    description: str = "",
    auto_act_exact: bool = False,
    near_to_analysts: bool = True,
    near_threshold: int = 31,
    classification: str = "baseline",
    active: bool = True,
) -> HashBank:
    """A new bank, empty: fill it with imports."""
    require(actor, CREATE)
    values = {
        "name": name,
        "source": source,
        "description": description,
        "auto_act_exact": auto_act_exact,
        "near_to_analysts": near_to_analysts,
        "near_threshold": near_threshold,
        "classification": classification,
        "active": active,
    }
    errors = FieldErrors()
    cleaned = _clean_bank(values, errors, bank_id=None)
    errors.raise_if_any()
    now = timezone.now()
    try:
        with transaction.atomic():
            bank = HashBank.objects.create(**cleaned, created_at=now, changed_at=now)
    except IntegrityError:
        # Two administrators created the same name at the same moment.
        raise ValidationError({"name": [_("Another bank has this name.")]}) from None
    audit(actor=actor, action=AuditAction.CREATE, obj=bank, fields=BANK_FIELDS)
    return bank


@transaction.atomic
def bank_update(*, actor, bank_id: int, expected_version: int, **changes) -> HashBank:
    """Change a bank's settings (only the fields given). A stale `expected_version` raises
    BankChangedError; a change moves `version` and `changed_at`, which tells the match index to
    rebuild."""
    require(actor, CHANGE)
    unknown = set(changes) - set(BANK_FIELDS)
    if unknown:
        raise TypeError(f"unknown bank fields: {sorted(unknown)}")
    bank = HashBank.objects.select_for_update().get(pk=bank_id)
    if bank.version != expected_version:
        raise BankChangedError()
    errors = FieldErrors()
    cleaned = _clean_bank(changes, errors, bank_id=bank.pk)
    errors.raise_if_any()
    changed = {field: value for field, value in cleaned.items() if getattr(bank, field) != value}
    if not changed:
        return bank
    now = timezone.now()
    try:
        with transaction.atomic():
            HashBank.objects.filter(pk=bank.pk).update(
                **changed, version=F("version") + 1, changed_at=now
            )
    except IntegrityError:
        raise ValidationError({"name": [_("Another bank has this name.")]}) from None
    bank.refresh_from_db()
    audit(actor=actor, action=AuditAction.UPDATE, obj=bank, fields=changed)
    return bank


# --- uploading an import --------------------------------------------------------------------------


def imports_dir() -> Path:
    """Where uploads wait for their import: private, never served."""
    return Path(settings.DATA_DIR) / "private" / "imports"


def _stored_path(stored: str) -> Path | None:
    """The stored file's full path, as long as it is a plain name in the imports folder."""
    if not stored or "/" in stored or "\\" in stored or stored.startswith("."):
        return None
    return imports_dir() / stored


@dataclass(frozen=True)
class _Stored:
    name: str
    size: int
    lines: int


def _blocks(source) -> Iterator[bytes]:
    if hasattr(source, "chunks"):
        if hasattr(source, "seek"):
            source.seek(0)
        yield from source.chunks(COPY_BLOCK)
        return
    while block := source.read(COPY_BLOCK):
        yield block


def _not_text_message() -> str:
    return _(
        "This is not a text file. Give the hashes as text (UTF-8): one per line, or a CSV with "
        "a header."
    )


def _too_large_message() -> str:
    return _("The file is too large: %(size)d MB at most.") % {
        "size": IMPORT_MAX_BYTES // (1024 * 1024)
    }


def _store(source, errors: FieldErrors) -> _Stored | None:
    """Copy an upload into the imports folder, counting its lines and checking that it is text
    and not too large. None (and the reason in `errors`) when it is refused."""
    folder = imports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = folder / name
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = lines = 0
    last = b""
    problem = None
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as target:
            for block in _blocks(source):
                size += len(block)
                if size > IMPORT_MAX_BYTES:
                    problem = _too_large_message()
                    break
                if b"\x00" in block:
                    problem = _not_text_message()
                    break
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    problem = _not_text_message()
                    break
                lines += block.count(b"\n")
                last = block[-1:]
                target.write(block)
        if problem is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                problem = _not_text_message()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if problem is not None:
        path.unlink(missing_ok=True)
        errors.add("file", problem)
        return None
    if size and last != b"\n":
        lines += 1
    return _Stored(name=name, size=size, lines=lines)


def _enqueue_run(import_id: int) -> None:
    from beacon.matching.tasks import run_import

    enqueue_with_transaction(run_import, import_id)


def _file_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(char for char in name if char.isprintable())
    return name[: BankImport._meta.get_field("filename").max_length]


def import_upload(
    *, actor, bank_id: int, format: str, file, filename: str = "", enqueue: bool = True
) -> BankImport:
    """Store an uploaded file of hashes and queue its import into the bank.

    `file` is an UploadedFile or a binary file object. The copy is made before the transaction
    (a large upload holds no database lock), then the import's row, its audit record and its task
    are written in one transaction. `enqueue=False` leaves the run to the caller (the command
    runs it in the foreground). The actor None is the command line, trusted: whoever runs it
    holds the server."""
    if actor is not None:
        require(actor, IMPORT)
    bank = HashBank.objects.get(pk=bank_id)
    errors = FieldErrors()
    if format not in ImportFormat.values:
        errors.add("format", _("Choose one of the listed formats."))
    if file is None:
        errors.add("file", _("Choose a file."))
    elif getattr(file, "size", None) is not None and file.size > IMPORT_MAX_BYTES:
        errors.add("file", _too_large_message())
    errors.raise_if_any()
    stored = _store(file, errors)
    errors.raise_if_any()
    assert stored is not None
    try:
        with transaction.atomic():
            imported = BankImport.objects.create(
                bank=bank,
                format=format,
                filename=_file_name(filename or getattr(file, "name", "") or ""),
                stored_path=stored.name,
                size=stored.size,
                lines_total=stored.lines,
                created_by=_actor(actor),
            )
            audit(
                actor=actor,
                action=AuditAction.CREATE,
                obj=imported,
                fields=["bank", "format", "filename"],
            )
            if enqueue:
                _enqueue_run(imported.pk)
    except BaseException:
        (imports_dir() / stored.name).unlink(missing_ok=True)
        raise
    return imported


@transaction.atomic
def import_resume(*, actor, import_id: int, bank_id: int | None = None) -> BankImport:
    """Queue again an import that stopped half-way (the worker was stopped or crashed). Safe
    while it still runs: a second run notices that the first one moved on and stops."""
    require(actor, IMPORT)
    imports = BankImport.objects.select_for_update()
    if bank_id is not None:
        imports = imports.filter(bank_id=bank_id)
    imported = imports.get(pk=import_id)
    if imported.status not in (ImportStatus.WAITING, ImportStatus.RUNNING):
        raise ValidationError(_("This import has ended; upload the file again to repeat it."))
    _enqueue_run(imported.pk)
    return imported


def resume_stalled(now: datetime | None = None) -> str:
    """Queue again every import that stopped moving (its worker was stopped or crashed): waiting
    or running, no progress for settings.MATCHING_IMPORT_STALL_MINUTES (a periodic job; a second
    run of a live import notices the first and stops, so a false alarm costs nothing)."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.MATCHING_IMPORT_STALL_MINUTES)
    stalled = BankImport.objects.filter(
        status__in=(ImportStatus.WAITING, ImportStatus.RUNNING)
    ).filter(Q(progressed_at__lt=limit) | Q(progressed_at__isnull=True, created_at__lt=limit))
    resumed = 0
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            # Counted as progress: the next tick does not queue it again before it had its time.
            BankImport.objects.filter(pk=pk).update(progressed_at=now)
            _enqueue_run(pk)
            audit(actor=None, action=AuditAction.UPDATE, object_type="matching.bankimport",
                  object_id=pk, fields=["progressed_at"])  # fmt: skip
        resumed += 1
    return f"{resumed} stalled import(s) queued again" if resumed else ""


# --- parsing lines --------------------------------------------------------------------------------


class LineError(Exception):
    """Why one line of a file is not a hash (recorded with its number)."""


class HeaderError(Exception):
    """Why a CSV cannot be read at all (the import fails with this message)."""


@dataclass(frozen=True)
class Entry:
    value: str
    quality: int | None = None
    tags: str = ""


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_MAX else text[:QUOTE_MAX] + "…"


def parse_hex(token: str, kind: str, *, shown: str = "") -> str:
    """The hash in lower case, or LineError: not hex (quoting `shown`, by default the token),
    or not the length of its kind."""
    expected = HEX_LENGTH[HashKind(kind)]
    if not HEX.fullmatch(token):
        raise LineError(
            _("malformed hex: “%(value)s” is not a hexadecimal hash")
            % {"value": _quote(shown or token)}
        )
    if len(token) != expected:
        raise LineError(
            _("wrong length for %(kind)s: %(count)d hex characters, %(expected)d expected")
            % {"kind": HashKind(kind).label, "count": len(token), "expected": expected}
        )
    return token.lower()


def parse_quality(token: str) -> int | None:
    token = token.strip()
    if not token:
        return None
    try:
        quality = int(token)
    except ValueError:
        raise LineError(
            _("quality “%(value)s” is not a number (0-100)") % {"value": _quote(token)}
        ) from None
    if not 0 <= quality <= 100:
        raise LineError(_("quality %(value)d is outside 0-100") % {"value": quality})
    return quality


def normalise_tags(text: str) -> str:
    """Tags separated by single spaces, each once, cut at a whole tag to fit the column."""
    tags: list[str] = []
    length = -1
    for tag in TAG_SEPARATORS.split(text.strip()):
        if not tag or tag in tags or not tag.isprintable():
            continue
        if length + 1 + len(tag) > TAGS_MAX:
            break
        tags.append(tag)
        length += 1 + len(tag)
    return " ".join(tags)


def parse_pdq_line(text: str) -> Entry:
    tokens = [token for token in re.split(r"[\s,]+", text.strip()) if token]
    value = parse_hex(tokens[0], HashKind.PDQ, shown=text.strip())
    if len(tokens) > 2:
        raise LineError(_("too many values: a PDQ hash and its quality at most"))
    return Entry(value, parse_quality(tokens[1]) if len(tokens) == 2 else None)


def _crypto_parser(kind: str) -> Callable[[str], Entry]:
    def parse(text: str) -> Entry:
        text = text.strip()
        checksum = CHECKSUM_LINE.fullmatch(text)
        tokens = [checksum.group(1)] if checksum else text.split()
        value = parse_hex(tokens[0], kind, shown=text)
        if len(tokens) > 1:
            raise LineError(_("too many values: one hash per line"))
        return Entry(value)

    return parse


@dataclass(frozen=True)
class CsvColumns:
    delimiter: str
    hash: int
    quality: int | None
    tags: int | None


def _header_name(cell: str) -> str:
    return cell.strip().strip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")


def csv_columns(header: str) -> CsvColumns:
    """The delimiter and the columns of a CSV, from its header line (HeaderError if there is no
    hash column)."""
    counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
    delimiter = max(CSV_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        cells = next(csv.reader([header], delimiter=delimiter))
    except (csv.Error, StopIteration):
        cells = [header]
    names = [_header_name(cell) for cell in cells]

    def find(candidates: tuple[str, ...]) -> int | None:
        for candidate in candidates:
            if candidate in names:
                return names.index(candidate)
        return None

    hash_column = find(HASH_COLUMNS)
    if hash_column is None:
        if names and HEX.fullmatch(names[0]) and len(names[0]) >= 32:
            raise HeaderError(
                _(
                    "The first line is a hash, not a header: a CSV needs a header naming its "
                    "columns (hash, quality, tags). Import a file without a header as PDQ lines."
                )
            )
        found = ", ".join(f"“{_quote(cell.strip())}”" for cell in cells if cell.strip())
        message = _(
            "No hash column: the header has %(found)s; name the hash column one of: %(names)s."
        ) % {"found": found or _("no columns"), "names": ", ".join(HASH_COLUMNS)}
        if len(message) > FAILURE_MAX:
            message = _("No hash column; name the hash column one of: %(names)s.") % {
                "names": ", ".join(HASH_COLUMNS)
            }
        raise HeaderError(message)
    return CsvColumns(delimiter, hash_column, find(QUALITY_COLUMNS), find(TAGS_COLUMNS))


def _csv_parser(columns: CsvColumns) -> Callable[[str], Entry]:
    def parse(text: str) -> Entry:
        try:
            cells = next(csv.reader([text], delimiter=columns.delimiter, strict=True))
        except (csv.Error, StopIteration):
            raise LineError(_("not a valid CSV line")) from None

        def cell(index: int | None, name: str) -> str:
            if index is None:
                return ""
            if index >= len(cells):
                raise LineError(_("missing column %(column)s") % {"column": name})
            return cells[index]

        value = parse_hex(cell(columns.hash, "hash").strip(), HashKind.PDQ)
        quality = parse_quality(cell(columns.quality, "quality"))
        return Entry(value, quality, normalise_tags(cell(columns.tags, "tags")))

    return parse


def _skipped(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _numbered_lines(handle) -> Iterator[tuple[int, str | None]]:
    """(line number from 1, its text without the line break, or None if it is not UTF-8)."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text.rstrip("\r\n")


# --- running an import ----------------------------------------------------------------------------


def _import_start(import_id: int) -> BankImport | None:
    """Mark the import running; None when it has already ended (a second run does nothing)."""
    with transaction.atomic():
        imported = BankImport.objects.select_for_update().get(pk=import_id)
        if imported.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        now = timezone.now()
        if imported.status == ImportStatus.WAITING or imported.started_at is None:
            imported.status = ImportStatus.RUNNING
            imported.started_at = imported.started_at or now
        BankImport.objects.filter(pk=imported.pk).update(
            status=imported.status, started_at=imported.started_at, progressed_at=now
        )
        return imported


def _parse_chunk(
    lines: list[tuple[int, str | None]], parse: Callable[[str], Entry]
) -> tuple[list[Entry], list[dict]]:
    entries: list[Entry] = []
    malformed: list[dict] = []
    for number, text in lines:
        if text is None:
            malformed.append({"line": number, "reason": _("not text (not UTF-8)")})
            continue
        if _skipped(text):
            continue
        try:
            entries.append(parse(text))
        except LineError as exc:
            malformed.append({"line": number, "reason": str(exc)})
    return entries, malformed


def _slices(values: list, size: int = LOOKUP_SLICE) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _import_chunk(
    *,
    import_id: int,
    bank_id: int,
    kind: str,
    entries: list[Entry],
    malformed: list[dict],
    expected_done: int,
    last_line: int,
) -> bool:
    """Write one chunk in one transaction. False when another run of the same import got here
    first (it goes on; this one stops)."""
    with transaction.atomic():
        state = (
            BankImport.objects.select_for_update()
            .filter(pk=import_id)
            .values("status", "lines_done", "errors")
            .get()
        )
        if state["status"] != ImportStatus.RUNNING or state["lines_done"] != expected_done:
            return False
        firsts: dict[str, Entry] = {}
        for entry in entries:
            firsts.setdefault(entry.value, entry)
        duplicates = len(entries) - len(firsts)
        live: set[str] = set()
        removed: dict[str, int] = {}
        values = list(firsts)
        for part in _slices(values):
            rows = BankHash.objects.filter(bank_id=bank_id, kind=kind, value__in=part).order_by()
            for pk, value, removed_at in rows.values_list("pk", "value", "removed_at"):
                if removed_at is None:
                    live.add(value)
                else:
                    removed[value] = pk
        duplicates += len(live)
        now = timezone.now()
        restored = [
            BankHash(
                pk=pk,
                removed_at=None,
                removal_reason="",
                added_at=now,
                imported_by_id=import_id,
                quality=firsts[value].quality,
                tags=firsts[value].tags,
            )
            for value, pk in removed.items()
        ]
        if restored:
            BankHash.objects.bulk_update(
                restored,
                ["removed_at", "removal_reason", "added_at", "imported_by", "quality", "tags"],
                batch_size=LOOKUP_SLICE,
            )
            # A restored hash keeps its old id: the match index finds it only in a new snapshot
            # (new hashes have higher ids, which it searches beside its snapshot).
            _bump(bank_id, now)
        new = [value for value in values if value not in live and value not in removed]
        BankHash.objects.bulk_create(
            [
                BankHash(
                    bank_id=bank_id,
                    kind=kind,
                    value=value,
                    quality=firsts[value].quality,
                    tags=firsts[value].tags,
                    added_at=now,
                    imported_by_id=import_id,
                )
                for value in new
            ],
            batch_size=LOOKUP_SLICE,
            ignore_conflicts=True,
        )
        # What was really inserted: another import into the same bank may have written some of
        # these values since they were looked up (theirs are then duplicates here).
        inserted = sum(
            BankHash.objects.filter(
                bank_id=bank_id, kind=kind, value__in=part, imported_by_id=import_id
            ).count()
            for part in _slices(new)
        )
        duplicates += len(new) - inserted
        errors = state["errors"] or []
        room = max(0, IMPORT_ERRORS_KEPT - len(errors))
        BankImport.objects.filter(pk=import_id).update(
            lines_done=last_line,
            progressed_at=timezone.now(),
            added=F("added") + inserted + len(restored),
            duplicates=F("duplicates") + duplicates,
            malformed=F("malformed") + len(malformed),
            errors=errors + malformed[:room] if room and malformed else errors,
        )
    return True


def _refresh_statistics() -> None:
    """Let PostgreSQL's planner see how many hashes there are now. A table that grew from empty
    during an import looks tiny to it until autovacuum gets there, and it then reads each
    chunk's look-ups through the bank alone, scanning the whole bank per look-up: measured,
    200,000 lines took 93 s instead of 58 s, and it grows with the square of the file.
    (SQLite, without statistics, already picks the unique index.)"""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(BankHash._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    except DatabaseError:
        logger.warning("Could not ANALYZE the banked hashes; imports may slow down as they grow")


def _import_finish(import_id: int, *, failure: str = "") -> BankImport:
    """End the import (done, or failed with the reason), then delete its stored file."""
    with transaction.atomic():
        imported = BankImport.objects.select_for_update().get(pk=import_id)
        if imported.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return imported
        stored = imported.stored_path
        now = timezone.now()
        values: dict = {"finished_at": now, "stored_path": ""}
        if failure:
            values.update(status=ImportStatus.FAILED, failure=failure[:FAILURE_MAX])
        else:
            values.update(status=ImportStatus.DONE, lines_done=imported.lines_total)
        BankImport.objects.filter(pk=imported.pk).update(**values)
        if imported.added:
            _bump(imported.bank_id, now)
        imported.refresh_from_db()
        audit(
            actor=imported.created_by,
            action=AuditAction.UPDATE,
            obj=imported,
            fields=["status", "added", "duplicates", "malformed"],
        )
    # After the commit: if it failed, the file is still there for a run to finish the work.
    path = _stored_path(stored)
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.exception("Could not delete the stored import file %s", path)
    return imported


def import_run(
    *,
    import_id: int,
    chunk_lines: int = IMPORT_CHUNK_LINES,
    progress: Callable[[BankImport], None] | None = None,
) -> BankImport:
    """Read an import's stored file into its bank, from `lines_done` on, `chunk_lines` lines
    per transaction; `progress(import)` after each chunk. Safe to run again at any point: an
    ended import is left as it is, an interrupted one goes on where it stopped, and of two
    runs at the same time one stops at its first chunk."""
    imported = _import_start(import_id)
    if imported is None:
        return BankImport.objects.get(pk=import_id)
    path = _stored_path(imported.stored_path)
    if path is None or not path.is_file():
        return _import_finish(imported.pk, failure=_("The uploaded file is gone: upload it again."))
    kind = FORMAT_KIND[ImportFormat(imported.format)]
    done = imported.lines_done
    with path.open("rb") as handle:
        lines = _numbered_lines(handle)
        if imported.format == ImportFormat.PDQ_CSV:
            for _number, text in lines:
                if text is None:
                    return _import_finish(imported.pk, failure=_not_text_message())
                if not _skipped(text):
                    try:
                        columns = csv_columns(text)
                    except HeaderError as exc:
                        return _import_finish(imported.pk, failure=str(exc))
                    parse = _csv_parser(columns)
                    break
            else:
                # Nothing but blank lines and comments: nothing to import.
                return _import_finish(imported.pk)
        elif imported.format == ImportFormat.PDQ_LINES:
            parse = parse_pdq_line
        else:
            parse = _crypto_parser(kind)

        chunks = 0

        def flush(pending: list[tuple[int, str | None]]) -> bool:
            nonlocal done, chunks
            entries, malformed = _parse_chunk(pending, parse)
            if not _import_chunk(
                import_id=imported.pk,
                bank_id=imported.bank_id,
                kind=kind,
                entries=entries,
                malformed=malformed,
                expected_done=done,
                last_line=pending[-1][0],
            ):
                return False
            done = pending[-1][0]
            chunks += 1
            if chunks & (chunks - 1) == 0:
                # After the 1st, 2nd, 4th, 8th... chunk: as often as the bank may have doubled.
                _refresh_statistics()
            if progress is not None:
                progress(BankImport.objects.get(pk=imported.pk))
            return True

        pending: list[tuple[int, str | None]] = []
        for number, text in lines:
            if number <= done:
                continue
            pending.append((number, text))
            if len(pending) >= chunk_lines:
                if not flush(pending):
                    return BankImport.objects.get(pk=imported.pk)
                pending = []
        if pending and not flush(pending):
            return BankImport.objects.get(pk=imported.pk)
    return _import_finish(imported.pk)


def import_error_lines(imported: BankImport) -> list[str]:
    """The recorded malformed lines as sentences ("Line 12: ...")."""
    return [
        _("Line %(line)d: %(reason)s") % {"line": error["line"], "reason": error["reason"]}
        for error in imported.errors or []
    ]


# --- removing hashes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    removed: int
    already_removed: int


def split_values(values: str | Iterable[str]) -> list[str]:
    """Pasted values (separated by white space, commas or semicolons), each once, in order."""
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for item in values:
        for value in VALUE_SEPARATORS.split(item or ""):
            if value:
                seen.setdefault(value.lower(), None)
    return list(seen)


@transaction.atomic
def hashes_remove(
    *, actor, bank_id: int, values: str | Iterable[str], reason: str, kind: str = ""
) -> Removal:
    """Remove hashes from a bank (a partner retracted them): each is kept, marked removed with
    the reason, and no longer matches. All or nothing: a value that is not a hash, or not in
    the bank, is named in the error and nothing is removed. A hash already removed is left as
    it was. Without `kind`, a value is looked up among the kinds of its length (64 hex
    characters: PDQ and SHA-256)."""
    require(actor, REMOVE)
    bank = HashBank.objects.select_for_update().get(pk=bank_id)
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why the hashes are removed."))
    elif len(reason) > REASON_MAX:
        errors.add("reason", _("At most %(count)d characters.") % {"count": REASON_MAX})
    else:
        errors.run("reason", reject_control_characters_single_line, reason)
    if kind and kind not in HashKind.values:
        errors.add("kind", _("Choose one of the listed values."))
        kind = ""
    wanted = split_values(values)
    if not wanted:
        errors.add("values", _("Give at least one hash."))
    elif len(wanted) > REMOVE_MAX_VALUES:
        errors.add(
            "values", _("At most %(count)d hashes at a time.") % {"count": REMOVE_MAX_VALUES}
        )
    errors.raise_if_any()

    kinds = [kind] if kind else list(HashKind.values)
    problems: list[str] = []
    good: list[str] = []
    for value in wanted:
        if not HEX.fullmatch(value):
            problems.append(
                _("“%(value)s”: malformed hex, not a hexadecimal hash") % {"value": _quote(value)}
            )
        elif not any(len(value) == HEX_LENGTH[HashKind(k)] for k in kinds):
            problems.append(
                _("“%(value)s”: wrong length (%(count)d hex characters) for %(kinds)s")
                % {
                    "value": _quote(value),
                    "count": len(value),
                    "kinds": ", ".join(HashKind(k).label for k in kinds),
                }
            )
        else:
            good.append(value)
    rows: list[BankHash] = []
    for part in _slices(good):
        rows.extend(BankHash.objects.filter(bank=bank, kind__in=kinds, value__in=part))
    found = {row.value for row in rows}
    problems.extend(
        _("“%(value)s” is not in this bank") % {"value": value}
        for value in good
        if value not in found
    )
    if problems:
        shown = problems[:REMOVE_ERRORS_SHOWN]
        if len(problems) > len(shown):
            shown.append(
                _("… and %(count)d more values with a problem.")
                % {"count": len(problems) - len(shown)}
            )
        raise ValidationError({"values": shown})

    now = timezone.now()
    live = [row for row in rows if row.removed_at is None]
    for part in _slices([row.pk for row in live]):
        BankHash.objects.filter(pk__in=part).update(removed_at=now, removal_reason=reason)
    for row in live:
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            fields=["removed_at", "removal_reason"],
        )
    if live:
        _bump(bank.pk, now)
    return Removal(removed=len(live), already_removed=len(rows) - len(live))


# --- exporting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    lines: Iterator[str]


def _csv_cell(text: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export_lines(bank_id: int, format: str) -> Iterator[str]:
    kind = FORMAT_KIND[ImportFormat(format)]
    rows = (
        BankHash.objects.filter(bank_id=bank_id, kind=kind, removed_at__isnull=True)
        .order_by("id")
        .values_list("value", "quality", "tags")
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    block: list[str] = []
    if format == ImportFormat.PDQ_CSV:
        block.append("hash,quality,tags\n")
    for value, quality, tags in rows:
        if format == ImportFormat.PDQ_CSV:
            quality_text = "" if quality is None else str(quality)
            cell = _csv_cell(tags)
            if any(char in cell for char in ',"'):
                cell = '"' + cell.replace('"', '""') + '"'
            block.append(f"{value},{quality_text},{cell}\n")
        elif format == ImportFormat.PDQ_LINES and quality is not None:
            block.append(f"{value},{quality}\n")
        else:
            block.append(f"{value}\n")
        if len(block) >= EXPORT_CHUNK_ROWS:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


@transaction.atomic
def bank_export(*, actor, bank_id: int, format: str) -> Export:
    """A bank's hashes (not removed) of the format's kind, as text lines produced while they are
    sent: PDQ lines with their quality, a CSV with the header hash,quality,tags, or one MD5,
    SHA-1 or SHA-256 per line; each file imports again as it is. The export is audited."""
    require(actor, EXPORT)
    bank = HashBank.objects.get(pk=bank_id)
    if format not in ImportFormat.values:
        raise ValidationError({"format": [_("Choose one of the listed formats.")]})
    audit(actor=actor, action=AuditAction.EXPORT, obj=bank, fields=[f"format:{format}"])
    extension = "csv" if format == ImportFormat.PDQ_CSV else "txt"
    return Export(
        filename=f"{slugify(bank.name) or 'bank'}-{format}.{extension}",
        content_type="text/csv; charset=utf-8"
        if format == ImportFormat.PDQ_CSV
        else "text/plain; charset=utf-8",
        lines=_export_lines(bank.pk, format),
    )
