"""The kinds of risk rule, in code; each rule in the reference file names a kind and its parameters.

A kind is an evaluation function (person, trigger case, params) -> the cases that make the rule
hold, or None; and an explanation of a flag it raised, in the reader's language, from what the
flag recorded (the cases' numbers and the parameters at the time), so a rule changed later does
not rewrite the reasons of old flags.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beacon.cases.choices import CaseStatus, Mission


@dataclass(frozen=True)
class Kind:
    evaluate: Callable[..., list | None]
    explain: Callable[[dict], str]


KINDS: dict[str, Kind] = {}


def kind(name: str, *, explain: Callable[[dict], str]):
    def register(function: Callable[..., list | None]) -> Callable[..., list | None]:
        KINDS[name] = Kind(evaluate=function, explain=explain)
        return function

    return register


def _moment(case):
    return case.last_seen_at or case.opened_at


def _numbers(numbers: list[str]) -> str:
    return ", ".join(numbers)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd... in English; the catalogues give each language its own form."""
    if n == 1:
        return _("1st")
    if n == 2:
        return _("2nd")
    if n == 3:
        return _("3rd")
    return _("%(n)dth") % {"n": n}


def _explain_repeat_runaway(data: dict) -> str:
    numbers = data.get("cases", [])
    days = int(data.get("params", {}).get("within_days", 90))
    return ngettext(
        "%(nth)s runaway episode within %(days)d day: cases %(numbers)s",
        "%(nth)s runaway episode within %(days)d days: cases %(numbers)s",
        days,
    ) % {"nth": ordinal(len(numbers)), "days": days, "numbers": _numbers(numbers)}


@kind("repeat_runaway", explain=_explain_repeat_runaway)
def repeat_runaway(*, person, case, params) -> list | None:
    """The trigger is at least the person's Nth disappearance of the given categories whose
    last-seen time (else opening time) falls in the window ending at the trigger's:
    `episodes` (3), `within_days` (90), `category_keys` (["runaway"]). A case exactly
    `within_days` before the trigger is inside the window."""
    from beacon.cases.models import Case

    keys = params.get("category_keys", ["runaway"])
    if case.mission != Mission.MISSING or case.category.key not in keys:
        return None
    end = _moment(case)
    start = end - timedelta(days=int(params.get("within_days", 90)))
    window = [
        c
        for c in Case.objects.filter(
            person=person, mission=Mission.MISSING, category__key__in=keys
        ).order_by("opened_at", "id")
        if start <= _moment(c) <= end
    ]
    window.sort(key=lambda c: (_moment(c), c.pk))
    return window if len(window) >= int(params.get("episodes", 3)) else None


def _explain_runaway_with_open_exploitation(data: dict) -> str:
    trigger, *open_cases = data.get("cases", []) or [""]
    return ngettext(
        "runaway episode %(case)s while exploitation case %(open)s is open",
        "runaway episode %(case)s while exploitation cases %(open)s are open",
        len(open_cases),
    ) % {"case": trigger, "open": _numbers(open_cases)}


@kind("runaway_with_open_exploitation", explain=_explain_runaway_with_open_exploitation)
def runaway_with_open_exploitation(*, person, case, params) -> list | None:
    """The trigger is a disappearance (of `category_keys`) of a person with an open
    sexual-exploitation case. The trigger comes first in the answer."""
    from beacon.cases.models import Case

    if case.mission != Mission.MISSING or case.category.key not in params.get(
        "category_keys", ["runaway"]
    ):
        return None
    open_cases = list(
        Case.objects.filter(
            person=person, mission=Mission.EXPLOITATION, status=CaseStatus.OPEN
        ).order_by("opened_at", "id")
    )
    return [case, *open_cases] if open_cases else None


def _explain_exploitation_with_runaway_history(data: dict) -> str:
    *earlier, trigger = data.get("cases", []) or [""]
    return ngettext(
        "exploitation case %(case)s after %(n)d runaway episode: cases %(numbers)s",
        "exploitation case %(case)s after %(n)d runaway episodes: cases %(numbers)s",
        len(earlier),
    ) % {"case": trigger, "n": len(earlier), "numbers": _numbers(earlier)}


@kind("exploitation_with_runaway_history", explain=_explain_exploitation_with_runaway_history)
def exploitation_with_runaway_history(*, person, case, params) -> list | None:
    """The trigger is a sexual-exploitation case of a person with at least `episodes` (2)
    disappearances of `category_keys` opened before it. The trigger comes last."""
    from beacon.cases.models import Case

    if case.mission != Mission.EXPLOITATION:
        return None
    earlier = list(
        Case.objects.filter(
            person=person,
            mission=Mission.MISSING,
            category__key__in=params.get("category_keys", ["runaway"]),
            opened_at__lte=case.opened_at,
        ).order_by("opened_at", "id")
    )
    return [*earlier, case] if len(earlier) >= int(params.get("episodes", 2)) else None


def explain(flag) -> str:
    """Why the flag was raised, in the reader's language."""
    found = KINDS.get(flag.rule.kind)
    if found is None:
        return _("cases %(numbers)s") % {
            "numbers": _numbers(flag.explanation_data.get("cases", []))
        }
    return found.explain(flag.explanation_data)
