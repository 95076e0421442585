from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VectorstoresConfig(AppConfig):
    name = "vectorstores"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from conversations.engine.agent import register_tool
        from conversations.engine.offline_model import register_offline_answerer
        from core.health import health_register
        from vectorstores.agent_tools import answer_offline, search_knowledge_base
        from vectorstores.embeddings import health_part
        from vectorstores.tasks import stores_reindex_enqueue

        register_tool(search_knowledge_base)
        register_offline_answerer(answer_offline)
        health_register("embedding", health_part)
        # Stores written by an older chunking/indexing pipeline are re-indexed by the worker.
        post_migrate.connect(stores_reindex_enqueue, sender=self)
