"""The civil hotline's reference data, kept in step with its file after migrate: the platforms a
reporter can pick (and their trusted-flagger notice channels) and the INHOPE member hotlines by
country. BEACON_HOTLINE_REFERENCE_FILE names another organisation's file; rows are matched by key
(platforms) or country (hotlines) and updated, never deleted: one left out of the file is made
inactive."""

import json
import os
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "fixtures" / "hotline_reference.json"


def reference_path() -> Path:
    return Path(os.environ.get("BEACON_HOTLINE_REFERENCE_FILE") or DEFAULT_FILE)


def load_reference(**kwargs) -> None:
    from beacon.reports.models import MemberHotline, Platform

    sender = kwargs.get("sender")
    if sender is not None and sender.label != "reports":
        return
    data = json.loads(reference_path().read_text(encoding="utf-8"))
    platform_keys = []
    for position, item in enumerate(data["platforms"]):
        platform_keys.append(item["key"])
        Platform.objects.update_or_create(
            key=item["key"],
            defaults={
                "names": item["names"],
                "hosts": item.get("hosts", []),
                "social_media": item.get("social_media", True),
                "trusted_flagger": item.get("trusted_flagger", False),
                "notice_channel": item.get("notice_channel", ""),
                "notice_address": item.get("notice_address", ""),
                "position": position,
                "active": item.get("active", True),
            },
        )
    Platform.objects.exclude(key__in=platform_keys).update(active=False)
    countries = []
    for item in data["member_hotlines"]:
        countries.append(item["country"])
        MemberHotline.objects.update_or_create(
            country=item["country"],
            defaults={
                "name": item["name"],
                "notice_channel": item["notice_channel"],
                "notice_address": item["notice_address"],
                "active": item.get("active", True),
            },
        )
    MemberHotline.objects.exclude(country__in=countries).update(active=False)


def notice_settings() -> dict:
    """The national police's notice channel and the legal provision notices cite (from the file)."""
    data = json.loads(reference_path().read_text(encoding="utf-8"))
    return {"police": data["police"], "legal_provision": data["legal_provision"]}
