"""`beacon risk_evaluate [--since DATE]`: evaluate the risk rules over existing cases (for a rule
added or changed later), each case as the trigger, oldest first, through the same service that
runs when a case opens. Idempotent: a rule raises at most once per triggering case."""

from argparse import ArgumentTypeError
from datetime import date, datetime, time

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.cases.models import Case
from beacon.risk.services import risk_evaluate


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = "Evaluate the risk rules for the cases opened since a date (default: all cases)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=_day, help="Only cases opened on or after this local day (YYYY-MM-DD)."
        )

    def handle(self, *args, since=None, **options):
        cases = Case.objects.select_related("person", "category").order_by("opened_at", "id")
        if since:
            start = timezone.make_aware(datetime.combine(since, time.min))
            cases = cases.filter(opened_at__gte=start)
        raised = evaluated = 0
        for case in cases.iterator(chunk_size=1000):
            raised += len(risk_evaluate(person=case.person, trigger_case=case))
            evaluated += 1
        self.stdout.write(
            _("Cases evaluated: %(cases)d. New flags: %(flags)d.")
            % {"cases": evaluated, "flags": raised}
        )
