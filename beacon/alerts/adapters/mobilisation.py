"""Mobilisation of volunteers, partners and followers (e-mail and signed webhooks)."""

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel


class VolunteersAdapter(Adapter):
    channel = Channel.VOLUNTEERS


class PartnersAdapter(Adapter):
    channel = Channel.PARTNERS


class FollowersAdapter(Adapter):
    channel = Channel.FOLLOWERS
