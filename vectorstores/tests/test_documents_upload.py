"""Uploaded PDF, Word, HTML and Markdown files become searchable; chunks say where they come from."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from vectorstores.models import Chunk, Document, IngestionJob, VectorStore
from vectorstores.tests import documents as files

# The real database worker closes connections between tasks, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def upload(admin_client_api, name: str, data: bytes):
    return admin_client_api.post(
        "/api/vector-stores/handbook/upload", {"file": SimpleUploadedFile(name, data)}
    )


def test_uploaded_files_of_each_kind_are_searchable_with_page_or_section(admin_client_api):
    uploads = {
        "handbook.pdf": files.pdf(
            ["Returns are accepted for thirty days.", "Parcels ship within five working days."]
        ),
        "travel.docx": files.docx(
            "Travel policy", [("Hotels", ["Hotel nights are refunded up to 150 euros."])]
        ),
        "returns.html": files.HTML.encode(),
        "onboarding.md": files.MARKDOWN.encode(),
    }
    for name, data in uploads.items():
        assert upload(admin_client_api, name, data).status_code == 202
    run_worker()
    VectorStore.objects.filter(slug="handbook").update(read_access=VectorStore.ReadAccess.USERS)

    assert set(IngestionJob.objects.values_list("status", flat=True)) == {"succeeded"}
    assert set(Document.objects.values_list("doc_id", flat=True)) == set(uploads)

    def top(query: str) -> dict:
        return admin_client_api.post(
            "/api/vector-stores/handbook/search_json", {"query": query, "top_k": 1}, format="json"
        ).json()[0]

    def where(hit: dict) -> tuple[str, list]:
        metadata = hit["metadata"]
        if "page" in metadata:
            return hit["doc_id"], metadata.get("pages", [metadata["page"]])
        return hit["doc_id"], metadata.get("sections", [metadata["section"]])

    # Small files fit in one chunk: the chunk names every page or section it spans.
    assert where(top("How long until my parcel ships?")) == ("handbook.pdf", [1, 2])
    assert where(top("hotel refund limit")) == ("travel.docx", ["Hotels"])
    assert where(top("replace a damaged item")) == ("returns.html", ["Returns and refunds", "Damaged items"])
    assert where(top("where do I get my building badge")) == (
        "onboarding.md",
        ["Onboarding guide", "Laptop", "Badges"],
    )
    assert Document.objects.get(doc_id="handbook.pdf").metadata == {"source": "handbook.pdf"}


def test_a_scanned_pdf_upload_fails_with_no_text_found(admin_client_api):
    assert upload(admin_client_api, "scan.pdf", files.pdf([""])).status_code == 202
    run_worker()

    job = IngestionJob.objects.get()
    assert job.status == "failed"
    assert job.errors == ["scan.pdf: no text found. A scanned PDF needs text recognition (OCR) first."]
    assert not Chunk.objects.exists()


def test_ingest_json_reads_documents_and_forces_a_format(tmp_path, capsys):
    (tmp_path / "guide.md").write_text(files.MARKDOWN)
    (tmp_path / "notes.data").write_text("# Notes\n\nThe printer is on the second floor.")
    (tmp_path / "scan.pdf").write_bytes(files.pdf([""]))

    with pytest.raises(CommandError, match=r"scan\.pdf: no text found"):
        call_command("ingest_json", "kb", str(tmp_path))  # the folder: .md and .pdf, not .data
    call_command("ingest_json", "kb", str(tmp_path / "notes.data"), "--format", "markdown")

    assert set(Document.objects.values_list("doc_id", flat=True)) == {"guide.md", "notes.data"}
    section = Chunk.objects.filter(doc_id="notes.data").values_list("metadata", flat=True)
    assert [m.get("section") for m in section] == ["Notes"]
