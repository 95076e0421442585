"""Writes to the knowledge base: stores and upload jobs; document writes are in ingestion."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.usage import refuse_if_used
from vectorstores.embeddings import get_embedder
from vectorstores.ingestion import (  # noqa: F401 (the knowledge base's write API, in one place)
    EmbeddingModelMismatch,
    IngestProgress,
    NotTheOwner,
    check_embedder,
    clean_text,
    document_delete,
    document_ingest,
    documents_ingest,
    store_lock,
)
from vectorstores.models import (
    DEFAULT_DENSE_WEIGHT,
    DEFAULT_SPARSE_WEIGHT,
    IngestionJob,
    VectorStore,
    search_weights_check,
    text_search_config_check,
)
from vectorstores.openai_embeddings import choices as openai_choices
from vectorstores.openai_embeddings import is_openai
from vectorstores.sources import accepted


def store_create(
    *,
    slug: str,
    title: str | None = None,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
    read_access: str = "",
    read_groups: list[Any] | None = None,
    embedding_model: str | None = None,
    dense_weight: float = DEFAULT_DENSE_WEIGHT,
    sparse_weight: float = DEFAULT_SPARSE_WEIGHT,
) -> VectorStore:
    text_search_config_check(metadata)
    search_weights_check(dense_weight=dense_weight, sparse_weight=sparse_weight)
    embedding_model = settings.KB_STORE_EMBEDDER if embedding_model is None else embedding_model
    embedder_check(embedding_model)
    with transaction.atomic():
        store, created = VectorStore.objects.get_or_create(
            slug=slug,
            defaults={
                "title": clean_text(title),
                "description": clean_text(description),
                "metadata": metadata or {},
                "read_access": read_access,
                "embedding_model": embedding_model,
                "dense_weight": dense_weight,
                "sparse_weight": sparse_weight,
            },
        )
        if not created:
            raise ValidationError({"slug": [_("A vector store with this slug already exists.")]})
        if read_groups:
            store.read_groups.set(read_groups)
    return store


def store_update(*, store: VectorStore, **fields: Any) -> VectorStore:
    groups = fields.pop("read_groups", None)
    embedding_model = fields.pop("embedding_model", None)
    if fields.get("read_access"):
        store.read_access = fields.pop("read_access")
    if "metadata" in fields:
        text_search_config_check(fields["metadata"])
    for name in ("title", "description"):
        if name in fields:
            setattr(store, name, clean_text(fields[name]))
    for name in ("dense_weight", "sparse_weight"):
        if name in fields:
            setattr(store, name, fields[name])
    search_weights_check(dense_weight=store.dense_weight, sparse_weight=store.sparse_weight)
    if "metadata" in fields:
        store.metadata = fields["metadata"]
    with transaction.atomic():
        store.save()
        if groups is not None:
            store.read_groups.set(groups)
    if embedding_model is not None:
        store = store_embedder_change(store=store, embedding_model=embedding_model)
    return store


def embedder_check(embedding_model: str) -> None:
    """A store's embedder is the local model ('' or its name) or one of the OpenAI embedders this
    server has a key for."""
    if not embedding_model:
        return
    if not is_openai(embedding_model):
        local = get_embedder().model_id
        if embedding_model == local:
            return
        raise ValidationError(
            {
                "embedding_model": [
                    _("The local embedding model here is %(local)s; %(model)s is not available.")
                    % {"local": local, "model": embedding_model}
                ]
            }
        )
    if embedding_model not in openai_choices():
        raise ValidationError(
            {
                "embedding_model": [
                    _("%(model)s is not available: OpenAI embedders need OPENAI_API_KEY on the server.")
                    % {"model": embedding_model}
                    if not settings.OPENAI_API_KEY
                    else _("%(model)s is not an OpenAI embedding model this server can use.")
                    % {"model": embedding_model}
                ]
            }
        )


def store_embedder_change(*, store: VectorStore, embedding_model: str) -> VectorStore:
    """Move a store to another embedder: its chunks are re-embedded in the background (same
    chunks, new vectors), with progress in ``reembed_done``. An empty store just switches."""
    from vectorstores.tasks import store_reembed

    embedder_check(embedding_model)
    target = embedding_model or get_embedder().model_id
    with transaction.atomic():
        locked = store_lock(store.pk)
        if target == locked.embedding_model and not locked.embedding_pending:
            return locked
        if not locked.chunks.exists():
            locked.embedding_model, locked.embedding_pending = target, ""
            locked.save(update_fields=["embedding_model", "embedding_pending", "updated_at"])
            return locked
        locked.embedding_pending, locked.reembed_done = target, 0
        locked.save(update_fields=["embedding_pending", "reembed_done", "updated_at"])
        transaction.on_commit(lambda: store_reembed.enqueue(locked.pk))
    return locked


def store_delete(*, store: VectorStore) -> None:
    """Delete a store, its documents and jobs, unless a published workflow searches it (InUse)."""
    refuse_if_used(kind="store", name=store.slug)
    with transaction.atomic():
        try:
            locked = store_lock(store.pk)
        except VectorStore.DoesNotExist:
            return  # deleted concurrently: the outcome asked for
        uploads = [name for name in locked.jobs.values_list("upload", flat=True) if name]
        locked.delete()  # documents, chunks, term statistics and jobs cascade
        storage = IngestionJob._meta.get_field("upload").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in uploads])


def job_create(
    *,
    store_slug: str,
    upload: Any,
    filename: str,
    id_field: str = "",
    metadata: dict[str, Any] | None = None,
    user: Any = None,
) -> IngestionJob:
    """Save an uploaded file (JSON, JSON Lines, PDF, Word, HTML, Markdown, text) and queue its
    ingestion (after the commit)."""
    from vectorstores.tasks import ingest_upload

    if not accepted(filename):
        raise ValidationError({"file": [_("Upload a .json, .jsonl, .pdf, .docx, .html, .md or .txt file.")]})
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
            job.store = store_lock(store.pk)
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
