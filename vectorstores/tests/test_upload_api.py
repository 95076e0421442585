"""Uploads start a django-tasks job; the database worker ingests the file and reports progress."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from vectorstores.models import Document, IngestionJob

# The real database worker closes connections between tasks, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def upload(client, name: str, content: bytes, **fields):
    return client.post("/api/vector-stores/faq/upload", {"file": SimpleUploadedFile(name, content), **fields})


def test_an_upload_is_queued_then_ingested_by_the_worker(admin_client_api):
    lines = "\n".join(json.dumps({"sku": f"p{n}", "name": f"Produit {n}"}) for n in range(5)).encode()

    response = upload(
        admin_client_api,
        "products.jsonl",
        lines,
        id_field="sku",
        metadata=json.dumps({"source": "catalogue"}),
    )

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued"
    assert job["store"] == "faq"
    assert IngestionJob.objects.get().task_id

    run_worker()

    status = admin_client_api.get(f"/api/vector-stores/jobs/{job['id']}").json()
    assert status["status"] == "succeeded"
    assert status["documents_done"] == 5
    assert status["chunks_done"] == 5
    assert status["errors"] == []
    assert sorted(Document.objects.values_list("doc_id", flat=True)) == [f"p{n}" for n in range(5)]
    assert Document.objects.get(doc_id="p0").metadata == {"source": "catalogue"}


def test_a_json_array_without_an_id_field_gets_positional_ids(admin_client_api):
    upload(admin_client_api, "faq.json", json.dumps([{"q": "a"}, {"q": "b"}]).encode())
    run_worker()

    assert sorted(Document.objects.values_list("doc_id", flat=True)) == ["faq-0", "faq-1"]


def test_an_invalid_file_fails_the_job_with_the_line_and_writes_nothing(admin_client_api):
    content = b'{"id": 1}\n{"id": 2}\n{"id": \n'
    job = upload(admin_client_api, "broken.jsonl", content).json()
    run_worker()

    status = admin_client_api.get(f"/api/vector-stores/jobs/{job['id']}").json()
    assert status["status"] == "failed"
    assert status["errors"] == ["broken.jsonl, line 3: invalid JSON (Expecting value)"]
    assert not Document.objects.exists()


def test_only_files_of_a_supported_type_are_accepted(admin_client_api):
    response = upload(admin_client_api, "program.exe", b"MZ")

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "Upload a .json, .jsonl, .pdf, .docx, .html, .md or .txt file."
    ]
    assert not IngestionJob.objects.exists()


def test_a_file_is_required_and_metadata_must_be_an_object(admin_client_api):
    assert admin_client_api.post("/api/vector-stores/faq/upload", {}).status_code == 400
    response = upload(admin_client_api, "a.json", b"{}", metadata="[1]")
    assert response.status_code == 400
    assert "metadata" in response.json()["errors"]


def test_uploads_and_jobs_are_for_admins(user_client, api_client):
    assert upload(user_client, "a.json", b"{}").status_code == 403
    assert upload(api_client, "a.json", b"{}").status_code == 401
    assert user_client.get("/api/vector-stores/jobs/1").status_code == 403


def test_an_unknown_job_is_404(admin_client_api):
    assert admin_client_api.get("/api/vector-stores/jobs/999").status_code == 404


def test_an_upload_over_the_limit_is_413(admin_client_api, settings):
    settings.KB_MAX_UPLOAD_BYTES = 10

    response = upload(admin_client_api, "big.json", b"[" + b"1," * 10 + b"1]")

    assert response.status_code == 413
    assert not IngestionJob.objects.exists()


def test_the_worker_announces_the_jobs_progress_to_admins(admin_client_api, monkeypatch):
    from vectorstores import tasks

    events = []
    monkeypatch.setattr(tasks, "staff_event_send", lambda *, event: events.append(event))
    lines = "\n".join(json.dumps({"sku": f"p{n}", "name": f"Produit {n}"}) for n in range(3)).encode()
    job_id = upload(admin_client_api, "products.jsonl", lines, id_field="sku").json()["id"]

    run_worker()

    statuses = [event["job"]["status"] for event in events if event["type"] == "ingestion.job"]
    assert statuses[0] == "running"
    assert statuses[-1] == "succeeded"
    assert events[-1]["job"]["id"] == job_id
    assert events[-1]["job"]["store"] == "faq"
    assert events[-1]["job"]["documents_done"] == 3
    assert events[-1]["job"]["finished_at"]
