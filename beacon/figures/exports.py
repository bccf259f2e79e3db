"""The annual report's figures as CSV and XLSX, for `beacon figures` and the export page.

Both read the output of figures_for_year and use its keys as they are (stable, untranslated:
a spreadsheet that reads one year's file reads the next one's):

- CSV: one row per figure (an empty mapping, e.g. a table without years, is a row `{}`) (`section`, `key`, `year`, `value`). `key` is the figure's full dotted
  path inside its section (with the year where the JSON has it, e.g. `runaway.2024`), so every
  row parses back to the JSON value (`parse_csv`); `year` repeats the year the figure is about
  (from a year key, or from a key such as `case_details_2025` or `2025_breakdown`; empty when
  the figure has none). A number is written as it is, a missing value (None) as an empty cell,
  a list (e.g. top platforms) as JSON.
- XLSX: one sheet per section, a row per figure (its key without the year), the years as
  columns, and a sheet `checks` with the contradictions found by beacon.figures.consistency.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from beacon.figures.consistency import Contradiction

CSV_HEADER = ("section", "key", "year", "value")
CHECKS_SHEET = "checks"
NO_YEAR = ""

_YEAR = re.compile(r"^\d{4}$")
_YEAR_IN_KEY = re.compile(r"(?:^|_)(\d{4})(?:_|$)")


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every value that is not a mapping; an empty mapping (a figure with no
    year to show) is a value of its own, so that it survives the CSV."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    else:
        yield path, node


def _year_at(path: tuple[str, ...]) -> tuple[str, int]:
    """The year a figure is about and where on its path it is: a year key, else the first key
    with a year in it (`2025_breakdown`, `case_details_2025`); (NO_YEAR, -1) without one."""
    for index, part in enumerate(path):
        if _YEAR.match(part):
            return part, index
    for index, part in enumerate(path):
        found = _YEAR_IN_KEY.search(part)
        if found:
            return found.group(1), index
    return NO_YEAR, -1


def _year_of(path: tuple[str, ...]) -> str:
    return _year_at(path)[0]


def _without_year(part: str) -> str:
    """A key with its year taken out: `2019_new` -> `new`, `income_sources_pct_2021` ->
    `income_sources_pct`, `2024` -> ``."""
    return _YEAR_IN_KEY.sub("_", part, count=1).strip("_")


def rows(figures: dict) -> Iterator[tuple[str, str, str, Any]]:
    """(section, key, year, value) for every figure of the report, in the report's order.
    `years` (the list of the multi-year tables' years) is the tables' columns, not a figure."""
    for section, content in figures.items():
        if section == "years":
            continue
        for path, value in _leaves(content, ()):
            yield section, ".".join(path), _year_of((section, *path)), value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # as JSON writes it, so it reads back as a yes/no
        return json.dumps(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def to_csv(figures: dict) -> str:
    """The report as CSV text (see the module's docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for section, key, year, value in rows(figures):
        writer.writerow((section, key, year, _cell(value)))
    return out.getvalue()


def _parse_value(text: str) -> Any:
    if text == "":
        return None
    if text[0] in "[{" or text in ("true", "false"):
        return json.loads(text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_csv(text: str) -> dict:
    """The nested figures a CSV written by to_csv holds (without `years`)."""
    figures: dict = {}
    for row in csv.DictReader(io.StringIO(text)):
        node = figures.setdefault(row["section"], {})
        if not row["key"]:  # a whole section without figures
            continue
        *parents, last = row["key"].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _parse_value(row["value"])
    return figures


def _sheet_cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _table(section: str, content: Any) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The years (columns) and the rows (key without its year -> {year: value}) of a section.
    A figure about no year is in the column NO_YEAR."""
    table: dict[str, dict[str, Any]] = {}
    years: set[str] = set()
    for path, value in _leaves(content, ()):
        if value == {}:
            continue
        year, at = _year_at((section, *path))
        parts = [
            _without_year(part) if index + 1 == at else part for index, part in enumerate(path)
        ]
        key = ".".join(part for part in parts if part) or section
        if year in table.get(key, {}):
            # Another figure has this key for this year (prevention.2021.school_sessions and
            # prevention.school_sessions.2021): keep the full path, lose neither.
            key = ".".join(path)
        table.setdefault(key, {})[year] = value
        years.add(year)
    columns = sorted(y for y in years if y != NO_YEAR)
    if NO_YEAR in years:
        columns.append(NO_YEAR)
    return columns, table


def to_xlsx(figures: dict, contradictions: list[Contradiction]) -> bytes:
    """The report as an XLSX workbook (see the module's docstring)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for section, content in figures.items():
        if section == "years":
            continue
        sheet = workbook.create_sheet(section[:31])
        columns, table = _table(section, content)
        sheet.append(["key", *(int(y) if y else "value" for y in columns)])
        for key, per_year in table.items():
            sheet.append([key, *(_sheet_cell(per_year.get(y)) for y in columns)])
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 48
        sheet.freeze_panes = "B2"
    checks = workbook.create_sheet(CHECKS_SHEET)
    checks.append(["rule", "keys", "values", "message"])
    for cell in checks[1]:
        cell.font = bold
    for found in contradictions:
        checks.append(
            [
                found.rule,
                ", ".join(found.keys),
                ", ".join(map(str, found.values)),
                found.message,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
