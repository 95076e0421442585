from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class McpHubConfig(AppConfig):
    name = "mcphub"
    verbose_name = _("MCP")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations.engine.extensions import register_assistant_toolbox
        from conversations.engine.tool_items import register_after_tool
        from core.credentials import register_sealed_field
        from mcphub import signals  # noqa: F401
        from mcphub.clients import TASK_TOOLS, assistant_toolbox
        from mcphub.models import McpServer
        from tasks.widgets import show_tasks_card

        register_sealed_field(McpServer, "sealed_headers")
        register_assistant_toolbox(assistant_toolbox)
        # After a task tool of the project's own endpoint, the chat shows the tasks card.
        for name in TASK_TOOLS:
            register_after_tool(name, show_tasks_card)
