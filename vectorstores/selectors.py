"""Reads from the knowledge base."""

from __future__ import annotations

from typing import Any

from django.db import DataError, ProgrammingError
from django.db.models import Count, QuerySet

from chatkit_site.db import db_call
from vectorstores.embeddings import get_embedder
from vectorstores.models import Document, VectorStore
from vectorstores.search import SearchHit, hybrid_search
from vectorstores.services import check_embedder, text_search_config_check


def store_list() -> QuerySet[VectorStore]:
    return VectorStore.objects.annotate(documents_count=Count("documents")).order_by("slug")


def store_get(*, slug: str) -> VectorStore | None:
    return store_list().filter(slug=slug).first()


def document_list(*, store: VectorStore) -> QuerySet[Document]:
    return store.documents.order_by("doc_id")


def document_get(*, store: VectorStore, doc_id: str) -> Document | None:
    return store.documents.filter(doc_id=doc_id).first()


def store_search(
    *,
    store: VectorStore,
    query: str,
    top_k: int = 5,
    metadata_filters: dict[str, Any] | None = None,
    dense_weight: float = 0.5,
    sparse_weight: float = 0.5,
) -> list[SearchHit]:
    embedder = get_embedder()
    check_embedder(store=store, embedder=embedder)
    if store.chunk_count == 0:
        return []
    try:
        return hybrid_search(
            store=store,
            query=query,
            query_vector=embedder.embed_query(query),
            top_k=top_k,
            metadata_filters=metadata_filters,
            dense_weight=dense_weight,
            sparse_weight=sparse_weight,
        )
    except (ProgrammingError, DataError):
        # A text search configuration that no longer exists (written before it was checked,
        # or dropped since) is the store's problem, not a server error.
        text_search_config_check(store.metadata)
        raise


async def store_search_async(**kwargs: Any) -> list[SearchHit]:
    # Inference and the ORM are blocking: run them off the event loop.
    return await db_call(store_search, **kwargs)
