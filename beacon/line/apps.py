from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LineConfig(AppConfig):
    name = "beacon.line"
    label = "line"
    verbose_name = _("The line (116 000 / 116 800)")
