"""Printable poster (public, A4) and discrete vignette (partners only, A6): one PDF per language of
the notice, stored as renditions (deleted from storage by the withdrawal, like every published
file). The rendering itself is beacon.alerts.posters."""

from django.utils.translation import gettext

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel, RenditionKind
from beacon.alerts.models import NoticeChannel, SearchNotice
from beacon.alerts.posters import (
    POSTER_PHOTO_PIXELS,
    VIGNETTE_PHOTO_PIXELS,
    photo_data_uri,
    poster_pdf_with_photo,
    vignette_pdf_with_photo,
)
from beacon.alerts.renditions import rendition_save


class _PrintAdapter(Adapter):
    kind: str = ""
    photo_pixels: tuple[int, int] = (0, 0)

    def render(self, notice: SearchNotice, language: str, photo: str | None) -> bytes:
        raise NotImplementedError

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        # A publication run again (a retried task) keeps the PDFs it already stored.
        done = set(
            notice.renditions.filter(kind=self.kind, deleted_at__isnull=True).values_list(
                "language", flat=True
            )
        )
        photo = photo_data_uri(notice, self.photo_pixels)
        for language in notice.languages:
            if language in done:
                continue
            rendition_save(
                notice=notice,
                kind=self.kind,
                content=self.render(notice, language, photo),
                content_type="application/pdf",
                language=language,
            )
        return self.detail(", ".join(notice.languages))

    def detail(self, languages: str) -> str:
        raise NotImplementedError

    def withdraw(self, notice: SearchNotice, state: NoticeChannel) -> bool:
        # Nothing left to undo here: the withdrawal deletes every rendition's file at once.
        return True


class PosterAdapter(_PrintAdapter):
    channel = Channel.POSTER
    kind = RenditionKind.POSTER
    photo_pixels = POSTER_PHOTO_PIXELS

    def render(self, notice: SearchNotice, language: str, photo: str | None) -> bytes:
        return poster_pdf_with_photo(notice, language, photo=photo)

    def detail(self, languages: str) -> str:
        return gettext("poster in %(languages)s") % {"languages": languages}


class VignetteAdapter(_PrintAdapter):
    channel = Channel.VIGNETTE
    kind = RenditionKind.VIGNETTE
    photo_pixels = VIGNETTE_PHOTO_PIXELS

    def render(self, notice: SearchNotice, language: str, photo: str | None) -> bytes:
        return vignette_pdf_with_photo(notice, language, photo=photo)

    def detail(self, languages: str) -> str:
        return gettext("vignette in %(languages)s") % {"languages": languages}
