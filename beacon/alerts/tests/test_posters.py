"""The printable poster and the discrete vignette: PDFs read back with poppler-utils (pdfinfo,
pdftotext, pdftoppm, pdfimages) and their pictures opened with Pillow."""

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import pgettext
from PIL import Image

from beacon.alerts.adapters.poster import PosterAdapter, VignetteAdapter
from beacon.alerts.choices import Channel, NoticeKind, RenditionKind
from beacon.alerts.links import public_page_url
from beacon.alerts.models import Rendition
from beacon.alerts.posters import poster_pdf, qr_code, truncate, vignette_pdf
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import Organisation
from conftest import synthetic_photo

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils is missing (scripts/test installs it)"
)

PHOTO_COLOUR = (90, 140, 200)  # conftest.synthetic_photo's background
A4_POINTS = (595.28, 841.89)
A6_LANDSCAPE_POINTS = (419.53, 297.64)
LONG_DESCRIPTION = (
    "Wears a dark green parka with a fur-lined hood and grey jogging trousers. " * 45
)[:3000]
LONG_PLACE = "Bus stop at the corner of " + "Very Long Street Name " * 8 + "Testville"


def _run(*args: str | Path) -> str:
    return subprocess.run(
        [str(arg) for arg in args], check=True, capture_output=True, text=True
    ).stdout


