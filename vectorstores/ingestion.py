"""Writing documents into a store: prepare (linearise, chunk), embed, and replace atomically.

Depends only on the models, the embedder and the lineariser, so the background task and the
services both call it without importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from vectorstores.converters import citation_for
from vectorstores.embeddings import Embedder
from vectorstores.language import chunk_configs, detect, given_config
from vectorstores.linearize import ChunkDraft, chunk_lines, flatten
from vectorstores.models import (
    EMBEDDING_DIMENSIONS,
    Chunk,
    Document,
    VectorStore,
    text_search_config_check,
)
from vectorstores.openai_embeddings import embedder_for
from vectorstores.planner import store_statistics_refresh

# At most this many tokens of titles (a document's title, a section's heading) are read before a
# chunk that does not hold them itself (bench/retrieval.py measured it).
CONTEXT_MAX_TOKENS = 64


class EmbeddingModelMismatch(ValidationError):
    pass


@dataclass(frozen=True)
class PreparedDocument:
    doc_id: str
    document: Any
    metadata: dict[str, Any]
    text: str
    chunks: list[ChunkDraft]
    language: str  # the text search configuration of its full-text index
    chunk_languages: list[str]  # each chunk's: the document's, unless detected as another


def clean_text(value: str | None) -> str | None:
    """Titles and descriptions are stripped; an empty one is stored as null."""
    return (value or "").strip() or None


def _store_describe(*, store_id: int, title: str | None, metadata: dict[str, Any] | None) -> VectorStore:
    with transaction.atomic():
        store = store_lock(store_id)
        if title:
            store.title = title
        if metadata:
            store.metadata = {**(store.metadata or {}), **metadata}
        store.save(update_fields=["title", "metadata", "updated_at"])
    return store


def store_lock(store_id: int) -> VectorStore:
    """Lock a store's row, the first lock of every write to a store.

    Ingestion, document deletion and store deletion all take this lock before any other, so
    they can never wait on each other in opposite orders (deadlock). A store deleted in the
    meantime raises VectorStore.DoesNotExist (answered 404).
    """
    return VectorStore.objects.select_for_update().get(pk=store_id)


def check_embedder(*, store: VectorStore, embedder: Embedder) -> None:
    """Refuse to mix vectors of two models in one store (same width does not mean same space)."""
    if embedder.dimensions != EMBEDDING_DIMENSIONS:
        raise EmbeddingModelMismatch(
            _(
                "The embedding model %(model)s produces %(dim)s dimensions; "
                "this installation stores %(expected)s."
            )
            % {"model": embedder.model_id, "dim": embedder.dimensions, "expected": EMBEDDING_DIMENSIONS}
        )
    if store.embedding_model and store.embedding_model != embedder.model_id:
        raise EmbeddingModelMismatch(
            _(
                "The store %(slug)s was embedded with %(stored)s but the active embedding model is "
                "%(active)s. Set EMBEDDING_MODEL to the store's model, or re-create the store."
            )
            % {"slug": store.slug, "stored": store.embedding_model, "active": embedder.model_id}
        )


def _store_for_ingest(
    *, slug: str, title: str | None, metadata: dict[str, Any] | None
) -> tuple[VectorStore, Embedder]:
    """The store (created on the fly) and the embedder its vectors are made with."""
    text_search_config_check(metadata)
    store, created = VectorStore.objects.get_or_create(
        slug=slug,
        defaults={
            "title": clean_text(title) or slug,
            "metadata": metadata or {},
            "embedding_model": settings.KB_STORE_EMBEDDER,
        },
    )
    if not created and (clean_text(title) or metadata):
        # On an existing store, store_title replaces the title and store_metadata is merged in.
        store = _store_describe(store_id=store.pk, title=clean_text(title), metadata=metadata)
    store_not_reembedding(store)
    embedder = embedder_for(store.embedding_model)
    check_embedder(store=store, embedder=embedder)
    text_search_config_check(store.metadata)  # one written before it was checked, or dropped since
    if not store.embedding_model:
        VectorStore.objects.filter(pk=store.pk, embedding_model="").update(
            embedding_model=embedder.model_id, embedding_dimensions=embedder.dimensions
        )
        store.refresh_from_db()
        check_embedder(store=store, embedder=embedder)
    return store, embedder


def store_not_reembedding(store: VectorStore) -> None:
    """Writes wait while a store moves to another embedder (its vectors would mix two models)."""
    if store.embedding_pending:
        raise Conflict(
            _(
                "The store %(slug)s is being re-embedded with %(model)s; documents can be written "
                "when that is done."
            )
            % {"slug": store.slug, "model": store.embedding_pending}
        )


def prepare_document(
    *, store: VectorStore, doc_id: str, document: Any, metadata: dict[str, Any], embedder: Embedder
) -> PreparedDocument:
    lines = list(flatten(document))
    budget = min(settings.KB_CHUNK_MAX_TOKENS, embedder.max_tokens)
    chunks = chunk_lines(
        lines,
        count_tokens=embedder.count_tokens,
        max_tokens=budget,
        overlap_lines=settings.KB_CHUNK_OVERLAP_LINES,
        # The titles a chunk is read after fit in what the model reads beyond the chunk.
        context_tokens=min(CONTEXT_MAX_TOKENS, embedder.max_tokens - budget),
    )
    contents = [chunk.content for chunk in chunks]
    given = given_config(store=store, metadata=metadata)
    language = given or detect("\n".join(contents))
    return PreparedDocument(
        doc_id=doc_id,
        document=document,
        metadata=metadata,
        text="\n".join(line.text for line in lines),
        chunks=chunks,
        language=language,
        chunk_languages=[language] * len(chunks)
        if given or len(chunks) < 2
        else chunk_configs(document=language, contents=contents),
    )


def _change_term_stats(document_ids: list[int], store_id: int, sign: int) -> None:
    # ORDER BY term: concurrent ingestions lock the same rows in the same order (no deadlock).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO vectorstores_term (store_id, term, df)
            SELECT %s, lexeme, %s * count(*)
              FROM vectorstores_chunk c, unnest(tsvector_to_array(c.tsv)) AS lexeme
             WHERE c.document_id = ANY(%s) GROUP BY lexeme ORDER BY lexeme
            ON CONFLICT (store_id, term) DO UPDATE SET df = vectorstores_term.df + EXCLUDED.df
            """,
            [store_id, sign, document_ids],
        )


