"""Writes to the knowledge base: stores, and ingestion of JSON documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from vectorstores.embeddings import Embedder, get_embedder
from vectorstores.linearize import ChunkDraft, chunk_lines, flatten
from vectorstores.models import EMBEDDING_DIMENSIONS, Chunk, Document, IngestionJob, VectorStore


class EmbeddingModelMismatch(ValidationError):
    pass


@dataclass(frozen=True)
class PreparedDocument:
    doc_id: str
    document: Any
    metadata: dict[str, Any]
    text: str
    chunks: list[ChunkDraft]


def text_search_config_check(metadata: dict[str, Any] | None) -> None:
    """A store's ``text_search_config`` must name a PostgreSQL configuration ("french", …).

    Checked when the metadata is written: a wrong name would make every search of the store
    fail, and ingestion too.
    """
    name = (metadata or {}).get("text_search_config")
    if name is None:
        return
    valid = isinstance(name, str) and 0 < len(name) <= 63
    if valid:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            valid = cursor.fetchone() is not None
    if not valid:
        raise ValidationError(
            {
                "metadata": [
                    _("text_search_config %(name)s is not a PostgreSQL text search configuration.")
                    % {"name": repr(name)}
                ]
            }
        )


def clean_text(value: str | None) -> str | None:
    """Titles and descriptions are stripped; an empty one is stored as null."""
    return (value or "").strip() or None


def store_create(
    *,
    slug: str,
    title: str | None = None,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
    read_access: str = "",
    read_groups: list[Any] | None = None,
) -> VectorStore:
    text_search_config_check(metadata)
    with transaction.atomic():
        store, created = VectorStore.objects.get_or_create(
            slug=slug,
            defaults={
                "title": clean_text(title),
                "description": clean_text(description),
                "metadata": metadata or {},
                "read_access": read_access,
            },
        )
        if not created:
            raise ValidationError({"slug": [_("A vector store with this slug already exists.")]})
        if read_groups:
            store.read_groups.set(read_groups)
    return store


def store_update(*, store: VectorStore, **fields: Any) -> VectorStore:
    groups = fields.pop("read_groups", None)
    if fields.get("read_access"):
        store.read_access = fields.pop("read_access")
    if "metadata" in fields:
        text_search_config_check(fields["metadata"])
    for name in ("title", "description"):
        if name in fields:
            setattr(store, name, clean_text(fields[name]))
    if "metadata" in fields:
        store.metadata = fields["metadata"]
    with transaction.atomic():
        store.save()
        if groups is not None:
            store.read_groups.set(groups)
    return store


def _store_describe(*, store_id: int, title: str | None, metadata: dict[str, Any] | None) -> VectorStore:
    with transaction.atomic():
        store = _lock_store(store_id)
        if title:
            store.title = title
        if metadata:
            store.metadata = {**(store.metadata or {}), **metadata}
        store.save(update_fields=["title", "metadata", "updated_at"])
    return store


def _lock_store(store_id: int) -> VectorStore:
    """Lock a store's row, the first lock of every write to a store.

    Ingestion, document deletion and store deletion all take this lock before any other, so
    they can never wait on each other in opposite orders (deadlock). A store deleted in the
    meantime raises VectorStore.DoesNotExist (answered 404).
    """
    return VectorStore.objects.select_for_update().get(pk=store_id)


def store_delete(*, store: VectorStore) -> None:
    with transaction.atomic():
        try:
            locked = _lock_store(store.pk)
        except VectorStore.DoesNotExist:
            return  # deleted concurrently: the outcome asked for
        uploads = [name for name in locked.jobs.values_list("upload", flat=True) if name]
        locked.delete()  # documents, chunks, term statistics and jobs cascade
        storage = IngestionJob._meta.get_field("upload").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in uploads])


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
    *, slug: str, embedder: Embedder, title: str | None, metadata: dict[str, Any] | None
) -> VectorStore:
    text_search_config_check(metadata)
    store, created = VectorStore.objects.get_or_create(
        slug=slug, defaults={"title": clean_text(title) or slug, "metadata": metadata or {}}
    )
    if not created and (clean_text(title) or metadata):
        # On an existing store, store_title replaces the title and store_metadata is merged in.
        store = _store_describe(store_id=store.pk, title=clean_text(title), metadata=metadata)
    check_embedder(store=store, embedder=embedder)
    if not store.embedding_model:
        VectorStore.objects.filter(pk=store.pk, embedding_model="").update(
            embedding_model=embedder.model_id, embedding_dimensions=embedder.dimensions
        )
        store.refresh_from_db()
        check_embedder(store=store, embedder=embedder)
    return store


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
    )
    return PreparedDocument(
        doc_id=doc_id,
        document=document,
        metadata=metadata,
        text="\n".join(line.text for line in lines),
        chunks=chunks,
    )


def _change_term_stats(document_id: int, store_id: int, sign: int) -> None:
    # ORDER BY term: concurrent ingestions lock the same rows in the same order (no deadlock).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO vectorstores_term (store_id, term, df)
            SELECT %s, lexeme, %s * count(*)
              FROM vectorstores_chunk c, unnest(tsvector_to_array(c.tsv)) AS lexeme
             WHERE c.document_id = %s GROUP BY lexeme ORDER BY lexeme
            ON CONFLICT (store_id, term) DO UPDATE SET df = vectorstores_term.df + EXCLUDED.df
            """,
            [store_id, sign, document_id],
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
    with transaction.atomic():
        _lock_store(store.pk)
        existing = Document.objects.select_for_update().filter(store=store, doc_id=prepared.doc_id).first()
        if owner is not None and existing is not None and existing.owner_id != owner.pk:
            raise NotTheOwner(
                _("The document %(doc_id)s belongs to someone else; it was not replaced.")
                % {"doc_id": prepared.doc_id}
            )
        removed_chunks = removed_terms = 0
        if existing is not None:
            _change_term_stats(existing.pk, store.pk, -1)
            stats = existing.chunks.aggregate(n=Count("id"), terms=Sum("term_count"))
            removed_chunks, removed_terms = stats["n"] or 0, stats["terms"] or 0
            existing.chunks.all().delete()
            document = existing
            document.document = prepared.document
            document.text = prepared.text
            document.metadata = prepared.metadata
        else:
            document = Document(
                store=store,
                doc_id=prepared.doc_id,
                document=prepared.document,
                text=prepared.text,
                metadata=prepared.metadata,
                owner=owner,
            )
        document.chunk_count = len(prepared.chunks)
        document.save()
        Chunk.objects.bulk_create(
            [
                Chunk(
                    store=store,
                    document=document,
                    doc_id=prepared.doc_id,
                    chunk_index=draft.index,
                    text=draft.text,
                    source=draft.source,
                    embedding=vectors[position],
                    metadata={"doc_id": prepared.doc_id, "store": store.slug, "chunk_index": draft.index},
                )
                for position, draft in enumerate(prepared.chunks)
            ]
        )
        with connection.cursor() as cursor:
            # The search vector uses the store's text search configuration ("simple" unless
            # the store's metadata names one), so it is maintained here, not generated.
            cursor.execute(
                "UPDATE vectorstores_chunk SET tsv = to_tsvector(%s::regconfig, text) WHERE document_id = %s",
                [store.text_search_config, document.pk],
            )
            cursor.execute(
                """
                UPDATE vectorstores_chunk c SET term_count = COALESCE(
                    (SELECT sum(coalesce(array_length(positions, 1), 1)) FROM unnest(c.tsv)), 0)
                 WHERE document_id = %s
                RETURNING term_count
                """,
                [document.pk],
            )
            added_terms = sum(row[0] for row in cursor.fetchall())
        _change_term_stats(document.pk, store.pk, +1)
        VectorStore.objects.filter(pk=store.pk).update(
            chunk_count=F("chunk_count") + len(prepared.chunks) - removed_chunks,
            total_terms=F("total_terms") + added_terms - removed_terms,
        )
    return document


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
    embedder = get_embedder()
    store = _store_for_ingest(slug=store_slug, embedder=embedder, title=store_title, metadata=store_metadata)
    prepared = prepare_document(
        store=store, doc_id=doc_id, document=document, metadata=metadata or {}, embedder=embedder
    )
    # Inference happens outside the transaction: rows are locked only for the short write.
    vectors = embedder.embed_passages([chunk.text for chunk in prepared.chunks])
    return _write_document(store=store, prepared=prepared, vectors=vectors, owner=owner)


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
    """Ingest many ``(doc_id, document, metadata)``; chunks of a batch are embedded together.

    Each document is written in its own transaction, so an error never leaves a document
    half-written; earlier documents stay ingested.
    """
    embedder = get_embedder()
    store = _store_for_ingest(slug=store_slug, embedder=embedder, title=store_title, metadata=store_metadata)
    progress = IngestProgress()
    for batch in _batches(documents, batch_size):
        prepared = [
            prepare_document(store=store, doc_id=doc_id, document=doc, metadata=metadata, embedder=embedder)
            for doc_id, doc, metadata in batch
        ]
        texts = [chunk.text for item in prepared for chunk in item.chunks]
        vectors = embedder.embed_passages(texts) if texts else []
        offset = 0
        for item in prepared:
            count = len(item.chunks)
            _write_document(store=store, prepared=item, vectors=vectors[offset : offset + count])
            offset += count
            progress.documents += 1
            progress.chunks += count
        if on_batch is not None:
            on_batch(progress)
    return progress


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
        store = _lock_store(document.store_id)
        if not Document.objects.filter(pk=document.pk).exists():
            raise Document.DoesNotExist("The document was deleted meanwhile.")
        _change_term_stats(document.pk, store.pk, -1)
        stats = document.chunks.aggregate(n=Count("id"), terms=Sum("term_count"))
        document.delete()
        VectorStore.objects.filter(pk=store.pk).update(
            chunk_count=F("chunk_count") - (stats["n"] or 0),
            total_terms=F("total_terms") - (stats["terms"] or 0),
        )


