"""Notices for tests, written straight to the database (the services have their own tests)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus
from beacon.alerts.models import NoticeChannel, NoticePhoto, SearchNotice


def notice_make(
    case,
    *,
    kind: str = NoticeKind.PUBLIC,
    status: str = NoticeStatus.PUBLISHED,
    channels: list[str] | None = None,
    languages: list[str] | None = None,
    photo: bytes | None = None,
    still_missing: bool = False,
    published_at=None,
    **fields,
) -> SearchNotice:
    """A notice of `case` in `status`, with agreement and approval on record when published."""
    now = timezone.now()
    languages = languages or ["nl", "fr", "en"]
    if channels is None:
        channels = [Channel.PAGE, Channel.FEED] if kind == NoticeKind.PUBLIC else [Channel.VIGNETTE]
    values = {
        "case": case,
        "kind": kind,
        "status": status,
        "channels": channels,
        "languages": languages,
        "display_name": "Lotte",
        "age": 15,
        "description": {
            language: f"[{language}] 1.60 m, long brown hair, blue jacket, white sneakers."
            for language in languages
        },
        "last_seen_at": now - timedelta(hours=30),
        "last_seen_place": "Station, Testville",
        "still_missing": still_missing,
        "authority_name": "Federal police, Missing Persons Unit",
        "authority_agreed_by": "Magistrate on duty",
        "authority_agreed_at": now - timedelta(hours=2),
        "parents_informed_at": now - timedelta(hours=2),
    }
    if status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN):
        values["published_at"] = published_at or now - timedelta(hours=1)
        values["approved_at"] = values["published_at"]
    if status == NoticeStatus.WITHDRAWN:
        values["withdrawn_at"] = now
    values.update(fields)
    notice = SearchNotice.objects.create(**values)
    if photo is not None:
        NoticePhoto.objects.create(notice=notice, image=ContentFile(photo, name="photo.jpg"))
    if status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN):
        for channel in channels:
            NoticeChannel.objects.create(notice=notice, channel=channel, status="published")
    return notice
