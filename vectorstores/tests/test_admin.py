from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vectorstores.models import Document, IngestionJob, VectorStore
from vectorstores.services import documents_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb() -> VectorStore:
    documents_ingest(
        store_slug="kb",
        documents=[
            ("fr-retours", {"texte": "Vous pouvez retourner un article sous trente jours."}, {"lang": "fr"}),
            ("en-hours", {"text": "Support answers from nine to five."}, {"lang": "en"}),
        ],
    )
    VectorStore.objects.filter(slug="kb").update(read_access=VectorStore.ReadAccess.USERS)
    return VectorStore.objects.get(slug="kb")


def test_the_store_list_shows_document_counts_and_tools(admin_browser, kb):
    html = admin_browser.get("/admin/vectorstores/vectorstore/").content.decode()

    assert '<td class="field-document_count">2</td>' in html
    assert f"/admin/vectorstores/vectorstore/{kb.pk}/search/" in html
    assert f"/admin/vectorstores/vectorstore/{kb.pk}/upload/" in html


def test_the_search_page_shows_the_api_results_with_scores_and_links(admin_browser, kb, user_client):
    api = user_client.post(
        "/api/vector-stores/kb/search_json", {"query": "return policy", "top_k": 2}, format="json"
    ).json()

    response = admin_browser.get(
        f"/admin/vectorstores/vectorstore/{kb.pk}/search/",
        {
            "query": "return policy",
            "top_k": 2,
            "dense_weight": 0.5,
            "sparse_weight": 0.5,
            "metadata_filters": "{}",
        },
    )

    html = response.content.decode()
    table = html[html.index('id="search-results"') :]
    positions = [table.index(hit["doc_id"]) for hit in api]
    assert positions == sorted(positions)  # same order as the API
    document = Document.objects.get(doc_id=api[0]["doc_id"])
    assert f"/admin/vectorstores/document/{document.pk}/change/" in table
    assert f"{api[0]['score']:.3f}" in table


def test_the_search_page_reports_bad_filters(admin_browser, kb):
    response = admin_browser.get(
        f"/admin/vectorstores/vectorstore/{kb.pk}/search/",
        {"query": "x", "top_k": 5, "dense_weight": 0.5, "sparse_weight": 0.5, "metadata_filters": "{nope"},
    )

    assert "Invalid JSON" in response.content.decode()


def test_the_upload_form_starts_a_job_and_shows_its_progress_page(admin_browser, kb, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = json.dumps([{"id": "n1", "text": "new"}]).encode()

    response = admin_browser.post(
        f"/admin/vectorstores/vectorstore/{kb.pk}/upload/",
        {"file": SimpleUploadedFile("new.json", content), "id_field": "id", "metadata": "{}"},
    )

    job = IngestionJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/vectorstores/ingestionjob/{job.pk}/change/"
    progress = admin_browser.get(response["Location"])
    assert progress.status_code == 200
    html = progress.content.decode()
    # Follows the job while it is queued or running: live events, else reloads (or noscript).
    assert f'data-follow-job="{job.pk}"' in html
    assert "/static/vectorstores/job_progress.js" in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert job.status == "queued"


def test_the_document_page_shows_its_chunks(admin_browser, kb):
    document = Document.objects.get(doc_id="en-hours")

    html = admin_browser.get(f"/admin/vectorstores/document/{document.pk}/change/").content.decode()

    assert "text: Support answers from nine to five." in html
    assert "&quot;lang&quot;" in html or "lang" in html


def test_deleting_a_document_in_the_admin_keeps_the_statistics_right(admin_browser, kb):
    document = Document.objects.get(doc_id="en-hours")

    admin_browser.post(f"/admin/vectorstores/document/{document.pk}/delete/", {"post": "yes"})

    kb.refresh_from_db()
    assert kb.chunk_count == 1
    assert not Document.objects.filter(doc_id="en-hours").exists()
