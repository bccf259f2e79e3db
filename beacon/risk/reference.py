"""Risk rules, kept in step with their reference file after migrate (matched by key, never
deleted: switch a rule off with "active": false, so its old flags keep their rule).

BEACON_RISK_RULES_FILE names another organisation's file; the default is
fixtures/risk_rules_be.json. A rule of a kind that no code implements stops the migrate loudly
rather than never raising a flag."""

import json
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "risk_rules_be.json"


def load_rules(**kwargs) -> None:
    from beacon.risk.models import RiskRule
    from beacon.risk.rules import KINDS

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "risk":
        return
    path = Path(os.environ.get("BEACON_RISK_RULES_FILE") or DEFAULT_FILE)
    rules = json.loads(path.read_text(encoding="utf-8"))["rules"]
    unknown = sorted({item["kind"] for item in rules} - set(KINDS))
    if unknown:
        raise ImproperlyConfigured(
            f"{path}: unknown risk rule kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}"
        )
    for item in rules:
        RiskRule.objects.update_or_create(
            key=item["key"],
            defaults={
                "kind": item["kind"],
                "params": item.get("params", {}),
                "names": item["names"],
                "active": item.get("active", True),
            },
        )
