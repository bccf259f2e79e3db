from django.db import models
from django.utils.translation import gettext_lazy as _


class BankSource(models.TextChoices):
    OWN = "own", _("our own confirmed items")
    PARTNER = "partner", _("a partner hotline")
    INDUSTRY = "industry", _("an industry list")


class HashKind(models.TextChoices):
    PDQ = "pdq", "PDQ"
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"


# Length in hex characters of each kind of hash.
HEX_LENGTH = {HashKind.PDQ: 64, HashKind.MD5: 32, HashKind.SHA1: 40, HashKind.SHA256: 64}
CRYPTOGRAPHIC = (HashKind.MD5, HashKind.SHA1, HashKind.SHA256)


class ImportFormat(models.TextChoices):
    PDQ_LINES = "pdq", _("PDQ, one hash per line (optionally a quality after it)")
    PDQ_CSV = "csv", _("CSV in ThreatExchange's columns (hash, quality, tags)")
    MD5 = "md5", _("MD5, one per line")
    SHA1 = "sha1", _("SHA-1, one per line")
    SHA256 = "sha256", _("SHA-256, one per line")


FORMAT_KIND = {
    ImportFormat.PDQ_LINES: HashKind.PDQ,
    ImportFormat.PDQ_CSV: HashKind.PDQ,
    ImportFormat.MD5: HashKind.MD5,
    ImportFormat.SHA1: HashKind.SHA1,
    ImportFormat.SHA256: HashKind.SHA256,
}


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ScanSource(models.TextChoices):
    API = "api", _("a scanning tool, through the API")
    FOLDER = "folder", _("a watched folder")
    HOTLINE = "hotline", _("an analyst of the civil hotline")
    COUNTED = "counted", _("a counted batch (totals only)")


class MatchResult(models.TextChoices):
    NONE = "none", _("no match")
    EXACT = "exact", _("exact match")
    NEAR = "near", _("near match")


class ItemStatus(models.TextChoices):
    NO_MATCH = "no_match", _("no match")
    ACTING = "acting", _("exact match, notice being prepared")
    ACTIONED = "actioned", _("exact match, notice sent")
    QUEUED = "queued", _("waiting for an analyst")
    CONFIRMED = "confirmed", _("confirmed by an analyst")
    REJECTED = "rejected", _("rejected by an analyst (false match)")
    NOT_ACTED = "not_acted", _("match recorded, not acted on")


class QueueReason(models.TextChoices):
    NEAR = "near", _("near match")
    LOW_QUALITY = "low_quality", _("exact match of a low-quality image")
    NO_AUTO = "no_auto", _("exact match in a bank that does not allow automatic action")
    NO_RECIPIENT = "no_recipient", _("exact match, but no recipient for a notice")