def job_create(
    *,
    store_slug: str,
    upload: Any,
    filename: str,
    id_field: str = "",
    metadata: dict[str, Any] | None = None,
    user: Any = None,
) -> IngestionJob:
    """Save an uploaded .json/.jsonl file and queue its ingestion (after the commit)."""
    from vectorstores.tasks import ingest_upload

    if not filename.endswith((".json", ".jsonl")):
        raise ValidationError({"file": [_("Upload a .json or .jsonl file.")]})
    if len(filename) > 255 or not filename.isprintable():
        raise ValidationError({"file": [_("The file name must be at most 255 printable characters.")]})
    if len(id_field) > 255 or "\x00" in id_field:
        raise ValidationError({"id_field": [_("Ensure this field has no more than 255 characters.")]})
    job = IngestionJob(
        filename=filename,
        id_field=id_field,
        metadata=metadata or {},
        created_by=user if getattr(user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            store, _created = VectorStore.objects.get_or_create(
                slug=store_slug, defaults={"title": store_slug}
            )
            job.store = _lock_store(store.pk)
            job.upload.save(filename, upload, save=False)
            job.save()

            def enqueue() -> None:
                result = ingest_upload.enqueue(job.pk)
                IngestionJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

            transaction.on_commit(enqueue)
    except BaseException:
        # Nothing of a failed upload stays behind: the row rolled back, the file goes too.
        if job.upload.name:
            job.upload.storage.delete(job.upload.name)
        raise
    return job
