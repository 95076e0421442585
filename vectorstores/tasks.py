"""Background ingestion of uploaded files and re-indexing of stores (django-tasks; run
`manage.py db_worker`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from events.publish import staff_event_send
from vectorstores.converters import ConversionError
from vectorstores.ingestion import IngestProgress, documents_ingest, store_lock
from vectorstores.models import INDEX_VERSION, Chunk, Document, IngestionJob, VectorStore
from vectorstores.openai_embeddings import embedder_for
from vectorstores.sources import InvalidJSON, iter_documents, validate

logger = logging.getLogger("chatkit.vectorstores")


def job_announce(job: IngestionJob) -> None:
    """Tell admins' open pages (/ws/events, ``ingestion.job``) where the job stands."""
    event = {
        "type": "ingestion.job",
        "job": {
            "id": job.pk,
            "store": job.store.slug,
            "filename": job.filename,
            "status": job.status,
            "documents_done": job.documents_done,
            "chunks_done": job.chunks_done,
            "errors": job.errors,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        },
    }
    staff_event_send(event=event)


def job_run(job: IngestionJob) -> IngestionJob:
    job.status = IngestionJob.Status.RUNNING
    IngestionJob.objects.filter(pk=job.pk).update(status=job.status)
    job_announce(job)
    try:
        with job.upload.open("rb") as handle:
            validate(handle, job.filename)  # a bad file fails before anything is written
        with job.upload.open("rb") as handle:
            documents = iter_documents(
                handle, job.filename, id_field=job.id_field or None, metadata=job.metadata
            )

            def report(progress: IngestProgress) -> None:
                job.documents_done, job.chunks_done = progress.documents, progress.chunks
                IngestionJob.objects.filter(pk=job.pk).update(
                    documents_done=job.documents_done, chunks_done=job.chunks_done, updated_at=timezone.now()
                )
                job_announce(job)

            documents_ingest(store_slug=job.store.slug, documents=documents, on_batch=report)
        status = IngestionJob.Status.SUCCEEDED
        errors: list[str] = []
    except (InvalidJSON, ConversionError, ValueError) as exc:
        status, errors = IngestionJob.Status.FAILED, [str(exc)]
    except ValidationError as exc:  # e.g. the store was embedded with another model
        status, errors = IngestionJob.Status.FAILED, exc.messages
    except Exception as exc:  # the job record must say what went wrong, whatever it was
        logger.exception("Ingestion job %s failed", job.pk)
        status, errors = IngestionJob.Status.FAILED, [f"{type(exc).__name__}: {exc}"]
    job.status, job.errors, job.finished_at = status, errors, timezone.now()
    IngestionJob.objects.filter(pk=job.pk).update(status=status, errors=errors, finished_at=job.finished_at)
    job_announce(job)
    _discard_upload(job)
    job.refresh_from_db()
    return job


def _discard_upload(job: IngestionJob) -> None:
    """The uploaded file is not kept once its job is over (the job keeps its name and errors)."""
    if job.upload.name:
        job.upload.storage.delete(job.upload.name)


@task()
def ingest_upload(job_id: int) -> str:
    job = IngestionJob.objects.select_related("store").get(pk=job_id)
    return job_run(job).status


def store_reindex_run(store_id: int, *, batch_size: int = 64) -> int:
    """Write every document of a store again with the current pipeline (INDEX_VERSION): its
    chunks' reader text, embeddings, language and full-text index. Progress in ``reindex_done``
    (documents); searches keep working meanwhile (each document is replaced atomically). Returns
    the number of documents written; 0 when the store is already current."""
    store = VectorStore.objects.filter(pk=store_id).first()
    if store is None or store.index_version >= INDEX_VERSION:
        return 0
    VectorStore.objects.filter(pk=store_id).update(reindex_done=0)
    pks = list(Document.objects.filter(store_id=store_id).order_by("pk").values_list("pk", flat=True))

    def documents() -> Iterator[tuple[str, Any, dict[str, Any]]]:
        for start in range(0, len(pks), batch_size):
            for document in Document.objects.filter(pk__in=pks[start : start + batch_size]).order_by("pk"):
                yield document.doc_id, document.document, document.metadata

    def report(progress: IngestProgress) -> None:
        VectorStore.objects.filter(pk=store_id).update(reindex_done=progress.documents)

    progress = documents_ingest(
        store_slug=store.slug, documents=documents(), batch_size=batch_size, on_batch=report
    )
    languages = sorted(
        set(Document.objects.filter(store_id=store_id).values_list("language", flat=True)) - {""}
    )
    VectorStore.objects.filter(pk=store_id).update(
        index_version=INDEX_VERSION, reindex_done=progress.documents, text_configs=languages
    )
    logger.info("Store %s re-indexed: %s documents", store.slug, progress.documents)
    return progress.documents


@task()
def store_reindex(store_id: int) -> int:
    return store_reindex_run(store_id)


def store_reembed_run(store_id: int, *, batch_size: int = 64) -> int:
    """Give every chunk of a store a vector from the embedder it is moving to
    (``embedding_pending``), ``batch_size`` documents per transaction, then switch the store to it.
    The chunks stay as they are (the same reader text is embedded again). Progress in
    ``reembed_done``; an interrupted run starts over. Returns the documents done."""
    store = VectorStore.objects.filter(pk=store_id).first()
    if store is None or not store.embedding_pending:
        return 0
    target = store.embedding_pending
    embedder = embedder_for(target)
    VectorStore.objects.filter(pk=store_id).update(reembed_done=0)
    pks = list(Document.objects.filter(store_id=store_id).order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(pks), batch_size):
        chunks = list(
            Chunk.objects.filter(document_id__in=pks[start : start + batch_size])
            .order_by("pk")
            .values_list("pk", "content", "text")
        )
        vectors = embedder.embed_passages([content or text for _, content, text in chunks]) if chunks else []
        with transaction.atomic():
            locked = store_lock(store_id)
            if locked.embedding_pending != target:
                return done  # changed again meanwhile: the newer task takes over
            Chunk.objects.bulk_update(
                [Chunk(pk=pk, embedding=vector) for (pk, _, _), vector in zip(chunks, vectors, strict=True)],
                ["embedding"],
                batch_size=500,
            )
            done += len(pks[start : start + batch_size])
            VectorStore.objects.filter(pk=store_id).update(reembed_done=done)
    with transaction.atomic():
        locked = store_lock(store_id)
        if locked.embedding_pending == target:
            VectorStore.objects.filter(pk=store_id).update(
                embedding_model=target, embedding_dimensions=embedder.dimensions, embedding_pending=""
            )
    logger.info("Store %s re-embedded with %s: %s documents", store.slug, target, done)
    return done


@task()
def store_reembed(store_id: int) -> int:
    return store_reembed_run(store_id)


def stores_reindex_enqueue(**kwargs: Any) -> None:
    """After migrate: a task per store written by an older pipeline (a task for a store that is
    already current does nothing, so enqueuing twice is harmless)."""
    for store_id in VectorStore.objects.filter(index_version__lt=INDEX_VERSION).values_list("pk", flat=True):
        store_reindex.enqueue(store_id)
