"""Risk signals: rules (data) that flag a child for the case manager, and the flags they raise."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beacon.core.models import translated


class RiskRule(models.Model):
    """A rule, from the reference file: its kind (implemented in code) and parameters (data)."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    names = models.JSONField(_("names"), default=dict)
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names, self.key)


class RiskFlag(models.Model):
    """A rule held for a person; the case that made it hold, and what the team did with it."""

    # The person when the flag was raised. Reads go by the triggering case's person instead
    # (beacon.risk.selectors), so a flag follows its case through a merge and its undo.
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="flags"
    )
    rule = models.ForeignKey(RiskRule, verbose_name=_("rule"), on_delete=models.PROTECT)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("raised by case"), on_delete=models.CASCADE, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    # Why: the cases that make the rule hold (numbers) and the rule's parameters at the time.
    explanation_data = models.JSONField(default=dict)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        constraints = [
            # The same rule never raises twice on the same triggering case.
            models.UniqueConstraint(fields=["rule", "case"], name="riskflag_once_per_case")
        ]
        indexes = [models.Index(fields=["cleared_at", "-raised_at"], name="riskflag_open")]

    def __str__(self) -> str:
        return f"{self.rule.key} {self.person_id}"

    @property
    def explanation(self) -> str:
        from beacon.risk.rules import explain

        return explain(self)
