"""The figures app keeps no records of its own; it defines who may read the figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureAccess(models.Model):
    """Carries the permission to read aggregated figures (no table)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_figures", _("Can read the aggregated figures"))]

    def __str__(self) -> str:
        return "figures"
