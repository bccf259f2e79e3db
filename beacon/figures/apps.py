from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "beacon.figures"
    label = "figures"
    verbose_name = _("Figures")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from beacon.figures.ages import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="figures-sqlite")
