"""Raising and handling risk flags. Transactional, keyword-only, audited."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters
from beacon.risk.models import RiskFlag, RiskRule
from beacon.risk.rules import KINDS


@transaction.atomic
def risk_evaluate(*, person, trigger_case) -> list[RiskFlag]:
    """Check every active rule for the person as of `trigger_case` (just opened); raise a flag
    for each rule that holds. Idempotent: a rule raises at most once per triggering case.
    Runs as part of opening a case (system work: no actor, no permission of its own)."""
    raised = []
    for rule in RiskRule.objects.filter(active=True):
        found = KINDS.get(rule.kind)
        if found is None:  # refused when the rules are loaded; a row edited by hand since
            continue
        cases = found.evaluate(person=person, case=trigger_case, params=rule.params)
        if not cases:
            continue
        if RiskFlag.objects.filter(rule=rule, case=trigger_case).exists():
            continue
        try:
            with transaction.atomic():
                flag = RiskFlag.objects.create(
                    person=person,
                    rule=rule,
                    case=trigger_case,
                    explanation_data={
                        "cases": [c.number for c in cases],
                        "case_ids": [c.pk for c in cases],
                        "params": rule.params,
                    },
                )
        except IntegrityError:  # raised meanwhile by another evaluation of the same case
            continue
        audit(actor=None, action=AuditAction.CREATE, obj=flag, fields=["*"])
        raised.append(flag)
    return raised


def _handle(*, actor, flag: RiskFlag, note: str, field: str, note_required: bool) -> RiskFlag:
    from beacon.risk.selectors import flag_get

    require(actor, "risk.change_riskflag")
    # Locked and read again through the selector: the reader may still see it, and two team
    # leads handling the same flag at once do not both succeed.
    flag = flag_get(user=actor, pk=flag.pk, for_update=True)
    errors = FieldErrors()
    note = (note or "").strip()
    if note_required and not note:
        errors.add("note", _("Say why the flag is cleared."))
    errors.run("note", reject_control_characters, note)
    if flag.cleared_at is not None:
        errors.add("flag", _("This flag was cleared already."))
    elif getattr(flag, f"{field}_at") is not None:
        errors.add("flag", _("This flag was acknowledged already."))
    errors.raise_if_any()
    setattr(flag, f"{field}_at", timezone.now())
    setattr(flag, f"{field}_by", actor)
    if note:
        flag.note = f"{flag.note}\n{note}".strip()
    flag.save(update_fields=[f"{field}_at", f"{field}_by", "note"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=flag, fields=[f"{field}_at", "note"])
    return flag


@transaction.atomic
def flag_acknowledge(*, actor, flag: RiskFlag, note: str = "") -> RiskFlag:
    """A team lead has seen the flag and acts on it (an optional note says how)."""
    return _handle(actor=actor, flag=flag, note=note, field="acknowledged", note_required=False)


@transaction.atomic
def flag_clear(*, actor, flag: RiskFlag, note: str) -> RiskFlag:
    """The risk is over (or the flag was wrong): the note says why. A flag not acknowledged
    yet may be cleared directly."""
    return _handle(actor=actor, flag=flag, note=note, field="cleared", note_required=True)
