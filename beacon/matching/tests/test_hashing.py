"""Hashing synthetic images and their transformed copies with PDQ, and refusing what is not an
image Beacon reads. The distances of each transformation are asserted as bounds measured here."""

import io
import struct
import zlib

import pytest
from PIL import Image

from beacon.matching.hashing import ImageRefused, distance, hash_image
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg

PICTURE = synthetic_image(21, (1200, 900))
ORIGINAL = hash_image(encoded(PICTURE, "PNG"), side=0)


def nearest(data: bytes) -> int:
    """Distance from the original to the nearest dihedral variant of the copy."""
    return min(distance(ORIGINAL.pdq, variant) for variant in hash_image(data).dihedral)


def test_an_image_is_hashed_with_pdq_its_variants_and_cryptographic_digests():
    assert len(ORIGINAL.pdq) == 64 and int(ORIGINAL.pdq, 16) >= 0
    assert 50 <= ORIGINAL.quality <= 100
    assert len(ORIGINAL.dihedral) == 8 and ORIGINAL.dihedral[0] == ORIGINAL.pdq
    assert len(set(ORIGINAL.dihedral)) == 8
    assert (len(ORIGINAL.sha256), len(ORIGINAL.sha1), len(ORIGINAL.md5)) == (64, 40, 32)
    assert (ORIGINAL.format, ORIGINAL.width, ORIGINAL.height) == ("PNG", 1200, 900)


def test_different_images_are_far_apart():
    others = [hash_image(synthetic_jpeg(seed)).pdq for seed in range(30, 40)]
    assert min(distance(ORIGINAL.pdq, other) for other in others) > 64


@pytest.mark.parametrize(
    ("name", "copy", "bound"),
    [
        ("the same image as JPEG", lambda im: encoded(im), 12),
        ("re-compressed hard", lambda im: encoded(im, quality=30), 16),
        ("resized to a quarter", lambda im: encoded(im.resize((300, 225))), 20),
        ("rotated 90 degrees", lambda im: encoded(im.rotate(90, expand=True)), 16),
        ("rotated 180 degrees", lambda im: encoded(im.rotate(180)), 16),
        ("mirrored", lambda im: encoded(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), 16),
        ("flipped", lambda im: encoded(im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)), 16),
        ("cropped 2% on each side", lambda im: encoded(im.crop((24, 18, 1176, 882))), 31),
        ("as WebP", lambda im: encoded(im, "WEBP", quality=80), 16),
        ("as GIF", lambda im: encoded(im.convert("P"), "GIF"), 31),
        ("as BMP", lambda im: encoded(im, "BMP"), 12),
    ],
)
def test_transformed_copies_stay_within_the_near_threshold(name, copy, bound):
    assert nearest(copy(PICTURE)) <= bound, name


def test_decoding_at_reduced_size_stays_within_pdq_tolerance_of_the_full_hash():
    for seed in range(5):
        data = encoded(synthetic_image(seed, (1600, 1200)))
        assert distance(hash_image(data).pdq, hash_image(data, side=0).pdq) <= 16


def test_an_animated_gif_is_hashed_by_its_first_frame():
    first, second = synthetic_image(1, (320, 240)), synthetic_image(2, (320, 240))
    buffer = io.BytesIO()
    first.save(buffer, "GIF", save_all=True, append_images=[second], duration=100)
    gif = hash_image(buffer.getvalue())
    assert distance(gif.pdq, hash_image(encoded(first, "PNG")).pdq) < distance(
        gif.pdq, hash_image(encoded(second, "PNG")).pdq
    )


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb's signature."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "declared", "code"),
    [
        (b"", "", "empty"),
        (b"GIF89a", "", "not_an_image"),
        (b"<html><body>not an image</body></html>", "image/jpeg", "not_an_image"),
        (synthetic_jpeg(1)[:2500], "", "truncated"),
        (encoded(synthetic_image(1, (64, 64)), "TIFF"), "", "unsupported_format"),
        (synthetic_jpeg(1), "image/png", "type_mismatch"),
        (_png_claiming(20000, 20000), "", "too_many_pixels"),
        (_png_claiming(8000, 8000), "", "too_many_pixels"),
    ],
)
def test_bad_files_are_refused_with_a_reason(settings, data, declared, code):
    settings.MATCHING_MAX_PIXELS = 40_000_000
    with pytest.raises(ImageRefused) as refused:
        hash_image(data, declared)
    assert refused.value.code == code
    assert refused.value.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.MATCHING_MAX_IMAGE_BYTES = 10_000
    with pytest.raises(ImageRefused) as refused:
        hash_image(synthetic_jpeg(1))
    assert refused.value.code == "too_large" and "10000" in refused.value.message


def test_a_declared_jpg_alias_is_accepted():
    assert hash_image(synthetic_jpeg(1), "image/jpg").format == "JPEG"


def test_a_truncated_image_is_refused_even_after_weasyprint_allowed_them():
    import weasyprint  # noqa: F401  (it sets Pillow's LOAD_TRUNCATED_IMAGES for the process)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint's import leaves it
    with pytest.raises(ImageRefused) as refused:
        hash_image(synthetic_jpeg(1)[:2500])
    assert refused.value.code == "truncated"
