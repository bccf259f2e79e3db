"""`beacon risk_evaluate [--since DATE]`: evaluate the risk rules over existing cases (for a rule
added or changed later). Idempotent: a rule raises at most once per triggering case."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand
from django.utils import timezone

from beacon.cases.models import Case
from beacon.risk.services import risk_evaluate


class Command(BaseCommand):
    help = "Evaluate the risk rules for the cases opened since a date (default: all)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, since=None, **options):
        cases = Case.objects.select_related("person", "category").order_by("opened_at", "id")
        if since:
            start = datetime.combine(since, time.min, tzinfo=timezone.get_current_timezone())
            cases = cases.filter(opened_at__gte=start)
        raised = 0
        for case in cases.iterator(chunk_size=1000):
            raised += len(risk_evaluate(person=case.person, trigger_case=case))
        self.stdout.write(f"{raised} new flags")
