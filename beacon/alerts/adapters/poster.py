"""Printable poster (public) and discrete vignette (partners only): A4/A6 PDFs."""

from beacon.alerts.adapters import Adapter
from beacon.alerts.choices import Channel


class PosterAdapter(Adapter):
    channel = Channel.POSTER


class VignetteAdapter(Adapter):
    channel = Channel.VIGNETTE
