"""The documents of the feeds that digital screens and apps poll: CAP 1.2 and JSON.

What the feeds show: every published public notice that chose the feed channel and, for each
public feed notice withdrawn in the last `FEED_CANCEL_DAYS` days (setting, default 7), a CAP
Cancel message that says only that the alert is cancelled (no name, photo, description or place:
the child has usually been found). Discrete notices never appear.

The CAP side is an Atom index (`/missing/feeds/cap/`) whose entries link to one standalone CAP 1.2
`<alert>` per notice (`/missing/feeds/cap/<public id>.xml`). Atom is what alert aggregators and
screen players already read (the CAP feeds of national weather services and the WMO alert hub are
Atom or RSS indexes of CAP documents); every alert document stays valid against the official CAP
schema on its own; and when one notice changes, a poller fetches the small index and that one
alert, not every notice again.

Identifiers (stable, so that a Cancel can name what it cancels after the notice has changed):
- the first message of a notice is the Alert `beacon-<public id>`, sent at publication;
- a notice changed after publication is an Update `beacon-<public id>-<version>`, sent when it
  changed, referencing the first Alert;
- its withdrawal is the Cancel `beacon-<public id>-cancel`, sent when it was withdrawn,
  referencing the first Alert (`sender,identifier,sent`, as CAP 1.2 section 3.2.1 says).
Every message of a notice carries `<incidents>beacon-<public id></incidents>`, so a reader that
keys on the incident groups them without following references.

All documents of one feed version are built at once (`snapshot_build`) and kept by the views
(beacon.alerts.feed_views) until the version changes: pollers get bytes, not a rebuild.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.feedstate import feed_state_read
from beacon.alerts.links import public_file_url, public_page_url
from beacon.alerts.models import Rendition, SearchNotice
from beacon.alerts.public_selectors import public_contact
from beacon.core.models import Organisation

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
JSON_FORMAT = 1  # the shape of notices.json; raised when a field changes meaning

# Document keys of a snapshot: the Atom index, the JSON feed, one CAP alert per notice.
CAP_INDEX = "cap"
JSON_FEED = "json"

# The publishing service may stamp `updated_at` a moment after `published_at`: a change within
# this margin is the publication itself, not an Update.
UPDATE_MARGIN = timedelta(seconds=1)

# CAP recommends a headline under 160 characters (screens show it on one line).
HEADLINE_MAX = 160

# What a missing-child notice is in CAP's terms, the same for every notice:
# - category Rescue ("rescue and recovery"): the public is asked to help find a person;
# - urgency Immediate: the responsive action (look out, call 116 000 now) is wanted at once;
# - severity Moderate ("possible threat to life or property"): a public notice means the
#   authority judged the child possibly in danger, but most missing children are runaways, and
#   Severe/Extreme are what screen networks use to interrupt programmes (abduction alerts are a
#   different, police-run system);
# - certainty Observed: the disappearance has happened, it is not a forecast.
CATEGORY = "Rescue"
URGENCY = "Immediate"
SEVERITY = "Moderate"
CERTAINTY = "Observed"
# A Cancel: nothing is asked of the public any more.
CANCEL_URGENCY = "Past"
CANCEL_SEVERITY = "Minor"


def cancel_days() -> int:
    return int(getattr(settings, "FEED_CANCEL_DAYS", 7))


def cancel_day(now: datetime | None = None) -> date:
    """The day (UTC) that decides which Cancel messages are still shown: those of notices
    withdrawn since midnight of `FEED_CANCEL_DAYS` days before it. It is part of the feeds'
    cache key, so old Cancels leave the feed at midnight even when nothing else changes."""
    return (now or timezone.now()).astimezone(UTC).date()


def cancel_cutoff(day: date) -> datetime:
    return datetime.combine(day - timedelta(days=cancel_days()), time(0), tzinfo=UTC)


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class FeedSnapshot:
    """Every feed document of one (feed version, day), built from one consistent read."""

    version: int
    day: date
    changed_at: datetime
    documents: dict[str, FeedDocument] = field(default_factory=dict)


def alert_key(public_id: str) -> str:
    return f"cap/{public_id}"


# --- what the feeds show -------------------------------------------------------------------


def _feed_photos() -> Prefetch:
    return Prefetch(
        "renditions",
        queryset=Rendition.objects.filter(
            kind=RenditionKind.FEED, deleted_at__isnull=True
        ).order_by("-created_at", "-id"),
        to_attr="feed_photos",
    )


def _on_the_feed(notice: SearchNotice) -> bool:
    # `channels` is a JSON list (no containment lookup on SQLite); the rows are a few dozen.
    return Channel.FEED in (notice.channels or [])


def notices_live() -> list[SearchNotice]:
    """Published public notices on the feed channel, newest first, with `feed_photos`."""
    notices = (
        SearchNotice.objects.filter(
            status=NoticeStatus.PUBLISHED, kind=NoticeKind.PUBLIC, published_at__isnull=False
        )
        .select_related("region")
        .prefetch_related(_feed_photos())
        .order_by("-published_at", "-id")
    )
    return [notice for notice in notices if _on_the_feed(notice)]


def notices_cancelled(day: date) -> list[SearchNotice]:
    """Public feed notices withdrawn since the cut-off of `day`, newest first. Only what a
    Cancel says is read: the reference, the times, the languages."""
    notices = (
        SearchNotice.objects.filter(
            status=NoticeStatus.WITHDRAWN,
            kind=NoticeKind.PUBLIC,
            published_at__isnull=False,
            withdrawn_at__gte=cancel_cutoff(day),
        )
        .only(
            "id",
            "public_id",
            "kind",
            "status",
            "channels",
            "languages",
            "published_at",
            "withdrawn_at",
            "updated_at",
        )
        .order_by("-withdrawn_at", "-id")
    )
    return [notice for notice in notices if _on_the_feed(notice)]


# --- shared pieces -----------------------------------------------------------------------


@dataclass(frozen=True)
class FeedContext:
    """What every document of a snapshot needs besides the notices (read once per build)."""

    sender: str
    sender_name: str
    country: str
    hotline: str
    tip_line: str
    zone: ZoneInfo


def feed_context() -> FeedContext:
    organisation = Organisation.objects.first() or Organisation(name="Beacon", country="")
    contact = public_contact()
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    return FeedContext(
        sender=f"beacon@{host}",
        sender_name=organisation.name or "Beacon",
        country=(organisation.country or "").upper(),
        hotline=contact.hotline,
        tip_line=contact.tip_line,
        zone=contact.time_zone,
    )


def cap_time(moment: datetime, zone: ZoneInfo) -> str:
    """CAP's dateTime: local time with its offset, whole seconds, and UTC written "-00:00"
    (CAP 1.2 section 3.3.2: no "Z", no fractional seconds)."""
    text = moment.astimezone(zone).replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def iso_time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def cap_language(language: str, country: str) -> str:
    """RFC 3066 tag of a notice language: the country's variant for its own languages
    (nl-BE, fr-BE, de-BE), plain "en" for English."""
    if language == "en" or not country:
        return language
    return f"{language}-{country}"


def is_update(notice: SearchNotice) -> bool:
    return bool(notice.published_at and notice.updated_at > notice.published_at + UPDATE_MARGIN)


def first_alert_id(notice: SearchNotice) -> str:
    return f"beacon-{notice.public_id}"


def message_id(notice: SearchNotice) -> str:
    if notice.status == NoticeStatus.WITHDRAWN:
        return f"beacon-{notice.public_id}-cancel"
    if is_update(notice):
        return f"beacon-{notice.public_id}-{notice.version}"
    return first_alert_id(notice)


def message_sent(notice: SearchNotice) -> datetime:
    if notice.status == NoticeStatus.WITHDRAWN:
        return notice.withdrawn_at or notice.updated_at
    if is_update(notice):
        return notice.updated_at
    return notice.published_at  # type: ignore[return-value]


def first_alert_reference(notice: SearchNotice, context: FeedContext) -> str:
    """CAP `references` entry of the notice's first Alert: "sender,identifier,sent"."""
    sent = cap_time(notice.published_at, context.zone)  # type: ignore[arg-type]
    return f"{context.sender},{first_alert_id(notice)},{sent}"


