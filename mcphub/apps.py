from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class McpHubConfig(AppConfig):
    name = "mcphub"
    verbose_name = _("MCP")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.credentials import register_sealed_field
        from mcphub import signals  # noqa: F401
        from mcphub.models import McpServer

        register_sealed_field(McpServer, "sealed_headers")
