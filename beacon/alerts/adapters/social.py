"""The ready-to-post package for social networks, and the social-media tool's webhook."""

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel


class SocialAdapter(Adapter):
    channel = Channel.SOCIAL
