"""Case categories and sub-kinds, kept in step with their reference file after migrate.

Categories are data: BEACON_CATEGORIES_FILE names another organisation's file; the default is
fixtures/categories_be.json. Rows are matched by key and updated, never deleted.
"""

import json
import os
from datetime import date
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "categories_be.json"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_categories(**kwargs) -> None:
    from beacon.cases.models import Category, SubKind

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "cases":
        return
    path = Path(os.environ.get("BEACON_CATEGORIES_FILE") or DEFAULT_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    for position, item in enumerate(data["categories"]):
        category, _created = Category.objects.update_or_create(
            key=item["key"],
            defaults={
                "mission": item["mission"],
                "figure_key": item["figure_key"],
                "names": item["names"],
                "valid_from": _day(item.get("valid_from")),
                "valid_until": _day(item.get("valid_until")),
                "extra_fields": item.get("extra_fields", []),
                "position": item.get("position", position),
            },
        )
        for sub_position, sub in enumerate(item.get("subkinds", [])):
            SubKind.objects.update_or_create(
                category=category,
                key=sub["key"],
                defaults={"names": sub["names"], "position": sub_position},
            )
