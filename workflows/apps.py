from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from conversations.engine.extensions import register_turns
        from core.credentials import register_sealed_field
        from workflows.engine.turn import action_turn, message_turn
        from workflows.models import AvailableModel

        register_sealed_field(AvailableModel, "sealed_api_key")
        register_turns(message=message_turn, action=action_turn)  # workflows answer the chat
