from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "beacon.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from beacon.core.reference import load_organisation_reference
        from beacon.core.roles import sync_roles

        # Roles are configuration the code defines; keeping them in step after every migrate
        # is setup, not business logic.
        # Sent once per app; act after the last one, when every app's permissions exist.
        post_migrate.connect(sync_roles, dispatch_uid="beacon.core.sync_roles")
        post_migrate.connect(load_organisation_reference, dispatch_uid="beacon.core.reference")
