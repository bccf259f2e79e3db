"""The printable poster (A4 portrait, public) and the discrete vignette (A6 landscape, partners
only) of a search notice, rendered as PDFs by WeasyPrint from alerts/poster.html and vignette.html.

Nothing outside the document is read: the photo (a metadata-free copy made by `clean_image`) and
the QR code are embedded as data: URIs, and the URL fetcher refuses every other scheme, so a
template or a text can never make the renderer fetch a file or an address.

One page, always: a printed notice that runs onto a second sheet loses its numbers. Texts are
first set smaller, step by step (down to 72 %), then the description is cut at a word with an
ellipsis ("…") to the longest that still fits; the full description stays on the public page the
QR code points to. Every attempt is rendered and its pages counted, so this holds whatever the
font metrics; a page crowded by other long texts (instructions, place, name) has them all cut,
and the very last resort keeps the first page only.
"""

import base64
import io
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import pgettext

from beacon.alerts.choices import NoticeKind
from beacon.alerts.links import public_page_url
from beacon.alerts.models import SearchNotice
from beacon.alerts.renditions import clean_image, first_photo, jpeg_bytes
from beacon.core.models import Organisation
from beacon.core.numbers import phone_display, public_numbers

# Pixels of the embedded photo: the poster's photo box is 100 x 125 mm (about 230 dpi), the
# vignette's 48 x 60 mm (about 260 dpi); "contain" keeps the whole photo, the box's background shows around it.
POSTER_PHOTO_PIXELS = (900, 1125)
VIGNETTE_PHOTO_PIXELS = (500, 625)


@dataclass(frozen=True)
class Fit:
    """One attempt at fitting the texts on the page: a font scale and the longest texts kept."""

    scale: float
    description: int
    instructions: int
    place: int
    name: int
    lines: int  # of the description and the instructions each


@dataclass(frozen=True)
class Layout:
    """How a document fits its texts on one page: `fits` are tried in order at full length; if
    none is one page, the description of the last one is cut to the longest that fits (a
    bisection); `emergency` is the last resort for pages full of other long texts."""

    fits: tuple[Fit, ...]
    emergency: Fit
    sizes: dict[str, float]  # font sizes in points at scale 1.0


POSTER = Layout(
    fits=(
        Fit(1.0, 1500, 400, 200, 100, 12),
        Fit(0.9, 1500, 400, 200, 100, 12),
        Fit(0.8, 1500, 400, 200, 100, 10),
        Fit(0.72, 1500, 400, 200, 100, 8),
    ),
    emergency=Fit(0.55, 200, 150, 60, 30, 2),
    # The heading and the numbers never shrink: they are what a passer-by reads from afar.
    sizes={"text": 14, "name": 38, "age": 22, "facts": 15, "todo": 16},
)
VIGNETTE = Layout(
    fits=(
        Fit(1.0, 600, 200, 200, 100, 4),
        Fit(0.9, 600, 200, 200, 100, 4),
        Fit(0.8, 600, 200, 150, 80, 3),
    ),
    emergency=Fit(0.7, 80, 80, 50, 30, 1),
    sizes={"text": 7.5, "name": 15, "age": 10, "facts": 8, "todo": 8.5},
)
# The description is cut to within this many characters of the longest that fits.
BISECTION_PRECISION = 40


def truncate(text: str, limit: int, *, lines: int | None = None) -> str:
    """`text` with its spaces folded and at most `lines` lines (the last ones joined), cut to at
    most `limit` characters, at a word when there is one, with an ellipsis."""
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if lines is not None and len(paragraphs) > lines:
        paragraphs = [*paragraphs[: lines - 1], " ".join(paragraphs[lines - 1 :])]
    text = "\n".join(paragraphs)
    if len(text) <= limit:
        return text
    if limit < 2:
        return ""
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-–\n") + "…"


def organisation_numbers(organisation: Organisation) -> dict[str, str]:
    numbers = public_numbers(organisation)
    return {"hotline": phone_display(numbers.hotline), "tip_line": phone_display(numbers.tip_line)}


def qr_code(url: str) -> segno.QRCode:
    """The QR code printed on the poster: `url`, error correction M (survives a crease or a
    smudge), never a micro QR code (phones' cameras do not all read them)."""
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str) -> str:
    # A PNG of whole pixels per module, drawn with image-rendering: pixelated, prints sharp; the
    # quiet zone of four modules is part of the image so nothing can be set too close to it.
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=10, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def photo_data_uri(notice: SearchNotice, size: tuple[int, int]) -> str | None:
    """The notice's first photo, pixels only (no EXIF, GPS, XMP or ICC data), as a JPEG data: URI;
    None when the notice has no photo."""
    photo = first_photo(notice)
    if photo is None:
        return None
    with photo.image.open("rb") as source:
        image = clean_image(source, size=size, fit="contain")
    return "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes(image, quality=88)).decode(
        "ascii"
    )


