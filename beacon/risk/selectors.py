"""Reads of risk flags: never one that would show a case the reader may not open."""

from django.db.models import QuerySet

from beacon.cases.models import Case
from beacon.core.permissions import require
from beacon.people.models import Person
from beacon.risk.models import RiskFlag

FLAG_STATUSES = ("open", "unacknowledged", "acknowledged", "cleared", "all")


def _readable(user, flags) -> list[RiskFlag]:
    """Flags whose cases the user may all open (a flag naming an exploitation case the user
    may not open would say it exists, and who it is about)."""
    flags = list(flags)
    ids = {pk for f in flags for pk in f.explanation_data.get("case_ids", [])}
    openable = set(Case.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [f for f in flags if set(f.explanation_data.get("case_ids", [])) <= openable]


# A flag belongs to the person of its triggering case *now*: when two records of a child are
# merged (or the merge is undone) the flags go with the cases, as the cases go with the person.


def flags_of_person(*, user, person: Person) -> list[RiskFlag]:
    """The person's flags (the caller has read the person), newest first."""
    return _readable(user, RiskFlag.objects.filter(case__person=person).select_related("rule"))


def flag_list(*, user, status: str = "open", rule: str = "") -> list[RiskFlag]:
    """Flags of persons the user may open: `open` (not cleared), `unacknowledged`,
    `acknowledged` (and not cleared), `cleared` or `all` (FLAG_STATUSES); newest first, 200 at
    most."""
    require(user, "risk.view_riskflag")
    flags: QuerySet[RiskFlag] = RiskFlag.objects.filter(
        case__person__in=Person.objects.visible_to(user)
    ).select_related("rule", "case__person", "acknowledged_by", "cleared_by")
    if status == "open":
        flags = flags.filter(cleared_at__isnull=True)
    elif status == "unacknowledged":
        flags = flags.filter(cleared_at__isnull=True, acknowledged_at__isnull=True)
    elif status == "acknowledged":
        flags = flags.filter(cleared_at__isnull=True, acknowledged_at__isnull=False)
    elif status == "cleared":
        flags = flags.filter(cleared_at__isnull=False)
    if rule:
        flags = flags.filter(rule__key=rule)
    return _readable(user, flags[:200])


def flag_get(*, user, pk: int, for_update: bool = False) -> RiskFlag:
    """One flag the user may read (RiskFlag.DoesNotExist otherwise, so existence does not leak).
    `for_update` locks it (inside the caller's transaction)."""
    require(user, "risk.view_riskflag")
    flags = RiskFlag.objects.select_related("rule", "case__person", "acknowledged_by", "cleared_by")
    if for_update:
        flags = flags.select_for_update(of=("self",))
    flag = flags.get(pk=pk, case__person__in=Person.objects.visible_to(user))
    if not _readable(user, [flag]):
        raise RiskFlag.DoesNotExist
    return flag
