from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations.engine.actions import register_action
        from tasks.widgets import COMPLETE_ACTION, DELETE_ACTION, task_action_stream, task_action_sync

        # (mcphub, which owns the task tools, shows the tasks card after them.)
        for action in (COMPLETE_ACTION, DELETE_ACTION):
            register_action(action, stream=task_action_stream, sync=task_action_sync)
