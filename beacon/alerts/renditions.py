"""Published copies of a notice's photo, and files made for a channel (posters, vignettes).

Every rendition is re-encoded from the pixels alone, so no metadata of the uploaded file (EXIF
GPS position, camera serial, XMP, ICC comments) is ever published. Renditions live under
`published/<public id>/` with random file names, are served by `beacon.alerts.public_views`
while the notice is published, and are deleted from storage when it is withdrawn.
"""

import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps

from beacon.alerts.models import NoticePhoto, Rendition, SearchNotice

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def clean_image(
    source, *, size: tuple[int, int] | None = None, fit: str = "contain"
) -> Image.Image:
    """The photo's pixels only, upright (EXIF orientation applied, then dropped), in RGB, and
    resized: "contain" fits inside `size`, "cover" fills it and crops the overflow (centred on
    the upper third, where a portrait's face usually is)."""
    with Image.open(source) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
    if image.mode != "RGB":
        image = image.convert("RGB")
    if size is not None:
        if fit == "cover":
            image = ImageOps.fit(image, size, Image.Resampling.LANCZOS, centering=(0.5, 0.33))
        else:
            image = ImageOps.contain(image, size, Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the original file survives but them.
    return Image.frombytes("RGB", image.size, image.tobytes())


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def rendition_save(
    *,
    notice: SearchNotice,
    kind: str,
    content: bytes,
    content_type: str,
    language: str = "",
    width: int | None = None,
    height: int | None = None,
) -> Rendition:
    """Store a published file of the notice (call inside the publishing transaction)."""
    extension = EXTENSIONS[content_type]
    name = f"published/{notice.public_id}/{kind}-{secrets.token_urlsafe(12)}.{extension}"
    stored = default_storage.save(name, ContentFile(content))
    return Rendition.objects.create(
        notice=notice,
        kind=kind,
        file=stored,
        content_type=content_type,
        language=language,
        width=width,
        height=height,
    )


def rendition_from_photo(
    *,
    notice: SearchNotice,
    photo: NoticePhoto,
    kind: str,
    size: tuple[int, int],
    fit: str = "contain",
    language: str = "",
) -> Rendition:
    """A metadata-free JPEG of `photo` at `size`, published for one channel."""
    with photo.image.open("rb") as source:
        image = clean_image(source, size=size, fit=fit)
    return rendition_save(
        notice=notice,
        kind=kind,
        content=jpeg_bytes(image),
        content_type="image/jpeg",
        language=language,
        width=image.width,
        height=image.height,
    )


def first_photo(notice: SearchNotice) -> NoticePhoto | None:
    return notice.photos.order_by("position", "id").first()


def renditions_delete(*, notice_id: int) -> int:
    """Delete every published file of the notice from storage (idempotent: a second run finds
    nothing left). Returns how many files were deleted now."""
    deleted = 0
    for rendition in Rendition.objects.filter(notice_id=notice_id, deleted_at__isnull=True):
        if rendition.file and default_storage.exists(rendition.file.name):
            default_storage.delete(rendition.file.name)
            deleted += 1
        Rendition.objects.filter(pk=rendition.pk).update(deleted_at=timezone.now())
    # A publication that rolled back after writing a file leaves it with no row: whatever is
    # left in the notice's folder goes too.
    public_id = (
        SearchNotice.objects.filter(pk=notice_id).values_list("public_id", flat=True).first()
    )
    if public_id:
        folder = f"published/{public_id}"
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            files = []
        for name in files:
            default_storage.delete(f"{folder}/{name}")
            deleted += 1
    return deleted