class NotTheOwner(ValidationError):
    """A user's write would replace a document that user did not write."""


def _write_document(
    *, store: VectorStore, prepared: PreparedDocument, vectors: Any, owner: Any = None
) -> Document:
    """Replace (or create) one document and its chunks atomically.

    With ``owner`` (a chat turn's user), only that user's own documents may be replaced, and a
    new one is recorded as theirs.
    """
    return _write_documents(store=store, prepared=[prepared], vectors=vectors, owner=owner)[0]


def _write_documents(
    *, store: VectorStore, prepared: list[PreparedDocument], vectors: Any, owner: Any = None
) -> list[Document]:
    """Replace (or create) a batch of documents and their chunks in one transaction.

    A handful of statements per batch whatever its size (the chunks in one multi-row INSERT, their
    full-text index and the term statistics in one statement each): the write costs little next
    to the embedding. ``vectors`` follow the chunks of ``prepared`` in order. A doc_id given twice
    keeps its last version.
    """
    latest = {item.doc_id: position for position, item in enumerate(prepared)}
    offsets, offset = [], 0
    for item in prepared:
        offsets.append(offset)
        offset += len(item.chunks)
    batch = [(prepared[position], offsets[position]) for position in sorted(latest.values())]
    with transaction.atomic():
        store_not_reembedding(store_lock(store.pk))  # a change of embedder begun meanwhile
        existing = {
            document.doc_id: document
            for document in Document.objects.select_for_update()
            .filter(store=store, doc_id__in=list(latest))
            .order_by("pk")
        }
        if owner is not None:
            for document in existing.values():
                if document.owner_id != owner.pk:
                    raise NotTheOwner(
                        _("The document %(doc_id)s belongs to someone else; it was not replaced.")
                        % {"doc_id": document.doc_id}
                    )
        removed_chunks = removed_terms = 0
        if existing:
            old_ids = [document.pk for document in existing.values()]
            _change_term_stats(old_ids, store.pk, -1)
            old_chunks = Chunk.objects.filter(document_id__in=old_ids)
            stats = old_chunks.aggregate(n=Count("id"), terms=Sum("term_count"))
            removed_chunks, removed_terms = stats["n"] or 0, stats["terms"] or 0
            old_chunks.delete()
        documents: list[Document] = []
        now = timezone.now()
        for item, _offset in batch:
            document = existing.get(item.doc_id) or Document(store=store, doc_id=item.doc_id, owner=owner)
            document.document = item.document
            document.text = item.text
            document.metadata = item.metadata
            document.language = item.language
            document.chunk_count = len(item.chunks)
            document.updated_at = now  # bulk_update does not apply auto_now
            documents.append(document)
        Document.objects.bulk_create([document for document in documents if document.pk is None])
        replaced = list(existing.values())
        if replaced:
            Document.objects.bulk_update(
                replaced, ["document", "text", "metadata", "language", "chunk_count", "updated_at"]
            )
        chunks = []
        for document, (item, start) in zip(documents, batch, strict=True):
            for position, draft in enumerate(item.chunks):
                metadata = {
                    "doc_id": item.doc_id,
                    "store": store.slug,
                    "chunk_index": draft.index,
                    **citation_for(item.document, draft.source),  # page, section
                }
                chunks.append(
                    Chunk(
                        store=store,
                        document=document,
                        doc_id=item.doc_id,
                        chunk_index=draft.index,
                        text=draft.text,
                        content=draft.content,
                        language=item.chunk_languages[position],
                        source=draft.source,
                        embedding=vectors[start + position],
                        metadata=metadata,
                        filterable={**metadata, **item.metadata},  # the document's keys win
                    )
                )
        Chunk.objects.bulk_create(chunks, batch_size=1000)
        ids = [document.pk for document in documents]
        with connection.cursor() as cursor:
            # Each chunk's search vector (its language, what a reader reads, accents
            # folded) and its length for BM25 were computed as it was written (the trigger of
            # migration 0009); the store's total length grows by theirs.
            cursor.execute(
                "SELECT COALESCE(sum(term_count), 0) FROM vectorstores_chunk WHERE document_id = ANY(%s)",
                [ids],
            )
            added_terms = int(cursor.fetchone()[0])
        _change_term_stats(ids, store.pk, +1)
        languages = {language for item, _offset in batch for language in item.chunk_languages}
        for language in sorted(languages - set(store.text_configs or [])):
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    UPDATE vectorstores_vectorstore
                       SET text_configs = text_configs || to_jsonb(%s::text)
                     WHERE id = %s AND NOT text_configs ? %s
                    RETURNING text_configs
                    """,
                    [language, store.pk, language],
                )
                row = cursor.fetchone()
            if row:
                store.text_configs = row[0] if isinstance(row[0], list) else json.loads(row[0])
        added_chunks = sum(len(item.chunks) for item, _offset in batch)
        VectorStore.objects.filter(pk=store.pk).update(
            chunk_count=F("chunk_count") + added_chunks - removed_chunks,
            total_terms=F("total_terms") + added_terms - removed_terms,
        )
    return documents


def document_ingest(
    *,
    store_slug: str,
    doc_id: str,
    document: Any,
    metadata: dict[str, Any] | None = None,
    store_title: str | None = None,
    store_metadata: dict[str, Any] | None = None,
    owner: Any = None,
) -> Document:
    store, embedder = _store_for_ingest(slug=store_slug, title=store_title, metadata=store_metadata)
    prepared = prepare_document(
        store=store, doc_id=doc_id, document=document, metadata=metadata or {}, embedder=embedder
    )
    # Inference happens outside the transaction: rows are locked only for the short write.
    vectors = embedder.embed_passages([chunk.content or chunk.text for chunk in prepared.chunks])
    written = _write_document(store=store, prepared=prepared, vectors=vectors, owner=owner)
    _statistics_refresh(store_id=store.pk)
    return written


@dataclass
class IngestProgress:
    documents: int = 0
    chunks: int = 0


def documents_ingest(
    *,
    store_slug: str,
    documents: Iterable[tuple[str, Any, dict[str, Any]]],
    batch_size: int = 64,
    store_title: str | None = None,
    store_metadata: dict[str, Any] | None = None,
    on_batch: Any = None,
) -> IngestProgress:
    """Ingest many ``(doc_id, document, metadata)``, ``batch_size`` documents at a time.

    A batch's chunks are embedded together and written in one transaction (so an error never
    leaves a document half-written; earlier batches stay ingested). The next batch is embedded in
    a helper thread while this one is written: inference releases the GIL and the write mostly
    waits on PostgreSQL, so the embedder is never idle waiting for the database.
    """
    store, embedder = _store_for_ingest(slug=store_slug, title=store_title, metadata=store_metadata)
    progress = IngestProgress()

    def embed(prepared: list[PreparedDocument]) -> Any:
        texts = [chunk.content or chunk.text for item in prepared for chunk in item.chunks]
        return embedder.embed_passages(texts) if texts else []

    def write(prepared: list[PreparedDocument], vectors: Future[Any]) -> None:
        # The database work stays on the caller's thread: its connection, its transaction.
        _write_documents(store=store, prepared=prepared, vectors=vectors.result())
        progress.documents += len(prepared)
        progress.chunks += sum(len(item.chunks) for item in prepared)
        if on_batch is not None:
            on_batch(progress)

    pending: tuple[list[PreparedDocument], Future[Any]] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
        try:
            for batch in _batches(documents, batch_size):
                prepared = [
                    prepare_document(
                        store=store, doc_id=doc_id, document=doc, metadata=metadata, embedder=embedder
                    )
                    for doc_id, doc, metadata in batch
                ]
                future = pool.submit(embed, prepared)
                if pending is not None:
                    write(*pending)
                pending = (prepared, future)
            if pending is not None:
                write(*pending)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    _statistics_refresh(store_id=store.pk)
    return progress


def _statistics_refresh(*, store_id: int) -> None:
    chunk_count = VectorStore.objects.filter(pk=store_id).values_list("chunk_count", flat=True).first()
    if chunk_count:
        store_statistics_refresh(store_id=store_id, chunk_count=chunk_count)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def document_delete(*, document: Document) -> None:
    with transaction.atomic():
        store = store_lock(document.store_id)
        if not Document.objects.filter(pk=document.pk).exists():
            raise Document.DoesNotExist("The document was deleted meanwhile.")
        _change_term_stats([document.pk], store.pk, -1)
        stats = document.chunks.aggregate(n=Count("id"), terms=Sum("term_count"))
        document.delete()
        VectorStore.objects.filter(pk=store.pk).update(
            chunk_count=F("chunk_count") - (stats["n"] or 0),
            total_terms=F("total_terms") - (stats["terms"] or 0),
        )
