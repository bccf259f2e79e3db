"""Import the view and share counts a social-media tool exports, as a CSV file.

One row per notice and network:

    notice,network,views,shares,reach,interactions
    K7M2QXR9PA,facebook,120433,2210,98000,5400

The header is required (columns in any order, extra columns ignored, names case-insensitive); a
comma, semicolon or tab separates the cells (spreadsheets in Belgium write semicolons); an empty
count is 0. A row is bad when its notice does not exist or was never published, its network is
not one of StatNetwork's, a count is not a whole number of 0 or more, or the same notice and
network came earlier in the file. Every bad row is reported with its line number, and then
nothing is imported: a file is taken whole or not at all, so importing it again after fixing it
never counts a row twice. A good file replaces each notice's figures for the networks it names
(through `stat_record`, which audits each row).
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from beacon.alerts.choices import NoticeStatus, StatNetwork, StatSource
from beacon.alerts.models import SearchNotice
from beacon.alerts.selectors import notices_visible_to
from beacon.alerts.services import stat_record
from beacon.core.permissions import require

COLUMNS = ("notice", "network", "views", "shares", "reach", "interactions")
COUNTS = ("views", "shares", "reach", "interactions")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Counts a tool can report for one post: far above any real one, below the column's limit.
MAX_COUNT = 2_000_000_000


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class StatsImportResult:
    imported: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(file) -> str:
    raw = file.read(MAX_BYTES + 1) if hasattr(file, "read") else file
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BYTES:
        raise ValueError(_("The file is larger than 5 MB."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(_("The file is not UTF-8 text.")) from exc


def _dialect(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def _count(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return 0
    if not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_COUNT else None


def _rows(text: str, result: StatsImportResult) -> list[tuple[int, dict]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(LineError(1, _("The file is empty: a header line is needed.")))
        return []
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(lines[0]))
    header = [name.strip().lower() for name in next(reader)]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        result.errors.append(
            LineError(
                1,
                _("The header line lacks the columns: %(columns)s (it needs %(all)s).")
                % {"columns": ", ".join(missing), "all": ", ".join(COLUMNS)},
            )
        )
        return []
    positions = {column: header.index(column) for column in COLUMNS}
    rows: list[tuple[int, dict]] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            result.errors.append(
                LineError(line, _("Too many rows: at most %(count)d.") % {"count": MAX_ROWS})
            )
            break
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in positions.items()
        }
        rows.append((line, values))
    return rows


def stats_import(*, actor, file) -> StatsImportResult:
    """Import a social-media tool's CSV of figures (see the module's docstring). Returns what was
    imported, or every bad row with its line number (and then nothing was imported)."""
    require(actor, "alerts.add_channelstat")
    result = StatsImportResult()
    try:
        text = _text(file)
    except ValueError as exc:
        result.errors.append(LineError(0, str(exc)))
        return result
    rows = _rows(text, result)
    if result.errors:
        return result
    ids = {values["notice"].upper() for _line, values in rows}
    # Only notices of cases the importer may see: another's is "unknown", as in the UI.
    visible = notices_visible_to(actor).filter(public_id__in=ids)
    notices = {n.public_id: n for n in visible}
    seen: dict[tuple[str, str], int] = {}
    good: list[tuple[SearchNotice, str, dict[str, int]]] = []
    for line, values in rows:
        problems = []
        public_id = values["notice"].upper()
        notice = notices.get(public_id)
        if not public_id:
            problems.append(_("no notice reference"))
        elif notice is None:
            problems.append(_("no notice %(id)s") % {"id": values["notice"]})
        elif notice.status not in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN):
            problems.append(_("notice %(id)s was never published") % {"id": public_id})
        network = values["network"].lower()
        if network not in StatNetwork.values:
            problems.append(
                _("unknown network “%(network)s” (one of: %(networks)s)")
                % {"network": values["network"][:30], "networks": ", ".join(StatNetwork.values)}
            )
        counts: dict[str, int] = {}
        for column in COUNTS:
            count = _count(values[column])
            if count is not None:
                counts[column] = count
            else:
                problems.append(
                    _("%(column)s is not a whole number of 0 or more: “%(value)s”")
                    % {"column": column, "value": values[column][:30]}
                )
        key = (public_id, network)
        if not problems and key in seen:
            problems.append(
                _("%(id)s on %(network)s is already on line %(line)d")
                % {"id": public_id, "network": network, "line": seen[key]}
            )
        if problems or notice is None:
            result.errors.append(LineError(line, "; ".join(problems)))
            continue
        seen[key] = line
        good.append((notice, network, counts))
    if result.errors:
        return result
    with transaction.atomic():
        for notice, network, counts in good:
            stat_record(
                actor=actor, notice=notice, network=network, source=StatSource.IMPORTED, **counts
            )
    result.imported = len(good)
    return result
