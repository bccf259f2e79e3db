"""The country's municipalities (code, names, province), kept in step with a reference file after
migrate.

The shipped default is Belgium's partial list (fixtures/municipalities_be.json, see its "about");
another organisation points BEACON_MUNICIPALITIES_FILE at its own file. Rows are matched by code
and updated, never deleted, so volunteers and partners that point at them keep their meaning. A
municipality whose province is not among the organisation's regions is skipped (the regions come
from core's reference file, loaded first).
"""

import json
import os
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "municipalities_be.json"


def load_municipalities(**kwargs) -> int:
    """Create or update every municipality of the file; returns how many it holds."""
    from beacon.core.models import Region
    from beacon.network.models import Municipality

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "network":
        return 0
    path = Path(os.environ.get("BEACON_MUNICIPALITIES_FILE") or DEFAULT_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    regions = dict(Region.objects.values_list("code", "id"))
    existing = {m.code: m for m in Municipality.objects.all()}
    loaded = 0
    for item in data["municipalities"]:
        region_id = regions.get(item["region"])
        if region_id is None:
            continue
        loaded += 1
        current = existing.get(item["code"])
        if current is None:
            Municipality.objects.create(code=item["code"], names=item["names"], region_id=region_id)
        elif current.names != item["names"] or current.region_id != region_id:
            Municipality.objects.filter(pk=current.pk).update(
                names=item["names"], region_id=region_id
            )
    return loaded
