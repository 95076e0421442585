from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolsConfig(AppConfig):
    name = "tools"
    verbose_name = _("Tools")

    def ready(self) -> None:
        from conversations.engine.extensions import register_server_weather_tool
        from tools.agent_tools import get_weather_server

        register_server_weather_tool(get_weather_server)
