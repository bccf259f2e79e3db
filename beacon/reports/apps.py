from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "beacon.reports"
    label = "reports"
    verbose_name = _("Civil hotline (abuse-image reports)")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from beacon.reports.reference import load_reference

        # Platforms and member hotlines are data in files; load them after migrations.
        post_migrate.connect(load_reference, dispatch_uid="beacon.reports.reference")
