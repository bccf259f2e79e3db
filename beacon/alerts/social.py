"""The ready-to-post package of a notice for social networks: a post text per language and network,
within that network's limit, and the photo cropped to each network's formats.

The same package goes to the organisation's social-media tool (beacon.alerts.adapters.social, by
webhook) and to the staff page where a communication officer copies the texts and images by hand
(`social_package`). It carries only what the public page shows: no case data.

Limits chosen, per network (what its own counter enforces, with room for nothing else):
- X: 280 characters, counted as X counts them: every link is 23 (t.co), a character outside the
  Latin, general-punctuation ranges (CJK, emoji) is 2 (twitter-text's weighted length, v3).
- Facebook: a post may hold 63,206 characters, but readers see about 480 before "see more"; we keep
  the whole post under 2,000 so the description is rarely shortened and the link is near the top.
- Instagram: a caption holds 2,200 characters and 30 hashtags; links in captions are not clickable
  but are still the address people type, so the page link is in the text.
The description is the part that gives way: shortened on a word boundary with an ellipsis; the
name, last seen, what to do, the link and the hashtags are always kept.
"""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from beacon.alerts.adapters.mobilisation import message_numbers
from beacon.alerts.choices import NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.models import Rendition, SearchNotice

X_URL_LENGTH = 23
NETWORK_LIMITS = {"facebook": 2000, "instagram": 2200, "x": 280}

# (kind, width, height): every network format a notice's photo is published in.
SOCIAL_FORMATS = (
    (RenditionKind.SOCIAL_SQUARE, 1080, 1080),
    (RenditionKind.SOCIAL_PORTRAIT, 1080, 1350),
    (RenditionKind.SOCIAL_LANDSCAPE, 1200, 630),
    (RenditionKind.SOCIAL_STORY, 1080, 1920),
)
SOCIAL_KINDS = tuple(kind for kind, _w, _h in SOCIAL_FORMATS)
# Which formats suit which network, best first (a link post, the feed, stories).
NETWORK_IMAGES = {
    "facebook": [
        RenditionKind.SOCIAL_LANDSCAPE,
        RenditionKind.SOCIAL_SQUARE,
        RenditionKind.SOCIAL_STORY,
    ],
    "instagram": [
        RenditionKind.SOCIAL_PORTRAIT,
        RenditionKind.SOCIAL_SQUARE,
        RenditionKind.SOCIAL_STORY,
    ],
    "x": [RenditionKind.SOCIAL_LANDSCAPE, RenditionKind.SOCIAL_SQUARE],
}
ELLIPSIS = "…"


def _weight(character: str) -> int:
    """X's weight of one character: 1 in the Latin and punctuation ranges, else 2."""
    code = ord(character)
    light = (
        code <= 0x10FF
        or 0x2000 <= code <= 0x200D
        or 0x2010 <= code <= 0x201F
        or 0x2032 <= code <= 0x2037
    )
    return 1 if light else 2


def text_length(network: str, text: str, urls: list[str]) -> int:
    """The length of `text` as `network` counts it (`urls`: the links it contains)."""
    if network != "x":
        return len(text)
    for url in urls:
        text = text.replace(url, "\x00" * X_URL_LENGTH)
    return sum(1 if c == "\x00" else _weight(c) for c in text)


def _shorten(network: str, text: str, budget: int) -> str:
    """`text` cut on a word boundary (with an ellipsis) to weigh at most `budget`."""
    if text_length(network, text, []) <= budget:
        return text
    if budget <= len(ELLIPSIS):
        return ""
    cut = text[:budget]  # every character weighs at least 1
    while cut and text_length(network, cut + ELLIPSIS, []) > budget:
        space = cut.rstrip().rfind(" ")
        cut = cut[:space] if space > 0 else cut[:-1]
        cut = cut.rstrip(" ,;:.-")
    return cut + ELLIPSIS if cut else ""


def hashtags(numbers: dict | None = None) -> list[str]:
    """The notice's hashtags in the active language: the hotline's number, and "missing"."""
    numbers = numbers or message_numbers()
    digits = "".join(c for c in numbers["missing"] if c.isdigit())
    return [f"#{digits}", _("#missing")]


