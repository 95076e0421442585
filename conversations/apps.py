from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from conversations import signals  # noqa: F401  (connects the file clean-up)
        from conversations.engine import merge
        from conversations.engine.agent import configure_tracing, provider_name
        from core.health import health_register

        merge.install()
        configure_tracing()
        health_register("model_provider", lambda: {"model_provider": provider_name()})
