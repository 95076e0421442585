from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations.engine.actions import register_action
        from conversations.engine.tool_items import register_after_tool
        from mcphub.clients import TASK_TOOLS
        from tasks.widgets import (
            COMPLETE_ACTION,
            DELETE_ACTION,
            show_tasks_card,
            task_action_stream,
            task_action_sync,
        )

        for name in TASK_TOOLS:
            register_after_tool(name, show_tasks_card)
        for action in (COMPLETE_ACTION, DELETE_ACTION):
            register_action(action, stream=task_action_stream, sync=task_action_sync)
