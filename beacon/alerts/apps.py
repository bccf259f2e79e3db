from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "beacon.alerts"
    label = "alerts"
    verbose_name = _("Search notices")

    def ready(self) -> None:
        # A case closed as found withdraws its notices in the same transaction.
        from beacon.alerts import receivers  # noqa: F401
