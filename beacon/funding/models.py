"""Funding: donors and their gifts, bank statements, tax certificates (Belgian form 281.71),
corporate partners' tiers, and the accounts (trial balances by ledger code).

Donors' data is read only by finance users and administrators (`funding.view_donor`). A person's
national register number is kept encrypted (`beacon.core.crypto`), validated by its check digits
and shown masked; only the certificate and the declaration to the tax administration read it.

A certificate is a snapshot: the donor's name, address and number, and the amount, as they were
when it was issued. A later change never alters it: a re-run issues a corrective certificate
that points at the one it corrects. Erasing a donor keeps the certificates (the law requires
keeping them), minimised to what the declaration needs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.validators import reject_control_characters_single_line

LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("de", "Deutsch"), ("en", "English")]


class DonorKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class Donor(models.Model):
    """A person or an organisation that gives. `structured_reference` is the donor's own
    Belgian structured communication (OGM/VCS, 12 digits): a transfer that carries it is matched
    to the donor."""

    kind = models.CharField(_("kind"), max_length=16, choices=DonorKind.choices)
    first_name = models.CharField(
        _("first name"),
        max_length=100,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    last_name = models.CharField(
        _("last name or organisation name"),
        max_length=200,
        validators=[reject_control_characters_single_line],
    )
    company_number = models.CharField(
        _("company number"), max_length=16, blank=True, help_text=_("For an organisation.")
    )
    street = models.CharField(
        _("street and number"),
        max_length=200,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    city = models.CharField(
        _("city"), max_length=100, blank=True, validators=[reject_control_characters_single_line]
    )
    country = models.CharField(_("country"), max_length=2, default="BE")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="nl")
    contact_consent = models.BooleanField(_("consents to be contacted"), default=False)
    contact_consent_at = models.DateTimeField(
        _("consent given or withdrawn"), null=True, blank=True
    )
    # Fernet token of the 11 digits; the last two digits kept apart to show the number masked.
    national_number_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    national_number_hint = models.CharField(max_length=2, blank=True, editable=False)
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        permissions = [
            ("export_donor", "Can export a donor's data (right of access)"),
            ("erase_donor", "Can erase a donor (right to erasure)"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def national_number_masked(self) -> str:
        """e.g. `••.••.••-•••.45`: enough to tell which number is on file, not to read it."""
        if not self.national_number_hint:
            return ""
        return f"••.••.••-•••.{self.national_number_hint}"


class DonorAccount(models.Model):
    """A bank account a donor gives from: a transfer from it is matched to the donor (when no
    other donor has the same account)."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="accounts")
    iban = models.CharField(_("IBAN"), max_length=34)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["iban"]
        constraints = [
            models.UniqueConstraint(fields=["donor", "iban"], name="donor_account_unique")
        ]
        indexes = [models.Index(fields=["iban"], name="donor_account_iban")]
        verbose_name = _("donor's bank account")
        verbose_name_plural = _("donors' bank accounts")

    def __str__(self) -> str:
        return self.iban


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    YEARLY = "yearly", _("yearly")


