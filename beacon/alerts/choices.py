from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    PUBLIC = "public", _("public")
    DISCRETE = "discrete", _("discrete")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Channel(models.TextChoices):
    """Where a notice goes. Each channel is one adapter (beacon.alerts.adapters)."""

    POSTER = "poster", _("printable poster")
    VIGNETTE = "vignette", _("discrete vignette")
    PAGE = "page", _("public page")
    FEED = "feed", _("feeds for screens and apps (CAP, JSON)")
    VOLUNTEERS = "volunteers", _("volunteers of the area")
    PARTNERS = "partners", _("partners of the area")
    FOLLOWERS = "followers", _("followers")
    SOCIAL = "social", _("social networks")


# A discrete notice goes only to trusted partners, on a vignette; never to a public channel.
PUBLIC_CHANNELS = {
    Channel.POSTER,
    Channel.PAGE,
    Channel.FEED,
    Channel.VOLUNTEERS,
    Channel.PARTNERS,
    Channel.FOLLOWERS,
    Channel.SOCIAL,
}
DISCRETE_CHANNELS = {Channel.VIGNETTE, Channel.PARTNERS}


class ChannelStatus(models.TextChoices):
    PENDING = "pending", _("going out")
    PUBLISHED = "published", _("published")
    WITHDRAWING = "withdrawing", _("being withdrawn")
    WITHDRAWN = "withdrawn", _("withdrawn")
    SKIPPED = "skipped", _("not published: withdrawn first")


class RenditionKind(models.TextChoices):
    PAGE = "page", _("public page photo")
    FEED = "feed", _("feed photo")
    POSTER = "poster", _("poster (PDF)")
    VIGNETTE = "vignette", _("vignette (PDF)")
    SOCIAL_SQUARE = "social_square", _("social: square 1080×1080")
    SOCIAL_PORTRAIT = "social_portrait", _("social: portrait 1080×1350")
    SOCIAL_LANDSCAPE = "social_landscape", _("social: landscape 1200×630")
    SOCIAL_STORY = "social_story", _("social: story 1080×1920")


class StatNetwork(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X")
    APP = "app", _("volunteer app")
    SCREENS = "screens", _("digital screens")
    PAGE = "page", _("public page")
    OTHER = "other", _("other")


class StatSource(models.TextChoices):
    ENTERED = "entered", _("entered by hand")
    IMPORTED = "imported", _("imported")
