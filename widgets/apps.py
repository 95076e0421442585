from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WidgetsConfig(AppConfig):
    name = "widgets"
    verbose_name = _("Widgets")

    def ready(self) -> None:
        from conversations.engine.actions import register_action
        from conversations.engine.agent import register_tool
        from widgets.agent_tools import rate_stream, rate_sync, show_widget
        from widgets.builtin import RATE_ACTION

        register_tool(show_widget)
        register_action(RATE_ACTION, stream=rate_stream, sync=rate_sync)
