"""Writes to the knowledge base: stores and upload jobs; document writes are in ingestion."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
from vectorstores.models import IngestionJob, VectorStore, text_search_config_check
from vectorstores.sources import accepted


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


def store_delete(*, store: VectorStore) -> None:
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
