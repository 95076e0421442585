"""The knowledge base inside conversations: a function tool and the offline answerer."""

from __future__ import annotations

import logging
from typing import Any

from agents import RunContextWrapper, function_tool
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations.engine.citations import source_add, turn_sources
from conversations.engine.context import turn_user
from core.db import db_call
from vectorstores.search import SearchHit

logger = logging.getLogger("chatkit.vectorstores")

PASSAGE_CHARS = 600


def user_of(ctx: Any) -> Any:
    """The user of the turn a tool runs in (the ChatKit request context), else the turn's user."""
    request_context = getattr(getattr(ctx, "context", None), "request_context", None)
    return getattr(request_context, "user", None) or turn_user.get()


async def search_stores(
    query: str, stores: list[str], top_k: int = 5, *, user: Any
) -> list[tuple[str, SearchHit]]:
    """Search those of ``stores`` that ``user`` may read (the others are left out silently)."""
    from vectorstores.selectors import store_search_async, stores_readable

    hits: list[tuple[str, SearchHit]] = []
    titles: dict[str, str] = {}
    for store in await db_call(stores_readable, user=user, slugs=stores):
        slug = store.slug
        try:
            found = await store_search_async(store=store, query=query, top_k=top_k)
        except ValidationError as exc:  # e.g. embedded with another model: skip, say why in the log
            logger.warning("Knowledge store %s skipped: %s", slug, "; ".join(exc.messages))
            continue
        hits += [(slug, hit) for hit in found]
        titles[slug] = store.title or slug
    hits.sort(key=lambda pair: pair[1].score, reverse=True)
    await _remember_sources(hits[:top_k], titles)
    return hits[:top_k]


async def _remember_sources(hits: list[tuple[str, SearchHit]], store_titles: dict[str, str]) -> None:
    """The passages handed to the model, for the answer's sources (conversations.engine.citations)."""
    from vectorstores.selectors import document_titles

    if not hits or turn_sources.get() is None:
        return
    titles: dict[tuple[str, str], str] = {}
    for slug in {slug for slug, _hit in hits}:
        found = await db_call(
            document_titles, store_slug=slug, doc_ids=[h.doc_id for s, h in hits if s == slug]
        )
        titles.update({(slug, doc_id): title for doc_id, title in found.items()})
    for slug, hit in hits:
        chunk = hit.chunk_index
        source_add(
            key=f"{slug}/{hit.doc_id}",
            title=titles.get((slug, hit.doc_id), hit.doc_id),
            path=reverse("knowledge-passage", args=[slug, hit.doc_id]) + f"?chunk={chunk}#chunk-{chunk}",
            passage=hit.text,
            group=store_titles[slug],
        )


def format_hits(hits: list[tuple[str, SearchHit]]) -> str:
    blocks = []
    for slug, hit in hits:
        text = hit.text if len(hit.text) <= PASSAGE_CHARS else hit.text[:PASSAGE_CHARS] + "…"
        blocks.append(f"[{slug}/{hit.doc_id}] {text}")
    return "\n\n".join(blocks)


@function_tool(
    name_override="search_knowledge_base",
    description_override=(
        "Search the knowledge base (JSON documents) for passages relevant to a question, in any "
        "language. Returns passages prefixed with [store/doc_id]; cite those ids in the answer."
    ),
)
async def search_knowledge_base(ctx: RunContextWrapper, query: str, store: str | None = None) -> str:
    return await search_as_tool(user_of(ctx), query, store, list(settings.CHATKIT_KNOWLEDGE_STORES))


async def search_as_tool(user: Any, query: str, store: str | None, stores: list[str], top_k: int = 5) -> str:
    """What a model's search tool answers: a store it may not read is "no such store"."""
    from vectorstores.selectors import store_readable

    if store:
        if await db_call(store_readable, user=user, slug=store) is None:
            return f"No knowledge store {store!r}. Search without naming a store."
        stores = [store]
    if not stores:
        return "No knowledge base store is configured."
    hits = await search_stores(query, stores, top_k, user=user)
    return format_hits(hits) if hits else "No passage matched."


async def answer_offline(question: str, tool_names: list[str]) -> str | None:
    """Offline mode: quote the best passages and cite their doc_ids."""
    stores = list(settings.CHATKIT_KNOWLEDGE_STORES)
    if not question or not stores:
        return None
    hits = await search_stores(question, stores, top_k=3, user=turn_user.get())
    if not hits:
        return None
    cited = ", ".join(f"{slug}/{hit.doc_id}" for slug, hit in hits)
    return f"The knowledge base passages closest to your question (sources: {cited}):\n\n{format_hits(hits)}"
