"""The civil hotline's fixed vocabularies: INHOPE's classification and lists, where a report was seen,
the actions that follow an assessment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WhereSeen(models.TextChoices):
    WEB_PAGE = "web_page", _("a web page")
    SOCIAL_MEDIA = "social_media", _("a social media platform")
    MESSAGING = "messaging", _("a messaging app")
    PEER_TO_PEER = "p2p", _("peer-to-peer (file sharing)")
    OTHER = "other", _("somewhere else")


class ReportStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    CLOSED = "closed", _("closed")


class ItemStatus(models.TextChoices):
    """Where one reported URL stands in the analysts' work."""

    NEW = "new", _("to assess")
    SECOND_OPINION = "second_opinion", _("waiting for a second opinion")
    ASSESSED = "assessed", _("assessed, action to confirm")
    ACTIONED = "actioned", _("notices sent, watching for removal")
    REMOVED = "removed", _("removed")
    CLOSED = "closed", _("closed")


class Inaccessible(models.TextChoices):
    GONE = "gone", _("gone (not found)")
    PASSWORD = "password", _("password protected")
    PAYWALL = "paywall", _("pay wall")
    GEO_BLOCKED = "geo_blocked", _("geo-blocked")
    OTHER = "other", _("other")


class Classification(models.TextChoices):
    """INHOPE's legal classification of assessed content."""

    BASELINE = "baseline", _("baseline (illegal everywhere, INTERPOL criteria)")
    NATIONAL = "national", _("nationally illegal")
    NOT_ILLEGAL = "not_illegal", _("not illegal")


ILLEGAL = (Classification.BASELINE, Classification.NATIONAL)


class AgeGroup(models.TextChoices):
    INFANT = "infant", _("infant or toddler")
    PRE_PUBESCENT = "pre_pubescent", _("pre-pubescent")
    PUBESCENT = "pubescent", _("pubescent")


class VictimGender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    BOTH = "both", _("both")
    UNKNOWN = "unknown", _("unknown")


class ContentType(models.TextChoices):
    IMAGE = "image", _("image")
    VIDEO = "video", _("video")
    TEXT = "text", _("text")
    DRAWN = "drawn", _("drawn or AI-generated")


class SiteType(models.TextChoices):
    """INHOPE's list of site types."""

    WEBSITE = "website", _("website")
    IMAGE_HOST = "image_host", _("image host")
    FILE_HOST = "file_host", _("file host")
    FORUM = "forum", _("forum")
    IMAGE_STORE = "image_store", _("image store")
    BANNER_SITE = "banner_site", _("banner site")
    LINK_SITE = "link_site", _("link site")
    SOCIAL_NETWORK = "social_network", _("social networking site")
    BLOG = "blog", _("blog")
    SEARCH_PROVIDER = "search_provider", _("search provider")
    REDIRECTOR = "redirector", _("redirector")
    WEB_ARCHIVE = "web_archive", _("web archive")


class Action(models.TextChoices):
    """What follows an assessment (Beacon proposes, the analyst confirms)."""

    POLICE = "police", _("notice to the national police")
    HOTLINE = "hotline", _("notice to the hosting country's INHOPE hotline")
    POLICE_INTERPOL = "police_interpol", _("notice to the national police for INTERPOL")
    PLATFORM = "platform", _("notice to the platform (DSA Article 16, trusted flagger)")
    VICTIM_REFERRAL = "victim_referral", _("referral of an identifiable victim to a case manager")
    CLOSE = "close", _("close: nothing to act on")


class NoticeKind(models.TextChoices):
    POLICE = "police", _("national police")
    HOTLINE = "hotline", _("INHOPE member hotline")
    POLICE_INTERPOL = "police_interpol", _("national police, for INTERPOL")
    PLATFORM = "platform", _("platform (DSA Article 16)")


class PlatformDecision(models.TextChoices):
    REMOVED = "removed", _("content removed")
    DISABLED = "disabled", _("access disabled")
    RESTRICTED = "restricted", _("visibility restricted")
    NO_ACTION = "no_action", _("no action taken")


class RemovalSource(models.TextChoices):
    CONFIRMATION = "confirmation", _("confirmed by the recipient")
    CHECK = "check", _("found offline by Beacon's checks")
    ANALYST = "analyst", _("seen offline by an analyst")