class Mandate(models.Model):
    """A recurring gift: a standing order or a SEPA direct-debit mandate."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="mandates")
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")

    def __str__(self) -> str:
        return self.reference


class GiftMethod(models.TextChoices):
    TRANSFER = "transfer", _("bank transfer")
    DIRECT_DEBIT = "direct_debit", _("direct debit")
    CARD = "card", _("card or online payment")
    CASH = "cash", _("cash")
    IN_KIND = "in_kind", _("in kind")
    OTHER = "other", _("other")


class GiftNature(models.TextChoices):
    MONEY = "money", _("money")
    IN_KIND = "in_kind", _("in kind")


class BankStatement(models.Model):
    """One imported bank statement file (CAMT.053). The file's SHA-256 is unique: the same
    file imported twice is refused; its entries are de-duplicated one by one as well."""

    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(_("file name"), max_length=255)
    message_id = models.CharField(_("message id"), max_length=64, blank=True)
    account_iban = models.CharField(_("account"), max_length=34, blank=True)
    created_on = models.DateTimeField(_("created by the bank"), null=True, blank=True)
    entries = models.PositiveIntegerField(_("entries"), default=0)
    new_entries = models.PositiveIntegerField(_("new entries"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return self.filename


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("matched to a donor")
    UNMATCHED = "unmatched", _("to resolve")
    RESOLVED = "resolved", _("resolved by hand")
    IGNORED = "ignored", _("not a gift")


class MatchRule(models.TextChoices):
    REFERENCE = "reference", _("structured reference")
    ACCOUNT = "account", _("account number")
    MANDATE = "mandate", _("mandate")
    MANUAL = "manual", _("by hand")


class StatementLine(models.Model):
    """One credit (or debit) of a statement. `entry_key` identifies the bank's entry across
    files (account + the bank's reference, or the entry's content when the bank gives none):
    an entry already imported from another file is not added again."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    entry_key = models.CharField(max_length=64, unique=True)
    booked_on = models.DateField(_("booked"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    credit = models.BooleanField(_("credit"), default=True)
    counterparty_name = models.CharField(_("from"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("from account"), max_length=34, blank=True)
    structured_reference = models.CharField(_("structured reference"), max_length=12, blank=True)
    remittance = models.CharField(_("communication"), max_length=500, blank=True)
    mandate_reference = models.CharField(_("mandate"), max_length=35, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LineStatus.choices, default=LineStatus.UNMATCHED
    )
    match_rule = models.CharField(
        _("matched by"), max_length=16, choices=MatchRule.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    donor = models.ForeignKey(
        Donor, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["booked_on", "id"]
        indexes = [models.Index(fields=["status", "booked_on"], name="statement_line_queue")]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount}"


class Gift(models.Model):
    """A gift, in money or in kind. `received_on` is the day in the organisation's time zone
    (a card payment at 23:30 UTC on 31 December counts on 1 January in Brussels); it decides the
    certificate's year. A refund does not delete the gift: `refunded_on` takes it out of the
    deductible total, and a certificate already issued is corrected by the next run."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="gifts")
    received_on = models.DateField(_("received"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=16, choices=GiftMethod.choices)
    nature = models.CharField(
        _("money or in kind"), max_length=8, choices=GiftNature.choices, default=GiftNature.MONEY
    )
    mandate = models.ForeignKey(
        Mandate,
        verbose_name=_("recurring mandate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gifts",
    )
    campaign = models.CharField(
        _("campaign"),
        max_length=100,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    legacy = models.BooleanField(_("legacy"), default=False)
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        validators=[reject_control_characters_single_line],
    )
    statement_line = models.OneToOneField(
        StatementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="gift"
    )
    refunded_on = models.DateField(_("refunded"), null=True, blank=True)
    refund_reason = models.CharField(_("refund reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on", "donor"], name="gift_day_donor")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gift_amount_positive"),
        ]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} EUR"

    @property
    def recurring(self) -> bool:
        return self.mandate_id is not None


class SponsorTier(models.Model):
    """A tier of corporate partners by their gifts in a year (money and in kind), e.g. bronze
    from 5,000 to 25,000 EUR. Data, not code: the organisation changes its thresholds."""

    code = models.SlugField(_("code"), max_length=32)
    names = models.JSONField(_("names"), default=dict)
    minimum_eur = models.DecimalField(_("from (EUR)"), max_digits=12, decimal_places=2)
    maximum_eur = models.DecimalField(
        _("up to (EUR, excluded)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    first_year = models.PositiveIntegerField(_("from year"), default=2000)
    last_year = models.PositiveIntegerField(_("to year"), null=True, blank=True)

    class Meta:
        ordering = ["minimum_eur"]
        verbose_name = _("partner tier")
        verbose_name_plural = _("partner tiers")

    def __str__(self) -> str:
        return self.code


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class CertificateRun(models.Model):
    """One issuing of a year's certificates. At most one run per year is running at a time
    (a partial unique index): two finance users pressing "issue" at once get one run, not two
    sets. A run for a year not yet over is a draft: its certificates are marked as such, carry
    no number, are never declared nor sent, and are replaced by the next draft run."""

    year = models.PositiveIntegerField(_("year"))
    draft = models.BooleanField(_("draft"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    issued = models.PositiveIntegerField(_("issued"), default=0)
    corrected = models.PositiveIntegerField(_("corrected"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(status="running"), name="one_running_run_per_year"
            )
        ]
        verbose_name = _("certificate run")
        verbose_name_plural = _("certificate runs")
        permissions = [("issue_certificates", "Can issue tax certificates")]

    def __str__(self) -> str:
        return f"{self.year} ({self.status})"


class CertificateKind(models.TextChoices):
    ORIGINAL = "original", _("certificate")
    CORRECTIVE = "corrective", _("corrective certificate")
    CANCELLATION = "cancellation", _("cancellation")


class TaxCertificate(models.Model):
    """A 281.71 certificate: what was certified to whom, as issued (a snapshot). Numbers run per
    year (1, 2, ...) and are never reused; a draft has none. A corrective certificate (or a
    cancellation, amount 0, when the donor's total fell under the minimum) points at the one it
    replaces; the replaced one stays as it was."""

    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    draft = models.BooleanField(_("draft"), default=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CertificateKind.choices, default=CertificateKind.ORIGINAL
    )
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    run = models.ForeignKey(CertificateRun, on_delete=models.PROTECT, related_name="certificates")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="certificates")
    # The snapshot, as issued.
    donor_kind = models.CharField(max_length=16, choices=DonorKind.choices)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="BE")
    language = models.CharField(max_length=2, default="nl")
    national_number_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    company_number = models.CharField(max_length=16, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    gift_count = models.PositiveIntegerField(_("gifts"), default=0)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["year", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                condition=Q(number__isnull=False),
                name="certificate_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["year", "donor"], name="certificate_year_donor")]
        verbose_name = _("tax certificate")
        verbose_name_plural = _("tax certificates")

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.year}/{_('draft')}"
        return f"{self.year}/{self.number:06d}"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TrialBalance(models.Model):
    """An imported trial balance of one financial year (its lines by ledger code). Importing the
    same year again replaces it: the older one is kept, no longer current."""

    year = models.PositiveIntegerField(_("year"))
    current = models.BooleanField(_("current"), default=True)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(current=True), name="one_current_trial_balance"
            )
        ]
        verbose_name = _("trial balance")
        verbose_name_plural = _("trial balances")
        permissions = [("view_accounts", "Can see the accounts")]

    def __str__(self) -> str:
        return f"{self.year}"


class TrialBalanceLine(models.Model):
    """One account's balance: debit positive, credit negative (so a balanced trial balance
    sums to zero). `analytic` is the income source (classes 7) or the activity (class 6) the
    amount belongs to, for the shares the report shows; blank when not allocated."""

    balance = models.ForeignKey(TrialBalance, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(_("ledger code"), max_length=10)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    analytic = models.CharField(_("source or activity"), max_length=64, blank=True)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("trial balance line")
        verbose_name_plural = _("trial balance lines")

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"
