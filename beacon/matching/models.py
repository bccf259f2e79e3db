"""Image matching: banks of hashes of known material, scans of images found on the web, their
matches, and the analysts' decisions on near matches.

Beacon keeps hashes, never the banked images. A scanned image is hashed and forgotten; only an
image that waits for an analyst's decision is kept, as an encrypted reduced preview, and deleted
once the decision is made.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.matching.choices import (
    BankSource,
    HashKind,
    ImportFormat,
    ImportStatus,
    ItemStatus,
    MatchResult,
    QueueReason,
    ScanSource,
)
from beacon.reports.choices import ILLEGAL, Classification

URL_MAX_LENGTH = 2248


class HashBank(models.Model):
    """A list of hashes of known material, and what Beacon may do when an image matches one."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=BankSource.choices)
    description = models.TextField(_("description"), blank=True)
    auto_act_exact = models.BooleanField(
        _("act on exact matches automatically"),
        default=False,
        help_text=_("An identical image triggers the takedown notice without an analyst."),
    )
    near_to_analysts = models.BooleanField(_("send near matches to analysts"), default=True)
    near_threshold = models.PositiveSmallIntegerField(
        _("near-match distance"),
        default=31,
        help_text=_("Largest PDQ distance (bits of 256) still counted as a near match."),
    )
    classification = models.CharField(
        _("classification of its material"),
        max_length=16,
        choices=[(value, label) for value, label in Classification.choices if value in ILLEGAL],
        default=Classification.BASELINE,
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hash bank")
        verbose_name_plural = _("hash banks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(near_threshold__lte=64), name="hashbank_threshold_at_most_64"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BankImport(models.Model):
    """One file of hashes imported into a bank. The file is kept (private storage) until the
    import is done, so an interrupted import resumes from `lines_done` and repeats nothing."""

    bank = models.ForeignKey(HashBank, on_delete=models.PROTECT, related_name="imports")
    format = models.CharField(_("format"), max_length=8, choices=ImportFormat.choices)
    filename = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    lines_total = models.PositiveIntegerField(_("lines"), default=0)
    lines_done = models.PositiveIntegerField(_("lines read"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    duplicates = models.PositiveIntegerField(_("already in the bank"), default=0)
    malformed = models.PositiveIntegerField(_("malformed lines"), default=0)
    # The first malformed lines: [{"line": n, "reason": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    failure = models.CharField(_("failure"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # When a run last moved on (started, or wrote a chunk): a run that stopped moving has died.
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hash import")
        verbose_name_plural = _("hash imports")

    def __str__(self) -> str:
        return f"{self.bank_id}: {self.filename}"

    @property
    def progress_pct(self) -> int:
        if not self.lines_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, int(100 * self.lines_done / self.lines_total))


class BankHashQuerySet(models.QuerySet):
    def live(self) -> "BankHashQuerySet":
        """Hashes in the bank now: not removed, in an active bank."""
        return self.filter(removed_at__isnull=True, bank__active=True)


class BankHash(models.Model):
    """One hash in a bank. A hash a partner retracts is marked removed (kept for the matches it
    explains and for the audit), and no longer matches."""

    # No index of its own: the unique (bank, kind, value) starts with it.
    bank = models.ForeignKey(
        HashBank, on_delete=models.PROTECT, related_name="hashes", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=8, choices=HashKind.choices)
    value = models.CharField(_("hash"), max_length=64)
    quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    # Also set when a removed hash comes back: the match index looks for both (index.py).
    added_at = models.DateTimeField(_("added"), default=timezone.now, db_index=True)
    imported_by = models.ForeignKey(
        BankImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removal_reason = models.CharField(_("why removed"), max_length=300, blank=True)

    objects = BankHashQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("banked hash")
        verbose_name_plural = _("banked hashes")
        constraints = [
            models.UniqueConstraint(fields=["bank", "kind", "value"], name="bankhash_once_per_bank")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="bankhash_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ScanBatch(models.Model):
    """Images that arrived together, from a scanning tool, a folder or an analyst. A counted
    batch records only how many images a tool analysed (the demo's past years), no items."""

    source = models.CharField(_("source"), max_length=8, choices=ScanSource.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    images = models.PositiveIntegerField(_("images analysed"), default=0)
    # Only for a counted batch: how many of its images the tool's analysts judged to be abuse.
    judged_abuse = models.PositiveIntegerField(_("judged abuse material"), default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("scan batch")
        verbose_name_plural = _("scan batches")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%Y-%m-%d %H:%M}"


def item_key(*, url: str, pdq: str, sha256: str) -> str:
    """What makes two submissions the same item: the same image (by its bytes when known, else
    its PDQ) found at the same URL."""
    return hashlib.sha256(f"{url}\n{sha256 or pdq}".encode()).hexdigest()


class ScanItemQuerySet(models.QuerySet):
    def queue(self) -> "ScanItemQuerySet":
        """Matches waiting for an analyst: nearest first, then by bank and age."""
        return self.filter(status=ItemStatus.QUEUED).order_by(
            "best_distance", "best_bank__name", "submitted_at", "id"
        )


class ScanItem(models.Model):
    """One scanned image: its hashes, where it was found, what it matched and what followed."""

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=64, unique=True)
    url = models.CharField(_("found at"), max_length=URL_MAX_LENGTH, blank=True)
    found_at = models.DateTimeField(_("found"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("scanned"), default=timezone.now, db_index=True)
    pdq = models.CharField("PDQ", max_length=64)
    quality = models.PositiveSmallIntegerField(_("PDQ quality"))
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    md5 = models.CharField("MD5", max_length=32, blank=True)
    sha1 = models.CharField("SHA-1", max_length=40, blank=True)
    format = models.CharField(_("format"), max_length=8, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=MatchResult.choices)
    best_distance = models.PositiveSmallIntegerField(_("distance"), null=True, blank=True)
    best_bank = models.ForeignKey(
        HashBank, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices)
    queue_reason = models.CharField(
        _("why an analyst decides"), max_length=16, choices=QueueReason.choices, blank=True
    )
    # The civil hotline's record of the URL, once a notice was decided (or the URL an analyst
    # hashed an image for).
    url_item = models.ForeignKey(
        "reports.UrlItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("note"), blank=True)
    # The notices this item's match sent (automatically or on an analyst's confirmation); a URL
    # the hotline had notified before gets none.
    notices = models.ManyToManyField("reports.Notice", blank=True, related_name="+")
    # A reduced copy of the image, encrypted (beacon.core.crypto), only while an analyst decides.
    preview = models.BinaryField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = ScanItemQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("scanned image")
        verbose_name_plural = _("scanned images")
        permissions = [
            ("scan_images", _("Can submit images and hashes to be matched")),
            ("review_match", _("Can confirm or reject matches")),
        ]
        indexes = [models.Index(fields=["status", "best_distance"], name="scanitem_queue")]

    def __str__(self) -> str:
        return f"{self.pk} {self.result}"


class ScanMatch(models.Model):
    """A bank entry an item matched, with its distance (the nearest few are kept)."""

    item = models.ForeignKey(ScanItem, on_delete=models.CASCADE, related_name="matches")
    bank_hash = models.ForeignKey(BankHash, on_delete=models.PROTECT, related_name="+")
    bank = models.ForeignKey(HashBank, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=HashKind.choices)
    distance = models.PositiveSmallIntegerField(_("distance"))
    variant = models.CharField(_("variant"), max_length=20, blank=True)

    class Meta:
        ordering = ["distance", "id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.item_id}~{self.bank_hash_id} ({self.distance})"


class RejectedPair(models.Model):
    """An analyst found that an image (by its PDQ) is not the banked one: the same pair is not
    queued again."""

    pdq = models.CharField("PDQ", max_length=64)
    bank_hash = models.ForeignKey(BankHash, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ScanItem, on_delete=models.CASCADE, related_name="+")
    rejected_at = models.DateTimeField(default=timezone.now)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("rejected match")
        verbose_name_plural = _("rejected matches")
        constraints = [
            models.UniqueConstraint(fields=["pdq", "bank_hash"], name="rejectedpair_once")
        ]

    def __str__(self) -> str:
        return f"{self.pdq[:8]}~{self.bank_hash_id}"


class PreviewReveal(models.Model):
    """An analyst chose to see a kept image unblurred: counted in their daily exposure."""

    item = models.ForeignKey(ScanItem, on_delete=models.CASCADE, related_name="reveals")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revealed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-revealed_at"]
        verbose_name = _("preview shown")
        verbose_name_plural = _("previews shown")

    def __str__(self) -> str:
        return f"{self.analyst_id} {self.item_id}"