def _organisation() -> Organisation:
    return Organisation.objects.first() or Organisation(name="", time_zone=settings.TIME_ZONE)


def _last_seen(notice: SearchNotice, organisation: Organisation) -> dict[str, str]:
    """Date and time the child was last seen, in the organisation's time zone and the active
    language's formats."""
    if notice.last_seen_at is None:
        return {}
    zone = ZoneInfo(organisation.time_zone or settings.TIME_ZONE)
    local = timezone.localtime(notice.last_seen_at, zone)
    return {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }


def _context(
    notice: SearchNotice,
    language: str,
    *,
    organisation: Organisation,
    photo: str | None,
    fit: Fit,
) -> dict:
    heading = pgettext("poster heading", "MISSING")
    return {
        "language": language,
        "heading": heading,
        # 64 pt fits eleven capitals across the poster ("DISPARU(E)" is ten): longer words in a
        # language to come are set smaller rather than broken.
        "heading_size": f"{min(64.0, 64.0 * 11 / max(len(heading), 1)):.1f}pt",
        "organisation_name": organisation.name,
        "numbers": organisation_numbers(organisation),
        "photo": photo,
        "display_name": truncate(notice.display_name, fit.name, lines=1),
        "age": notice.age,
        "last_seen": _last_seen(notice, organisation),
        "last_seen_place": truncate(notice.last_seen_place, fit.place, lines=1),
        "description": truncate(
            notice.text("description", language), fit.description, lines=fit.lines
        ),
        "instructions": truncate(
            notice.text("instructions", language), fit.instructions, lines=fit.lines
        ),
        "reference": notice.public_id,
    }


def _one_page_pdf(
    template: str,
    notice: SearchNotice,
    language: str,
    *,
    layout: Layout,
    photo: str | None,
    extra: dict,
):
    """The rendered WeasyPrint document, one page long."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDFs need.
    from weasyprint import HTML, URLFetcher

    organisation = _organisation()
    # data: URIs only: the photo and the QR code are inside the document, nothing is fetched.
    fetcher = URLFetcher(allowed_protocols={"data"})

    def render(fit: Fit):
        context = {
            **_context(notice, language, organisation=organisation, photo=photo, fit=fit),
            "size": {key: f"{points * fit.scale:.1f}pt" for key, points in layout.sizes.items()},
            **extra,
        }
        return HTML(string=render_to_string(template, context), url_fetcher=fetcher).render()

    with translation.override(language):
        for fit in layout.fits:
            document = render(fit)
            if len(document.pages) == 1:
                return document
        # Still too long at the smallest size: cut the description to the longest that fits,
        # unless the page is full without it (then every long text is cut).
        smallest = layout.fits[-1]
        best = render(replace(smallest, description=0))
        if len(best.pages) > 1:
            best = render(layout.emergency)
        else:
            fits = 0
            too_long = min(len(notice.text("description", language)), smallest.description)
            while too_long - fits > BISECTION_PRECISION:
                middle = (fits + too_long) // 2
                document = render(replace(smallest, description=middle))
                if len(document.pages) == 1:
                    fits, best = middle, document
                else:
                    too_long = middle
    if len(best.pages) > 1:
        # Never more than one sheet, whatever the font metrics do.
        best = best.copy(best.pages[:1])
    return best


def poster_pdf(notice: SearchNotice, language: str) -> bytes:
    """The A4 poster of a public notice in `language`, as PDF bytes (also for previews before
    publication: nothing is stored)."""
    return poster_pdf_with_photo(
        notice, language, photo=photo_data_uri(notice, POSTER_PHOTO_PIXELS)
    )


def poster_pdf_with_photo(notice: SearchNotice, language: str, *, photo: str | None) -> bytes:
    """`poster_pdf` with the photo already made (`photo_data_uri`): one photo for all languages."""
    if notice.kind != NoticeKind.PUBLIC:
        # A discrete notice has no public page, and nothing about it may be posted.
        raise ValueError("a discrete notice has no poster; print its vignette")
    url = public_page_url(notice, language)
    return _one_page_pdf(
        "alerts/poster.html",
        notice,
        language,
        layout=POSTER,
        photo=photo,
        extra={"page_url": url, "qr": qr_data_uri(url)},
    ).write_pdf()


def vignette_pdf(notice: SearchNotice, language: str) -> bytes:
    """The discrete A6 card of a notice in `language` for trusted partners: no QR code, no link
    (a discrete notice has no public page), a do-not-share warning and the reference."""
    return vignette_pdf_with_photo(
        notice, language, photo=photo_data_uri(notice, VIGNETTE_PHOTO_PIXELS)
    )


def vignette_pdf_with_photo(notice: SearchNotice, language: str, *, photo: str | None) -> bytes:
    """`vignette_pdf` with the photo already made (`photo_data_uri`)."""
    return _one_page_pdf(
        "alerts/vignette.html",
        notice,
        language,
        layout=VIGNETTE,
        photo=photo,
        extra={},
    ).write_pdf()