def _name(notice: SearchNotice) -> str:
    if notice.age is None:
        return notice.display_name
    return _("%(name)s, %(age)d") % {"name": notice.display_name, "age": notice.age}


def _last_seen(notice: SearchNotice) -> str:
    when = (
        formats.date_format(timezone.localtime(notice.last_seen_at), "DATE_FORMAT")
        if notice.last_seen_at
        else ""
    )
    place = notice.last_seen_place
    if when and place:
        return _("Last seen on %(when)s in %(place)s.") % {"when": when, "place": place}
    if when:
        return _("Last seen on %(when)s.") % {"when": when}
    if place:
        return _("Last seen in %(place)s.") % {"place": place}
    return ""


def post_text(notice: SearchNotice, language: str, network: str) -> str:
    """The post for `network` in `language`, within the network's limit."""
    from beacon.alerts.links import public_page_url

    limit = NETWORK_LIMITS[network]
    numbers = message_numbers()
    url = public_page_url(notice, language)
    with translation.override(language):
        head = [_("MISSING: %(name)s") % {"name": _name(notice)}]
        seen = _last_seen(notice)
        if seen:
            head.append(seen)
        instructions = notice.text("instructions", language) or (
            _("Have you seen %(name)s? Call %(missing)s (free, day and night).")
            % {"name": notice.display_name, "missing": numbers["missing"]}
        )
        tail = [instructions, url, " ".join(hashtags(numbers))]
    description = notice.text("description", language) or next(
        iter((notice.description or {}).values()), ""
    )
    fixed = "\n\n".join(["\n".join(head), *tail])
    # Two blank-line separators join the description to the rest.
    budget = limit - text_length(network, fixed, [url]) - 2
    if budget < 0:
        # Even without a description the post is too long (a very long custom instruction):
        # the instruction gives way before the link and the number.
        instructions_budget = len(instructions) + budget - 2
        tail[0] = _shorten(network, instructions, max(instructions_budget, 0))
        return "\n\n".join(part for part in ["\n".join(head), *tail] if part)
    short = _shorten(network, description, budget) if description else ""
    return "\n\n".join(part for part in ["\n".join(head), short, *tail] if part)


def _images(notice: SearchNotice) -> dict[str, dict]:
    from beacon.alerts.links import public_file_url

    images = {}
    renditions = Rendition.objects.filter(
        notice=notice, kind__in=SOCIAL_KINDS, deleted_at__isnull=True
    ).order_by("id")
    for rendition in renditions:
        rendition.notice = notice
        images[rendition.kind] = {
            "url": public_file_url(rendition),
            "width": rendition.width,
            "height": rendition.height,
            "content_type": rendition.content_type,
        }
    return images


def social_package(notice: SearchNotice) -> dict:
    """What to post: per language and network the text (and its length as the network counts
    it), the images that suit the network, and the images' addresses. The caller authorises
    (it is the public facts only). A discrete or withdrawn notice has nothing to post: its
    `posts` are empty."""
    from beacon.alerts.links import public_page_url

    postable = notice.kind == NoticeKind.PUBLIC and notice.status != NoticeStatus.WITHDRAWN
    images = _images(notice) if postable else {}
    posts: dict[str, dict[str, dict]] = {}
    if postable:
        for language in notice.languages:
            url = public_page_url(notice, language)
            posts[language] = {}
            for network, limit in NETWORK_LIMITS.items():
                text = post_text(notice, language, network)
                posts[language][network] = {
                    "text": text,
                    "length": text_length(network, text, [url]),
                    "limit": limit,
                    "images": [kind for kind in NETWORK_IMAGES[network] if kind in images],
                }
    return {
        "notice": {
            "id": notice.public_id,
            "kind": notice.kind,
            "name": notice.display_name,
            "age": notice.age,
            "languages": list(notice.languages),
            "page_urls": {lang: public_page_url(notice, lang) for lang in notice.languages}
            if postable
            else {},
            "published_at": notice.published_at.isoformat() if notice.published_at else None,
        },
        "posts": posts,
        "images": images,
    }
