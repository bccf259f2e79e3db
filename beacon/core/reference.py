"""The organisation's profile and regions, kept in step with a reference file after migrate.

The shipped default is Belgium's (fixtures/organisation_be.json); another organisation points
BEACON_ORGANISATION_FILE at its own file. Existing rows are updated by code/key, never deleted,
so records that point at them keep their meaning.
"""

import json
import os
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "organisation_be.json"


def load_organisation_reference(**kwargs) -> None:

    from beacon.core.models import Organisation, Region

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "core":
        return
    path = Path(os.environ.get("BEACON_ORGANISATION_FILE") or DEFAULT_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not Organisation.objects.exists():
        Organisation.objects.create(**data["organisation"])
    for position, region in enumerate(data["regions"]):
        Region.objects.update_or_create(
            code=region["code"], defaults={"names": region["names"], "position": position}
        )
