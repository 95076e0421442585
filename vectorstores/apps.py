from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VectorstoresConfig(AppConfig):
    name = "vectorstores"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from conversations.engine.agent import register_tool
        from conversations.engine.offline_model import register_offline_answerer
        from core.health import health_register
        from vectorstores.agent_tools import answer_offline, search_knowledge_base
        from vectorstores.embeddings import health_part

        register_tool(search_knowledge_base)
        register_offline_answerer(answer_offline)
        health_register("embedding", health_part)
