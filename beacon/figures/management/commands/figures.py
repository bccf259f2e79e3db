"""`beacon figures --year Y [--since S] --format json|text|csv|xlsx [--output FILE] [--strict]`:
the year's figures, computed from the records and checked for consistency.

Contradictions between the figures (beacon.figures.consistency) are written to stderr before the
figures; with --strict the command then fails instead of printing them. A year without any
record prints zeros and says so on stderr.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beacon.figures import exports
from beacon.figures.consistency import check
from beacon.figures.definitions import figures_for_year

# The longest comparison the figures engine computes (engine.Period refuses longer periods).
MAX_YEARS_BACK = 20


class Command(BaseCommand):
    help = "Print the annual report's figures for a year, computed from the records."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--since", type=int, help="First year of the multi-year tables.")
        parser.add_argument("--format", choices=["json", "text", "csv", "xlsx"], default="json")
        parser.add_argument("--output", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail (non-zero exit) when the figures contradict each other.",
        )

    def handle(self, *args, year, since, format, output, strict, **options):
        if not 1900 < year < 3000 or (since is not None and not 1900 < since <= year):
            raise CommandError("--year (and --since, not after it) must be plausible years")
        if since is not None and year - since > MAX_YEARS_BACK:
            raise CommandError(
                f"--since {since} is {year - since} years before --year {year}: "
                f"the multi-year tables cover at most {MAX_YEARS_BACK} years before the year"
            )
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx writes a binary file: give it with --output FILE")
        figures = figures_for_year(year, since)
        if not _has_records(figures, year):
            self.stderr.write(f"no records for {year}: every figure of the year is zero")
        contradictions = check(figures)
        for found in contradictions:
            self.stderr.write(f"contradiction ({found.rule}): {found.message}")
        if contradictions and strict:
            raise CommandError(
                f"{len(contradictions)} contradiction(s) between the figures of {year}"
            )
        if format == "xlsx":
            Path(output).write_bytes(exports.to_xlsx(figures, contradictions))
            return
        if format in ("json", "csv"):
            text = (
                json.dumps(figures, indent=2, ensure_ascii=False)
                if format == "json"
                else exports.to_csv(figures)
            )
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="" if format == "csv" else "\n")
            return
        if output:
            raise CommandError("--output is for json, csv and xlsx; text goes to the terminal")
        years = [str(y) for y in figures["years"]]
        for table in ("hotline_calls", "disappearances_new_cases", "sexual_exploitation_new_cases"):
            self.stdout.write(f"\n{table}")
            self.stdout.write(f"{'':42}" + "".join(f"{y:>8}" for y in years))
            for key, values in figures[table].items():
                cells = "".join(f"{values[y]:>8}" if y in values else f"{'':>8}" for y in years)
                self.stdout.write(f"{key:42}{cells}")
        hotline = figures["abuse_image_hotline"]
        received = hotline["reports_received"]
        self.stdout.write("\nabuse_image_hotline")
        self.stdout.write(f"{'':42}" + "".join(f"{y:>8}" for y in years))
        cells = "".join(f"{received[y]:>8}" if y in received else f"{'':>8}" for y in years)
        self.stdout.write(f"{'reports_received':42}{cells}")
        for key, details in hotline.items():
            if key != "reports_received" and isinstance(details, dict):
                self._details(f"abuse_image_hotline / {key}", details)
        for section, content in figures.items():
            if not section.startswith("case_details_"):
                continue
            for group, details in content.items():
                self._details(f"{section} / {group}", details)

    def _details(self, title: str, details: dict) -> None:
        self.stdout.write(f"\n{title}")
        for key, value in details.items():
            if isinstance(value, dict):
                self._details(f"{title} / {key}", value)
            else:
                shown = "—" if value is None else value
                if isinstance(value, list):
                    shown = ", ".join(map(str, value))
                self.stdout.write(f"  {key:40}{shown:>10}")


def _has_records(figures: dict, year: int) -> bool:
    """Whether any figure about `year` is other than zero or missing."""
    wanted = str(year)
    return any(
        value not in (0, None, [], "")
        for _section, _key, about, value in exports.rows(figures)
        if about == wanted
    )
