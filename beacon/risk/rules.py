"""The kinds of risk rule, in code; each rule in the reference file names a kind and its parameters.

A kind is a function (person, trigger case, params) -> the cases that make it hold, or None.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils.translation import gettext as _

from beacon.cases.choices import CaseStatus, Mission

Evaluator = Callable[..., list | None]
KINDS: dict[str, Evaluator] = {}


def kind(name: str):
    def register(function: Evaluator) -> Evaluator:
        KINDS[name] = function
        return function

    return register


def _moment(case):
    return case.last_seen_at or case.opened_at


@kind("repeat_runaway")
def repeat_runaway(*, person, case, params) -> list | None:
    """The trigger is the person's Nth disappearance of the given categories within the window
    (by last-seen time) ending at the trigger: `episodes` (3), `within_days` (90),
    `category_keys` (["runaway"])."""
    from beacon.cases.models import Case

    keys = params.get("category_keys", ["runaway"])
    if case.mission != Mission.MISSING or case.category.key not in keys:
        return None
    end = _moment(case)
    start = end - timedelta(days=int(params.get("within_days", 90)))
    window = [
        c
        for c in Case.objects.filter(person=person, mission=Mission.MISSING, category__key__in=keys)
        if start <= _moment(c) <= end
    ]
    return window if len(window) >= int(params.get("episodes", 3)) else None


@kind("runaway_with_open_exploitation")
def runaway_with_open_exploitation(*, person, case, params) -> list | None:
    """The trigger is a disappearance (of `category_keys`) of a person with an open
    sexual-exploitation case."""
    from beacon.cases.models import Case

    if case.mission != Mission.MISSING or case.category.key not in params.get(
        "category_keys", ["runaway"]
    ):
        return None
    open_cases = list(
        Case.objects.filter(person=person, mission=Mission.EXPLOITATION, status=CaseStatus.OPEN)
    )
    return [case, *open_cases] if open_cases else None


@kind("exploitation_with_runaway_history")
def exploitation_with_runaway_history(*, person, case, params) -> list | None:
    """The trigger is a sexual-exploitation case of a person with at least `episodes` (2)
    disappearances of `category_keys` before it."""
    from beacon.cases.models import Case

    if case.mission != Mission.EXPLOITATION:
        return None
    earlier = list(
        Case.objects.filter(
            person=person,
            mission=Mission.MISSING,
            category__key__in=params.get("category_keys", ["runaway"]),
            opened_at__lte=case.opened_at,
        )
    )
    return [*earlier, case] if len(earlier) >= int(params.get("episodes", 2)) else None


def explain(flag) -> str:
    numbers = ", ".join(flag.explanation_data.get("cases", []))
    return _("cases %(numbers)s") % {"numbers": numbers}
