from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "beacon.risk"
    label = "risk"
    verbose_name = _("Risk signals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from beacon.risk.reference import load_rules

        post_migrate.connect(load_rules, dispatch_uid="beacon.risk.reference")
