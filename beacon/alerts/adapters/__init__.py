"""Channel adapters: one per `Channel`, all with the same two methods.

`publish(notice, state)` runs inside the publishing task's transaction, with the notice row locked
and still published (a withdrawal that came first means publish is never called: the withdrawal
wins). It makes what the channel needs (renditions, outbox messages, recipients) and returns a
short detail for the withdrawal report ("412 recipients", "poster in nl, fr").

`withdraw(notice, state)` runs inside the withdrawal transaction. It undoes what can be undone in
the database (cancel messages not yet sent, enqueue withdrawal messages) and returns True when
the channel is withdrawn by the end of that transaction (a page, a feed), False when messages
still have to go out (the report then follows their delivery). Published files are deleted by
the withdrawal service for every channel at once (beacon.alerts.renditions.renditions_delete).
"""

from beacon.alerts.choices import Channel
from beacon.alerts.models import NoticeChannel, SearchNotice


class Adapter:
    channel: str = ""

    def publish(self, notice: SearchNotice, state: NoticeChannel) -> str:
        raise NotImplementedError

    def withdraw(self, notice: SearchNotice, state: NoticeChannel) -> bool:
        raise NotImplementedError


def adapter_for(channel: str) -> Adapter:
    from beacon.alerts.adapters.feed import FeedAdapter
    from beacon.alerts.adapters.mobilisation import (
        FollowersAdapter,
        PartnersAdapter,
        VolunteersAdapter,
    )
    from beacon.alerts.adapters.page import PageAdapter
    from beacon.alerts.adapters.poster import PosterAdapter, VignetteAdapter
    from beacon.alerts.adapters.social import SocialAdapter

    adapters: dict[str, type[Adapter]] = {
        Channel.POSTER: PosterAdapter,
        Channel.VIGNETTE: VignetteAdapter,
        Channel.PAGE: PageAdapter,
        Channel.FEED: FeedAdapter,
        Channel.VOLUNTEERS: VolunteersAdapter,
        Channel.PARTNERS: PartnersAdapter,
        Channel.FOLLOWERS: FollowersAdapter,
        Channel.SOCIAL: SocialAdapter,
    }
    return adapters[channel]()
