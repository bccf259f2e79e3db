"""The public page of a notice (and its entry on the still-missing list)."""

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel, RenditionKind
from beacon.alerts.models import NoticeChannel, SearchNotice
from beacon.alerts.renditions import first_photo, rendition_from_photo

PAGE_PHOTO_SIZE = (800, 1000)


class PageAdapter(Adapter):
    channel = Channel.PAGE

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        photo = first_photo(notice)
        if photo is not None:
            rendition_from_photo(
                notice=notice, photo=photo, kind=RenditionKind.PAGE, size=PAGE_PHOTO_SIZE
            )
        return ""

    def withdraw(self, notice: SearchNotice, state: NoticeChannel) -> bool:
        # The page answers 410 Gone as soon as the notice is withdrawn: nothing else to do.
        return True