def _write(tmp_path: Path, content: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _pages_and_size(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = _run("pdfinfo", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size is not None
    return pages, (float(size.group(1)), float(size.group(2)))


def _text(pdf: Path) -> str:
    # pdftotext keeps lines; joined with spaces so a phrase wrapped by the layout still matches.
    return " ".join(_run("pdftotext", "-enc", "UTF-8", pdf, "-").split())


def _png(pdf: Path, resolution: int = 50) -> Image.Image:
    _run("pdftoppm", "-png", "-r", str(resolution), "-singlefile", pdf, pdf.with_suffix(""))
    with Image.open(pdf.with_suffix(".png")) as image:
        return image.convert("RGB")


def _images(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    _run("pdfimages", "-all", pdf, folder / "image")
    return sorted(folder.iterdir())


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def _stored_pdf(rendition: Rendition, tmp_path: Path) -> Path:
    with default_storage.open(rendition.file.name, "rb") as stored:
        return _write(tmp_path, stored.read(), f"{rendition.kind}-{rendition.language}.pdf")


@pytest.fixture
def public_notice(open_case, private_storage):
    return notice_make(
        open_case,
        channels=[Channel.POSTER, Channel.PAGE],
        languages=["nl", "fr", "en", "de"],
        photo=synthetic_photo(),
        last_seen_at=datetime(2025, 3, 12, 13, 30, tzinfo=UTC),
    )


def test_the_public_page_url_is_absolute_and_per_language(public_notice, settings):
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"

    assert public_page_url(public_notice, "fr") == (
        f"https://beacon.example.org/missing/fr/{public_notice.public_id}/"
    )


def test_publishing_stores_one_single_page_a4_poster_per_language(public_notice, tmp_path):
    state = public_notice.deliveries.get(channel=Channel.POSTER)

    detail = PosterAdapter().publish(public_notice, state)

    assert detail == "poster in nl, fr, en, de"
    renditions = list(public_notice.renditions.filter(kind=RenditionKind.POSTER))
    assert sorted(r.language for r in renditions) == ["de", "en", "fr", "nl"]
    for rendition in renditions:
        assert rendition.content_type == "application/pdf"
        assert rendition.file.name.startswith(f"published/{public_notice.public_id}/poster-")
        pdf = _stored_pdf(rendition, tmp_path)
        pages, size = _pages_and_size(pdf)
        assert pages == 1
        assert size == pytest.approx(A4_POINTS, abs=0.5)
        text = _text(pdf)
        with translation.override(rendition.language):
            heading = pgettext("poster heading", "MISSING")
        assert heading in text
        assert "Lotte" in text
        assert "15" in text
        assert f"[{rendition.language}] 1.60 m, long brown hair, blue jacket" in text
        assert "116 000" in text
        assert "116 800" in text
        assert "Station, Testville" in text
        # 13:30 UTC is 14:30 in Brussels (the organisation's time zone), in the language's format.
        assert ("2:30 p.m." if rendition.language == "en" else "14:30") in text
        assert public_page_url(public_notice, rendition.language) in text
        assert public_notice.public_id in text


def test_publishing_twice_keeps_the_posters_already_stored(open_case, private_storage):
    notice = notice_make(open_case, channels=[Channel.POSTER], languages=["nl", "en"])
    state = notice.deliveries.get(channel=Channel.POSTER)
    PosterAdapter().publish(notice, state)
    first = set(notice.renditions.values_list("file", flat=True))

    PosterAdapter().publish(notice, state)

    assert set(notice.renditions.values_list("file", flat=True)) == first
    assert len(first) == 2


def test_withdrawing_the_poster_channel_leaves_the_files_to_the_central_deletion(
    open_case, private_storage
):
    notice = notice_make(open_case, channels=[Channel.POSTER], languages=["en"])
    state = notice.deliveries.get(channel=Channel.POSTER)
    PosterAdapter().publish(notice, state)

    assert PosterAdapter().withdraw(notice, state) is True
    assert notice.renditions.filter(deleted_at__isnull=True).count() == 1


def test_last_seen_is_shown_in_the_organisations_time_zone(public_notice, tmp_path):
    Organisation.objects.update(time_zone="America/New_York")

    text = _text(_write(tmp_path, poster_pdf(public_notice, "en")))

    assert "9:30 a.m." in text  # 13:30 UTC, New York in March (daylight saving time: UTC-4)
    assert "2:30 p.m." not in text


def test_the_rendered_poster_shows_the_photo_in_its_box(public_notice, tmp_path):
    image = _png(_write(tmp_path, poster_pdf(public_notice, "nl")))

    width, height = image.size  # A4 at 50 dpi
    assert (width, height) == (pytest.approx(413, abs=1), pytest.approx(585, abs=1))
    pixels = image.load()
    non_white = sum(
        1
        for x in range(0, width, 3)
        for y in range(0, height, 3)
        if pixels[x, y] != (255, 255, 255)
    )
    assert non_white > 0.25 * (width // 3) * (height // 3)
    # The heading band is red across the top.
    assert _close(pixels[width // 2, 35], (200, 16, 46), tolerance=30)
    # The photo box: 100 x 125 mm under the band, at the left margin; the landscape photo is
    # centred in it (contain), so its centre is the photo's colour.
    photo_centre = (round((10 + 50) / 25.4 * 50), round((10 + 39 + 62.5) / 25.4 * 50))
    assert _close(pixels[photo_centre], PHOTO_COLOUR)
    photo_pixels = sum(
        1
        for x in range(0, width // 2)
        for y in range(0, height)
        if _close(pixels[x, y], PHOTO_COLOUR)
    )
    assert photo_pixels > 0.8 * (100 / 25.4 * 50) * (75 / 25.4 * 50)
    # Nothing of the photo's colour on the right half (the facts) or below the photo box.
    assert not any(
        _close(pixels[x, y], PHOTO_COLOUR, tolerance=6)
        for x in range(width // 2 + 20, width, 2)
        for y in range(0, height, 2)
    )


def test_the_embedded_photo_has_no_metadata_and_the_qr_code_is_the_public_url(
    public_notice, tmp_path
):
    pdf = _write(tmp_path, poster_pdf(public_notice, "fr"))

    images = _images(pdf, tmp_path / "images")

    assert len(images) == 2  # the photo and the QR code, nothing else
    photo, qr = images
    with Image.open(photo) as opened:
        assert opened.format == "JPEG"
        assert dict(opened.getexif()) == {}
        assert not opened.getexif().get_ifd(0x8825)  # no GPS
        assert "exif" not in opened.info
        assert "icc_profile" not in opened.info
        assert "xmp" not in opened.info
        assert _close(opened.getpixel((opened.width // 2, opened.height // 2)), PHOTO_COLOUR)
    # The QR code in the PDF is, module for module, the code of the public page's address.
    expected = qr_code(public_page_url(public_notice, "fr"))
    with Image.open(qr) as opened:
        embedded = opened.convert("L")
    modules = len(expected.matrix)
    border = 4
    module_pixels = embedded.width / (modules + 2 * border)
    for row, values in enumerate(expected.matrix):
        for column, dark in enumerate(values):
            x = round((border + column + 0.5) * module_pixels)
            y = round((border + row + 0.5) * module_pixels)
            assert (embedded.getpixel((x, y)) < 128) == bool(dark), (row, column)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed")
def test_the_printed_qr_code_reads_back_as_the_public_page(public_notice, tmp_path, settings):
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"
    pdf = _write(tmp_path, poster_pdf(public_notice, "de"))
    _png(pdf, resolution=150)

    decoded = _run(
        "zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", pdf.with_suffix(".png")
    )

    assert decoded.strip() == (f"https://beacon.example.org/missing/de/{public_notice.public_id}/")


def test_long_texts_shrink_and_are_cut_with_an_ellipsis_on_one_page(
    open_case, private_storage, tmp_path
):
    notice = notice_make(
        open_case,
        channels=[Channel.POSTER],
        languages=["en"],
        photo=synthetic_photo(),
        description={"en": LONG_DESCRIPTION},
        last_seen_place=LONG_PLACE[:200],
        display_name="Maximiliana-Josephina",
    )

    pdf = _write(tmp_path, poster_pdf(notice, "en"))

    pages, size = _pages_and_size(pdf)
    assert pages == 1
    assert size == pytest.approx(A4_POINTS, abs=0.5)
    text = _text(pdf)
    assert "Wears a dark green parka with a fur-lined hood" in text
    assert "…" in text
    assert len(text) < len(LONG_DESCRIPTION)
    # What matters most is all still on the page: the numbers, the address, the reference.
    assert "116 000" in text
    assert public_page_url(notice, "en") in text
    assert notice.public_id in text
    assert "Bus stop at the corner of" in text
    assert len(_images(pdf, tmp_path / "images")) == 2


def test_a_long_word_without_spaces_does_not_widen_the_page(open_case, private_storage, tmp_path):
    notice = notice_make(
        open_case,
        channels=[Channel.POSTER],
        languages=["en"],
        last_seen_place="X" * 200,
        description={"en": "Y" * 900},
    )

    pdf = _write(tmp_path, poster_pdf(notice, "en"))

    assert _pages_and_size(pdf) == (1, pytest.approx(A4_POINTS, abs=0.5))
    assert "116 000" in _text(pdf)


def test_a_notice_without_a_photo_gets_a_poster_with_a_placeholder(
    open_case, private_storage, tmp_path
):
    notice = notice_make(open_case, channels=[Channel.POSTER], languages=["en"])

    pdf = _write(tmp_path, poster_pdf(notice, "en"))

    assert _pages_and_size(pdf)[0] == 1
    assert "No photo" in _text(pdf)
    assert len(_images(pdf, tmp_path / "images")) == 1  # the QR code only


def test_a_discrete_notice_has_no_poster(open_case, private_storage):
    notice = notice_make(open_case, kind=NoticeKind.DISCRETE, photo=synthetic_photo())

    with pytest.raises(ValueError):
        poster_pdf(notice, "nl")


def test_the_vignette_is_an_a6_card_without_link_or_qr_code(open_case, private_storage, tmp_path):
    notice = notice_make(
        open_case,
        kind=NoticeKind.DISCRETE,
        languages=["nl", "en"],
        photo=synthetic_photo(),
        last_seen_at=datetime(2025, 3, 12, 13, 30, tzinfo=UTC),
    )
    state = notice.deliveries.get(channel=Channel.VIGNETTE)

    detail = VignetteAdapter().publish(notice, state)

    assert detail == "vignette in nl, en"
    rendition = notice.renditions.get(kind=RenditionKind.VIGNETTE, language="en")
    pdf = _stored_pdf(rendition, tmp_path)
    pages, size = _pages_and_size(pdf)
    assert pages == 1
    assert size == pytest.approx(A6_LANDSCAPE_POINTS, abs=0.5)
    text = _text(pdf)
    assert "do not publish or share" in text.lower()
    assert "Lotte" in text
    assert "15 years old" in text
    assert "2:30 p.m." in text
    assert "Station, Testville" in text
    assert "116 000" in text
    assert notice.public_id in text
    assert "http" not in text
    assert "/missing/" not in text
    images = _images(pdf, tmp_path / "images")
    assert len(images) == 1  # the photo: no QR code
    with Image.open(images[0]) as photo:
        assert photo.format == "JPEG"
        assert dict(photo.getexif()) == {}
        assert _close(photo.getpixel((photo.width // 2, photo.height // 2)), PHOTO_COLOUR)
    assert VignetteAdapter().withdraw(notice, state) is True


def test_the_vignette_keeps_one_page_with_long_texts(open_case, private_storage, tmp_path):
    notice = notice_make(
        open_case,
        kind=NoticeKind.DISCRETE,
        languages=["fr"],
        photo=synthetic_photo(),
        description={"fr": LONG_DESCRIPTION},
        last_seen_place=LONG_PLACE[:200],
        instructions={"fr": "Ne pas aborder l'enfant. " * 30},
    )

    pdf = _write(tmp_path, vignette_pdf(notice, "fr"))

    assert _pages_and_size(pdf) == (1, pytest.approx(A6_LANDSCAPE_POINTS, abs=0.5))
    text = _text(pdf)
    assert "…" in text
    assert notice.public_id in text
    assert "116 000" in text


def test_truncate_cuts_at_a_word_with_an_ellipsis():
    assert truncate("short text", 20) == "short text"
    assert truncate("one two three four five six", 16) == "one two three…"
    assert truncate("x" * 50, 10) == "x" * 9 + "…"
    assert truncate("  spaces\n\nfolded  ", 20) == "spaces\nfolded"
    assert truncate("one\ntwo\nthree", 20, lines=2) == "one\ntwo three"


def test_the_heading_is_in_the_posters_language(public_notice, tmp_path):
    headings = {"nl": "VERMIST", "fr": "DISPARU(E)", "en": "MISSING", "de": "VERMISST"}
    for language, heading in headings.items():
        assert heading in _text(_write(tmp_path, poster_pdf(public_notice, language)))


def test_every_text_long_at_once_still_leaves_the_numbers_and_the_code_on_one_page(
    open_case, private_storage, tmp_path
):
    notice = notice_make(
        open_case,
        channels=[Channel.POSTER],
        languages=["en"],
        photo=synthetic_photo(size=(600, 800)),
        display_name="Maximiliana " * 8,
        last_seen_place=LONG_PLACE[:200],
        description={"en": "A line of its own.\n" * 150},
        instructions={"en": "Do not approach; call the police first.\n" * 60},
    )

    pdf = _write(tmp_path, poster_pdf(notice, "en"))

    assert _pages_and_size(pdf) == (1, pytest.approx(A4_POINTS, abs=0.5))
    text = _text(pdf)
    assert "A line of its own." in text
    assert "Do not approach; call the police first." in text
    assert "116 000" in text
    assert public_page_url(notice, "en") in text
    assert len(_images(pdf, tmp_path / "images")) == 2
