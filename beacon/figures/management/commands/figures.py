"""`beacon figures --year Y --format json|text`: the year's figures, computed from the records."""

import json

from django.core.management.base import BaseCommand, CommandError

from beacon.figures.definitions import figures_for_year


class Command(BaseCommand):
    help = "Print the annual report's figures for a year, computed from the records."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--since", type=int, help="First year of the multi-year tables.")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, year, since, format, **options):
        if not 1900 < year < 3000 or (since is not None and not 1900 < since <= year):
            raise CommandError("--year (and --since, not after it) must be plausible years")
        figures = figures_for_year(year, since)
        if format == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
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
