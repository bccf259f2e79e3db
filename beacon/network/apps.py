from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "beacon.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from beacon.network.reference import load_municipalities

        # Municipalities are reference data in a file; load them after migrations (setup only).
        # Core's regions are loaded before: core comes first in INSTALLED_APPS.
        post_migrate.connect(load_municipalities, dispatch_uid="beacon.network.reference")
