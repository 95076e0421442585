"""Reads from the knowledge base."""

from __future__ import annotations

from typing import Any

from django.db import DataError, ProgrammingError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.db import db_call
from vectorstores.ingestion import check_embedder
from vectorstores.models import (
    WIDGET_STORE_SLUG,
    Document,
    VectorStore,
    search_weights_check,
    text_search_config_check,
)
from vectorstores.openai_embeddings import embedder_for
from vectorstores.search import SearchHit, hybrid_search


def store_list() -> QuerySet[VectorStore]:
    return VectorStore.objects.annotate(documents_count=Count("documents")).order_by("slug")


def store_get(*, slug: str) -> VectorStore | None:
    return store_list().filter(slug=slug).first()


# --- Who may read a store: one rule for every path to its content ---------------------------
# REST (list, search, documents), /mcp, the assistant's and workflow agents' search tools and
# workflow search steps all go through store_readable / store_list_readable. A store the user
# may not read is answered exactly like a missing one.


def _readable_by(user: Any) -> Q | None:
    """The stores ``user`` may read, as a filter (None: every store)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return Q(pk__in=[])
    if getattr(user, "is_admin", False):
        return None
    in_groups = Exists(
        VectorStore.read_groups.through.objects.filter(vectorstore_id=OuterRef("pk"), group__user=user.pk)
    )
    everyone = Q(read_access=VectorStore.ReadAccess.USERS)
    groups = Q(read_access=VectorStore.ReadAccess.GROUPS) & in_groups
    return (everyone | groups) & ~Q(slug=WIDGET_STORE_SLUG)


def store_list_readable(*, user: Any) -> QuerySet[VectorStore]:
    readable = _readable_by(user)
    stores = store_list()
    return stores if readable is None else stores.filter(readable)


def store_readable(*, user: Any, slug: str) -> VectorStore | None:
    """The store ``slug`` if ``user`` may read it; None when it is missing or not theirs to read."""
    if not isinstance(slug, str) or not slug or len(slug) > 100 or "\x00" in slug:
        return None
    return store_list_readable(user=user).filter(slug=slug).first()


def stores_readable(*, user: Any, slugs: list[str]) -> list[VectorStore]:
    """Those of ``slugs`` that ``user`` may read, in the order given (others silently left out)."""
    found = {store.slug: store for store in store_list_readable(user=user).filter(slug__in=slugs)}
    return [found[slug] for slug in dict.fromkeys(slugs) if slug in found]


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
    dense_weight: float | None = None,
    sparse_weight: float | None = None,
) -> list[SearchHit]:
    """The store's best chunks for ``query``; a weight not given is the store's own."""
    dense_weight = store.dense_weight if dense_weight is None else dense_weight
    sparse_weight = store.sparse_weight if sparse_weight is None else sparse_weight
    search_weights_check(dense_weight=dense_weight, sparse_weight=sparse_weight)
    if store.chunk_count == 0:
        return []
    query_vector = None
    if not store.embedding_pending:  # while re-embedding, the full text alone (vectors would mix)
        embedder = embedder_for(store.embedding_model)
        check_embedder(store=store, embedder=embedder)
        query_vector = embedder.embed_query(query)
    try:
        return hybrid_search(
            store=store,
            query=query,
            query_vector=query_vector,
            top_k=top_k,
            metadata_filters=metadata_filters,
            dense_weight=dense_weight,
            sparse_weight=sparse_weight,
        )
    except (ProgrammingError, DataError):
        # A text search configuration that no longer exists (written before it was checked,
        # or dropped since) is the store's problem, not a server error.
        text_search_config_check(store.metadata)
        for config in store.text_configs or []:
            text_search_config_check({"text_search_config": config})
        raise


async def store_search_async(**kwargs: Any) -> list[SearchHit]:
    # Inference and the ORM are blocking: run them off the event loop.
    return await db_call(store_search, **kwargs)


def document_titles(*, store_slug: str, doc_ids: list[str]) -> dict[str, str]:
    """Each document's title as a reader knows it (its metadata's ``title``, else its JSON's
    ``title`` or ``name``), for those that have one."""
    from django.db.models.fields.json import KT

    from vectorstores.models import Document

    rows = (
        Document.objects.filter(store__slug=store_slug, doc_id__in=doc_ids)
        .annotate(m=KT("metadata__title"), t=KT("document__title"), n=KT("document__name"))
        .values_list("doc_id", "m", "t", "n")
    )
    titles: dict[str, str] = {}
    for doc_id, *candidates in rows:
        title = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), None)
        if title:
            titles[doc_id] = title[:200]
    return titles
