from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "beacon.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from beacon.cases.reference import load_categories

        # Categories are reference data in a file; load them after migrations (setup only).
        post_migrate.connect(load_categories, dispatch_uid="beacon.cases.reference")
