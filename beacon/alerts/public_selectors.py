"""What the public side of search notices may read: published public notices and their files.

Everything here is for anonymous visitors, so the rules are in the queries, not in the views:
- the list shows the published public notices that chose the page channel;
- a notice's own page exists for every published public notice, page channel or not: posters'
  QR codes, mobilisation messages and social posts all link to it. A discrete notice, a draft,
  one awaiting approval or approved but not yet out does not exist for the public (404),
  whatever the visitor knows of its reference;
- a withdrawn notice that was once published is "gone" (410): the page says so without the
  child's name or photo;
- a published file is served while its notice is published and the file not deleted; vignettes
  (the discrete card) are never served here.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Prefetch

from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.models import Rendition, SearchNotice
from beacon.core.models import Organisation
from beacon.core.numbers import public_numbers

# Files of these kinds belong to discrete notices or to partners only: never served publicly.
PRIVATE_RENDITION_KINDS = {RenditionKind.VIGNETTE}


@dataclass(frozen=True)
class PublicContact:
    """The organisation's public numbers and time zone, as the public pages show them."""

    hotline: str
    tip_line: str
    time_zone: ZoneInfo


# The page shows its own photo; a notice published without the page channel (reached from a
# poster's QR code) shows the photo another public channel published, in this order.
PHOTO_PREFERENCE = [
    RenditionKind.PAGE,
    RenditionKind.FEED,
    RenditionKind.SOCIAL_PORTRAIT,
    RenditionKind.SOCIAL_SQUARE,
    RenditionKind.SOCIAL_LANDSCAPE,
    RenditionKind.SOCIAL_STORY,
]


def _live_photos():
    return Rendition.objects.filter(
        kind__in=PHOTO_PREFERENCE, content_type__startswith="image/", deleted_at__isnull=True
    ).order_by("-created_at", "-id")


def _page_photos() -> Prefetch:
    return Prefetch("renditions", queryset=_live_photos(), to_attr="page_photos")


def _on_the_page(notice: SearchNotice) -> bool:
    # `channels` is a JSON list; SQLite has no JSON containment lookup, and the published
    # notices are a few dozen rows, so the channel is checked here rather than in SQL.
    return Channel.PAGE in (notice.channels or [])


def notices_listed() -> tuple[list[SearchNotice], list[SearchNotice]]:
    """The notices on the public list: (searched for now, long-term missing). Each carries
    `page_photos` (its live public photos, newest first). Two queries, whatever the length."""
    notices = [
        notice
        for notice in SearchNotice.objects.filter(
            status=NoticeStatus.PUBLISHED, kind=NoticeKind.PUBLIC
        )
        .prefetch_related(_page_photos())
        .order_by("-published_at", "-id")
        if _on_the_page(notice)
    ]
    current = [notice for notice in notices if not notice.still_missing]
    still_missing = [notice for notice in notices if notice.still_missing]
    return current, still_missing


def notice_public(public_id: str) -> SearchNotice | None:
    """A public notice that is or was published (the caller answers 410 for a withdrawn one);
    None for anything the public must not learn about. Carries `page_photos`."""
    notice = (
        SearchNotice.objects.filter(
            public_id=public_id,
            kind=NoticeKind.PUBLIC,
            status__in=[NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN],
            published_at__isnull=False,
        )
        .prefetch_related(_page_photos())
        .first()
    )
    return notice


def page_photo(notice: SearchNotice) -> Rendition | None:
    """The photo the page shows: its own if published, else another public channel's."""
    photos = getattr(notice, "page_photos", None)
    if photos is None:
        photos = list(_live_photos().filter(notice=notice))
    for kind in PHOTO_PREFERENCE:
        for photo in photos:
            if photo.kind == kind:
                return photo
    return None


def rendition_public(public_id: str, filename: str) -> Rendition | None:
    """The published file `filename` of a public notice that was published (live or
    withdrawn: the caller answers 410 for the latter and for a deleted file); None otherwise."""
    if "/" in filename or "\\" in filename or filename.startswith("."):
        return None
    return (
        Rendition.objects.select_related("notice")
        .filter(
            notice__public_id=public_id,
            notice__kind=NoticeKind.PUBLIC,
            notice__status__in=[NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN],
            notice__published_at__isnull=False,
            file=f"published/{public_id}/{filename}",
        )
        .exclude(kind__in=PRIVATE_RENDITION_KINDS)
        .first()
    )


def public_contact() -> PublicContact:
    organisation = Organisation.objects.first() or Organisation()
    numbers = public_numbers(organisation)
    try:
        zone = ZoneInfo(organisation.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return PublicContact(
        hotline=numbers.hotline,
        tip_line=numbers.tip_line,
        time_zone=zone,
    )
