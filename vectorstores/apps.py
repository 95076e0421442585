from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VectorstoresConfig(AppConfig):
    name = "vectorstores"
    verbose_name = _("Knowledge base")
