from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations.engine.extensions import register_thread_annotation, register_turns
        from conversations.engine.offline_model import (
            register_offline_structurer,
            register_offline_tool_planner,
        )
        from core.credentials import register_sealed_field
        from core.usage import register_usage_finder
        from workflows.engine import turn
        from workflows.models import AvailableModel
        from workflows.selectors import workflows_using
        from workflows.tutor import tutor_structurer, tutor_tool_planner

        register_sealed_field(AvailableModel, "sealed_api_key")
        register_usage_finder(workflows_using)  # stores, widgets, models, MCP servers a workflow needs
        register_offline_structurer(tutor_structurer)  # the tutor example runs without a key
        register_offline_tool_planner(tutor_tool_planner)  # ... and its chart step calls the chart server
        register_turns(message=turn.message_turn, action=turn.action_turn)  # workflows answer the chat
        # The thread's workflow state comes with the thread, in the same query.
        register_thread_annotation(turn.THREAD_ROW, turn.THREAD_ROW_SQL)
        register_thread_annotation(turn.DEFAULT_VERSION, turn.DEFAULT_VERSION_SQL)
