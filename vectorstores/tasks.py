"""Background ingestion of uploaded files (django-tasks; run `manage.py db_worker`)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from events.publish import staff_event_send
from vectorstores.ingestion import IngestProgress, documents_ingest
from vectorstores.models import IngestionJob
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
    except (InvalidJSON, ValueError) as exc:
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
