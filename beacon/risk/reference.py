"""Risk rules, kept in step with their reference file after migrate (matched by key)."""

import json
import os
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "risk_rules_be.json"


def load_rules(**kwargs) -> None:
    from beacon.risk.models import RiskRule

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "risk":
        return
    path = Path(os.environ.get("BEACON_RISK_RULES_FILE") or DEFAULT_FILE)
    for item in json.loads(path.read_text(encoding="utf-8"))["rules"]:
        RiskRule.objects.update_or_create(
            key=item["key"],
            defaults={
                "kind": item["kind"],
                "params": item.get("params", {}),
                "names": item["names"],
                "active": item.get("active", True),
            },
        )