def feed_photo(notice: SearchNotice) -> Rendition | None:
    photos = getattr(notice, "feed_photos", None)
    return photos[0] if photos else None


@dataclass(frozen=True)
class PhotoFacts:
    url: str
    content_type: str
    size: int
    sha1: str
    width: int | None
    height: int | None


def photo_facts(rendition: Rendition, known: dict) -> PhotoFacts | None:
    """Size and SHA-1 (CAP's digest) of a published photo; read once per file and process
    (`known` is kept across snapshots). None when the file is gone from storage."""
    cache_key = (rendition.pk, rendition.file.name)
    if cache_key not in known:
        try:
            with rendition.file.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, OSError):
            return None
        known[cache_key] = (len(content), hashlib.sha1(content).hexdigest())  # noqa: S324 - CAP's digest
    size, sha1 = known[cache_key]
    return PhotoFacts(
        url=public_file_url(rendition),
        content_type=rendition.content_type,
        size=size,
        sha1=sha1,
        width=rendition.width,
        height=rendition.height,
    )


def alert_url(public_id: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("missing:feed_cap_alert", args=[public_id])


@dataclass(frozen=True)
class NoticeTexts:
    """What one notice says in one language (also the JSON feed's `texts`)."""

    event: str
    headline: str
    description: str
    instruction: str
    area: str
    page_url: str | None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice_texts(notice: SearchNotice, language: str, context: FeedContext) -> NoticeTexts:
    with translation.override(language):
        place = notice.last_seen_place
        region = notice.region.name if notice.region_id and notice.region else ""
        area = ", ".join(part for part in (place, region) if part) or context.sender_name
        name = notice.display_name
        if notice.age is not None:
            who = _("%(name)s (%(age)d)") % {"name": name, "age": notice.age}
        else:
            who = name
        if place:
            headline = _("Missing: %(who)s, last seen in %(place)s") % {"who": who, "place": place}
        else:
            headline = _("Missing: %(who)s") % {"who": who}
        description = notice.text("description", language)
        if notice.last_seen_at:
            seen = formats.date_format(
                notice.last_seen_at.astimezone(context.zone), "DATETIME_FORMAT"
            )
            last_seen = (
                _("Last seen on %(when)s in %(place)s.") % {"when": seen, "place": place}
                if place
                else _("Last seen on %(when)s.") % {"when": seen}
            )
            description = f"{last_seen}\n{description}" if description else last_seen
        instruction = notice.text("instructions", language) or _(
            "If you have seen %(name)s or know where they are, call %(hotline)s (free, day and "
            "night). For a tip, call %(tip_line)s."
        ) % {"name": name, "hotline": context.hotline, "tip_line": context.tip_line}
        return NoticeTexts(
            event=_("Missing child"),
            headline=_shorten(headline, HEADLINE_MAX),
            description=description,
            instruction=instruction,
            area=area,
            page_url=(
                public_page_url(notice, language) if Channel.PAGE in notice.channels else None
            ),
        )


# --- CAP ---------------------------------------------------------------------------------


def _sub(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _cap_header(
    root, notice: SearchNotice, context: FeedContext, msg_type: str, references: str | None
) -> None:
    _sub(root, "identifier", message_id(notice))
    _sub(root, "sender", context.sender)
    _sub(root, "sent", cap_time(message_sent(notice), context.zone))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", "Public")
    if references:
        _sub(root, "references", references)
    _sub(root, "incidents", first_alert_id(notice))


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def cap_alert(notice: SearchNotice, context: FeedContext, photo: PhotoFacts | None) -> bytes:
    """The CAP 1.2 Alert (or Update) of a published notice: one <info> per language."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    update = is_update(notice)
    _cap_header(
        root,
        notice,
        context,
        "Update" if update else "Alert",
        first_alert_reference(notice, context) if update else None,
    )
    for language in notice.languages:
        texts = notice_texts(notice, language, context)
        info = _sub(root, "info")
        _sub(info, "language", cap_language(language, context.country))
        _sub(info, "category", CATEGORY)
        _sub(info, "event", texts.event)
        _sub(info, "responseType", "Monitor")
        _sub(info, "urgency", URGENCY)
        _sub(info, "severity", SEVERITY)
        _sub(info, "certainty", CERTAINTY)
        _sub(info, "senderName", context.sender_name)
        _sub(info, "headline", texts.headline)
        if texts.description:
            _sub(info, "description", texts.description)
        _sub(info, "instruction", texts.instruction)
        if texts.page_url:
            _sub(info, "web", texts.page_url)
        _sub(info, "contact", context.hotline)
        if photo is not None:
            resource = _sub(info, "resource")
            with translation.override(language):
                _sub(resource, "resourceDesc", _("Photo"))
            _sub(resource, "mimeType", photo.content_type)
            _sub(resource, "size", str(photo.size))
            _sub(resource, "uri", photo.url)
            _sub(resource, "digest", photo.sha1)
        area = _sub(info, "area")
        _sub(area, "areaDesc", texts.area)
        if notice.region_id and notice.region:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "ISO 3166-2")
            _sub(geocode, "value", notice.region.code)
    return _xml(root)


def cap_cancel(notice: SearchNotice, context: FeedContext) -> bytes:
    """The CAP 1.2 Cancel of a withdrawn notice. It says that the alert is cancelled and
    nothing about the child: no name, photo, description, place or page."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _cap_header(root, notice, context, "Cancel", first_alert_reference(notice, context))
    for language in notice.languages:
        with translation.override(language):
            info = _sub(root, "info")
            _sub(info, "language", cap_language(language, context.country))
            _sub(info, "category", CATEGORY)
            _sub(info, "event", _("Missing child"))
            _sub(info, "responseType", "AllClear")
            _sub(info, "urgency", CANCEL_URGENCY)
            _sub(info, "severity", CANCEL_SEVERITY)
            _sub(info, "certainty", CERTAINTY)
            _sub(info, "senderName", context.sender_name)
            _sub(info, "headline", _("Search notice withdrawn: please remove it. Thank you."))
    return _xml(root)


def cap_index(
    live: list[SearchNotice],
    cancelled: list[SearchNotice],
    context: FeedContext,
    changed_at: datetime,
) -> bytes:
    """The Atom index of the CAP messages: one entry per notice, linking its CAP document."""

    def sub(parent, name: str, text: str | None = None, **attributes):
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", **attributes)
        if text is not None:
            element.text = text
        return element

    default = settings.LANGUAGE_CODE
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    index_url = settings.PUBLIC_BASE_URL + reverse("missing:feed_cap_index")
    sub(root, "id", index_url)
    with translation.override(default):
        sub(root, "title", _("%(name)s: search notices (CAP)") % {"name": context.sender_name})
    sub(root, "updated", iso_time(changed_at))
    author = sub(root, "author")
    sub(author, "name", context.sender_name)
    sub(root, "link", rel="self", href=index_url, type=ATOM_CONTENT_TYPE.split(";")[0])
    for notice in live + cancelled:
        entry = sub(root, "entry")
        sub(entry, "id", f"{alert_url(notice.public_id)}#{message_id(notice)}")
        if notice.status == NoticeStatus.WITHDRAWN:
            with translation.override(default):
                title = _("Search notice withdrawn")
        else:
            language = default if default in notice.languages else notice.languages[0]
            title = notice_texts(notice, language, context).headline
        sub(entry, "title", title)
        sub(entry, "updated", iso_time(message_sent(notice)))
        sub(
            entry,
            "link",
            rel="alternate",
            href=alert_url(notice.public_id),
            type=CAP_CONTENT_TYPE.split(";")[0],
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- JSON --------------------------------------------------------------------------------


def json_feed(
    live: list[SearchNotice],
    cancelled: list[SearchNotice],
    context: FeedContext,
    photos: dict[int, PhotoFacts | None],
    version: int,
    changed_at: datetime,
) -> bytes:
    items: list[dict] = []
    for notice in live:
        texts = {language: notice_texts(notice, language, context) for language in notice.languages}
        photo = photos.get(notice.pk)
        items.append(
            {
                "id": notice.public_id,
                "status": "active",
                "cap_identifier": message_id(notice),
                "cap_url": alert_url(notice.public_id),
                "published_at": iso_time(notice.published_at),
                "updated_at": iso_time(message_sent(notice)),
                "name": notice.display_name,
                "age": notice.age,
                "languages": list(notice.languages),
                "texts": {
                    language: {
                        "headline": text.headline,
                        "description": text.description,
                        "instruction": text.instruction,
                        "area": text.area,
                    }
                    for language, text in texts.items()
                },
                "page_urls": {
                    language: text.page_url for language, text in texts.items() if text.page_url
                },
                "photo": (
                    {
                        "url": photo.url,
                        "content_type": photo.content_type,
                        "width": photo.width,
                        "height": photo.height,
                        "size": photo.size,
                        "sha1": photo.sha1,
                    }
                    if photo
                    else None
                ),
                "last_seen_at": iso_time(notice.last_seen_at),
                "area": {
                    "place": notice.last_seen_place,
                    "region": notice.region.code if notice.region_id and notice.region else None,
                },
                "still_missing": notice.still_missing,
                "contact": {"hotline": context.hotline, "tip_line": context.tip_line},
            }
        )
    for notice in cancelled:
        items.append(
            {
                "id": notice.public_id,
                "status": "cancelled",
                "cancelled_at": iso_time(notice.withdrawn_at),
            }
        )
    document = {
        "format": JSON_FORMAT,
        "version": version,
        "generated_at": iso_time(changed_at),
        "notices": items,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# --- one snapshot ------------------------------------------------------------------------


def snapshot_build(day: date | None = None, photo_cache: dict | None = None) -> FeedSnapshot:
    """Every feed document as of now. The feed version is read before and after the notices:
    every change bumps it in its own transaction, so equal readings mean the documents are
    exactly that version's (a change in between: read again)."""
    day = day or cancel_day()
    known = photo_cache if photo_cache is not None else {}
    for _attempt in range(5):
        version, changed_at = feed_state_read()
        context = feed_context()
        live = notices_live()
        cancelled = notices_cancelled(day)
        if feed_state_read()[0] == version:
            break
    photos = {
        notice.pk: (photo_facts(rendition, known) if (rendition := feed_photo(notice)) else None)
        for notice in live
    }
    documents: dict[str, FeedDocument] = {
        CAP_INDEX: FeedDocument(cap_index(live, cancelled, context, changed_at), ATOM_CONTENT_TYPE),
        JSON_FEED: FeedDocument(
            json_feed(live, cancelled, context, photos, version, changed_at), JSON_CONTENT_TYPE
        ),
    }
    for notice in live:
        documents[alert_key(notice.public_id)] = FeedDocument(
            cap_alert(notice, context, photos[notice.pk]), CAP_CONTENT_TYPE
        )
    for notice in cancelled:
        documents[alert_key(notice.public_id)] = FeedDocument(
            cap_cancel(notice, context), CAP_CONTENT_TYPE
        )
    return FeedSnapshot(version=version, day=day, changed_at=changed_at, documents=documents)
