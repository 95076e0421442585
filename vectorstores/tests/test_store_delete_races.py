"""Deleting a store while its documents are being written or deleted: every request gets a
clean answer (201, 204 or 404), never a deadlock or a foreign-key violation (500)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.tokens import token_pair_for
from chatkit_site.tests.hash_embedder import HashEmbedder
from vectorstores.embeddings import set_embedder
from vectorstores.models import Chunk, Document, Term, VectorStore
from vectorstores.services import document_ingest


@pytest.fixture(autouse=True)
def _hash_embedder():
    set_embedder(HashEmbedder())
    yield
    set_embedder(None)


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.django_db(transaction=True)
def test_store_deletion_races_with_document_writes_without_500s(admin_user):
    token = token_pair_for(user=admin_user).access_token
    statuses: list[int] = []
    lock = threading.Lock()

    def call(kind: str, number: int) -> None:
        client = _client(token)
        try:
            if kind == "write":
                response = client.post(
                    "/api/vector-stores/race/documents",
                    {"doc_id": f"new-{number}", "document": {"text": f"document number {number} " * 5}},
                    format="json",
                )
            elif kind == "delete-doc":
                response = client.delete(f"/api/vector-stores/race/documents/seed-{number}")
            else:
                response = client.delete("/api/vector-stores/race")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    for _round in range(3):
        for number in range(12):
            document_ingest(
                store_slug="race", doc_id=f"seed-{number}", document={"text": f"seed {number} " * 5}
            )
        jobs = [("write", n) for n in range(12)] + [("delete-doc", n) for n in range(12)]
        jobs.insert(10, ("delete-store", 0))
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda job: call(*job), jobs))

        assert set(statuses) <= {201, 204, 404}, sorted(statuses)
        statuses.clear()
        # Whatever won, the statistics match what is left: no half-written document.
        for store in VectorStore.objects.filter(slug="race"):
            assert store.chunk_count == Chunk.objects.filter(store=store).count()
            assert all(doc.chunk_count == doc.chunks.count() for doc in Document.objects.filter(store=store))
        VectorStore.objects.filter(slug="race").delete()
        assert not Term.objects.exists()
