"""The feeds for digital screens and apps (CAP 1.2 and JSON), polled by partners."""

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel, RenditionKind
from beacon.alerts.models import NoticeChannel, SearchNotice
from beacon.alerts.renditions import first_photo, rendition_from_photo

FEED_PHOTO_SIZE = (600, 750)


class FeedAdapter(Adapter):
    channel = Channel.FEED

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        photo = first_photo(notice)
        if photo is not None:
            rendition_from_photo(
                notice=notice, photo=photo, kind=RenditionKind.FEED, size=FEED_PHOTO_SIZE
            )
        from beacon.alerts.feedstate import feed_changed

        feed_changed()
        return ""

    def withdraw(self, notice: SearchNotice, state: NoticeChannel) -> bool:
        # The withdrawal bumps the feed state; the next poll gets the CAP Cancel message.
        return True
