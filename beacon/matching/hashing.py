"""Hashing an image: PDQ (Meta's open perceptual hash, 256 bits and a quality 0-100) of the image
and of its seven other dihedral variants (rotations and mirror images), and SHA-256, SHA-1 and MD5
of the bytes.

Only JPEG, PNG, GIF (its first frame), WebP and BMP are read, by their content (never by a name
or a declared type). Everything else is refused with a reason and nothing of the content is
logged: a file that is empty, too large, truncated, not an image, of another format, or a
decompression bomb (more pixels than settings.MATCHING_MAX_PIXELS).

Speed: a JPEG is decoded at a reduced scale (libjpeg's DCT scaling, `Image.draft`) to at least
HASH_SIDE pixels, and every image is reduced to at most HASH_SIDE before hashing, as Meta's
reference implementation advises: PDQ reduces to 64 x 64 anyway, and the tests check that the hash
stays within a few bits of the hash of the full image.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pdqhash
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, UnidentifiedImageError

HASH_SIDE = 384
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
           "BMP": "image/bmp"}  # fmt: skip
# Dihedral variants in the order pdqhash returns them.
VARIANTS = (
    "original",
    "rotate_90",
    "rotate_180",
    "rotate_270",
    "flip_top_bottom",
    "mirror_left_right",
    "flip_diagonal",
    "flip_antidiagonal",
)


# Pillow reads this module-level switch while it decodes, and WeasyPrint turns it on for the whole
# process when it is imported (for the PDFs, which hold only Beacon's own images). Beacon's rule is
# strict: a truncated image is refused. Decoding switches it off again (no lock: decoding threads
# never wait for each other) and decodes once more if WeasyPrint switched it on meanwhile.
def _strict_loading() -> None:
    ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageRefused(ValueError):
    """An image Beacon will not hash: `code` for programs, `message` for people."""

    MESSAGES = {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(limit)s bytes."),
        "not_an_image": _(
            "The file is not an image in a supported format (JPEG, PNG, GIF, WebP, BMP)."
        ),  # noqa: E501
        "unsupported_format": _(
            "Images in %(format)s are not hashed (JPEG, PNG, GIF, WebP, BMP are)."
        ),  # noqa: E501
        "type_mismatch": _("The file was declared as %(declared)s but is %(actual)s."),
        "truncated": _("The image is truncated or damaged."),
        "too_many_pixels": _("The image has more than %(limit)s pixels (a decompression bomb?)."),
    }

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code]) % self.params


@dataclass(frozen=True)
class ImageHashes:
    pdq: str  # 64 hex characters
    quality: int  # 0-100
    dihedral: tuple[str, ...]  # the 8 variants' PDQ, VARIANTS order (the first is `pdq`)
    sha256: str
    sha1: str
    md5: str
    format: str  # JPEG, PNG, ...
    width: int
    height: int


def bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash's 256 bits (0/1) as PDQ's 64 hex characters (the first bit most significant)."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hex_to_bytes(value: str) -> bytes:
    return bytes.fromhex(value)


def _open(data: bytes, declared_type: str = "") -> Image.Image:
    if not data:
        raise ImageRefused("empty")
    limit = settings.MATCHING_MAX_IMAGE_BYTES
    if len(data) > limit:
        raise ImageRefused("too_large", limit=limit)
    Image.MAX_IMAGE_PIXELS = settings.MATCHING_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Over the limit Pillow only warns (an error from twice the limit): refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too_many_pixels", limit=settings.MATCHING_MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRefused("not_an_image") from None
    if image.format not in FORMATS:
        raise ImageRefused("unsupported_format", format=image.format or "?")
    actual = FORMATS[image.format]
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared != actual and not (declared == "image/jpg" and actual == "image/jpeg"):
        raise ImageRefused("type_mismatch", declared=declared, actual=actual)
    return image


@dataclass(frozen=True)
class Prepared:
    image: Image.Image  # RGB, at most `side` pixels on its longer side
    format: str
    width: int  # of the image as stored
    height: int


def prepared(data: bytes, declared_type: str = "", side: int = HASH_SIDE) -> Prepared:
    """The image decoded (first frame), in RGB, at most `side` pixels on its longer side."""
    image = _open(data, declared_type)
    format, (width, height) = image.format or "", image.size
    _strict_loading()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if image.format == "JPEG" and side:
                # The smallest DCT scale that keeps the longer side at least `side`.
                scale = side / max(width, height)
                image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()
            rgb = image.convert("RGB")
            if side and max(rgb.size) > side:
                rgb.thumbnail((side, side), Image.Resampling.BOX)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too_many_pixels", limit=settings.MATCHING_MAX_PIXELS) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefused("truncated") from None
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # switched on while this image was decoded
        return prepared(data, declared_type, side)
    return Prepared(image=rgb, format=format, width=width, height=height)


def hash_image(data: bytes, declared_type: str = "", side: int = HASH_SIDE) -> ImageHashes:
    """Every hash Beacon keeps of an image. Raises ImageRefused (with a reason) for bad input.
    `side=0` hashes the image at full size (for tests and the benchmark's comparison)."""
    ready = prepared(data, declared_type, side)
    hashes, quality = pdqhash.compute_dihedral(np.asarray(ready.image))
    variants = tuple(bits_to_hex(bits) for bits in hashes)
    return ImageHashes(
        pdq=variants[0],
        quality=int(quality),
        dihedral=variants,
        sha256=hashlib.sha256(data).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        format=ready.format,
        width=ready.width,
        height=ready.height,
    )


def distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes in hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
