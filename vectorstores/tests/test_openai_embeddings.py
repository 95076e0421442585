from __future__ import annotations

import hashlib
import json

import httpx
import numpy as np
import pytest
import respx

from vectorstores.models import Chunk, VectorStore
from vectorstores.openai_embeddings import forget
from vectorstores.services import document_ingest, documents_ingest
from vectorstores.tasks import store_reembed_run

pytestmark = pytest.mark.django_db

URL = "https://api.openai.com/v1/embeddings"
KEY = "sk-test-embeddings"


def fake_vector(text: str) -> list[float]:
    """A deterministic 384-d vector per text, so the test can tell whose vector a chunk holds."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vector = np.random.default_rng(seed).normal(size=384)
    return (vector / np.linalg.norm(vector)).tolist()


def embeddings_api(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    data = [
        {"object": "embedding", "index": n, "embedding": fake_vector(text)}
        for n, text in enumerate(body["input"])
    ]
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        },
    )


@pytest.fixture
def openai_key(settings):
    settings.OPENAI_API_KEY = KEY
    settings.OPENAI_BASE_URL = None
    forget()
    yield
    forget()


@pytest.fixture
def api(openai_key):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(side_effect=embeddings_api)
        yield route


def test_a_store_created_with_an_openai_embedder_embeds_documents_and_queries_there(admin_client_api, api):
    created = admin_client_api.post(
        "/api/vector-stores",
        {"slug": "kb", "embedding_model": "openai:text-embedding-3-small"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["embedding_model"] == "openai:text-embedding-3-small"

    posted = admin_client_api.post(
        "/api/vector-stores/kb/documents",
        {"doc_id": "a", "document": {"text": "Refunds take five days."}},
        format="json",
    )
    found = admin_client_api.post("/api/vector-stores/kb/search_json", {"query": "refunds"}, format="json")

    assert posted.status_code == 201
    assert found.status_code == 200
    chunk = Chunk.objects.get()
    assert np.allclose(np.asarray(chunk.embedding), fake_vector(chunk.content), atol=1e-6)
    assert found.json()[0]["doc_id"] == "a"
    sent = [json.loads(call.request.content) for call in api.calls]
    assert {body["model"] for body in sent} == {"text-embedding-3-small"}
    assert {body["dimensions"] for body in sent} == {384}
    assert ["refunds"] in [body["input"] for body in sent]  # the query, without an e5 prefix
    assert {call.request.headers["authorization"] for call in api.calls} == {f"Bearer {KEY}"}


def test_without_a_key_an_openai_embedder_is_refused_with_the_reason(admin_client_api, settings):
    settings.OPENAI_API_KEY = None

    response = admin_client_api.post(
        "/api/vector-stores",
        {"slug": "kb", "embedding_model": "openai:text-embedding-3-small"},
        format="json",
    )

    assert response.status_code == 400
    assert "OPENAI_API_KEY" in json.dumps(response.json())
    assert not VectorStore.objects.exists()


def test_an_unknown_embedder_is_refused(admin_client_api, openai_key):
    for name in ("openai:text-embedding-ada-002", "some/other-model"):
        response = admin_client_api.post(
            "/api/vector-stores", {"slug": "kb", "embedding_model": name}, format="json"
        )
        assert response.status_code == 400, name
    assert not VectorStore.objects.exists()


def test_changing_the_embedder_re_embeds_in_the_background_and_never_mixes_vectors(admin_client_api, api):
    documents_ingest(
        store_slug="kb",
        documents=[("a", {"text": "Refunds take five days."}, {}), ("b", {"text": "We open at nine."}, {})],
    )
    local_model = VectorStore.objects.get(slug="kb").embedding_model
    assert not local_model.startswith("openai:")

    changed = admin_client_api.patch(
        "/api/vector-stores/kb", {"embedding_model": "openai:text-embedding-3-small"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["embedding_model"] == local_model
    assert body["embedding_pending"] == "openai:text-embedding-3-small"
    # Meanwhile: writes wait, searches use the full text alone (no query vector at all).
    refused = admin_client_api.post(
        "/api/vector-stores/kb/documents", {"doc_id": "c", "document": "x"}, format="json"
    )
    assert refused.status_code == 409
    assert "re-embedded" in refused.json()["detail"]
    found = admin_client_api.post(
        "/api/vector-stores/kb/search_json", {"query": "refunds"}, format="json"
    ).json()
    assert [hit["doc_id"] for hit in found] == ["a"]
    assert found[0]["dense_score"] == 0
    assert not api.called

    assert store_reembed_run(VectorStore.objects.get(slug="kb").pk) == 2

    store = VectorStore.objects.get(slug="kb")
    assert (store.embedding_model, store.embedding_pending, store.reembed_done) == (
        "openai:text-embedding-3-small",
        "",
        2,
    )
    for chunk in Chunk.objects.all():
        assert np.allclose(np.asarray(chunk.embedding), fake_vector(chunk.content), atol=1e-6)
    found = admin_client_api.post(
        "/api/vector-stores/kb/search_json", {"query": "refunds"}, format="json"
    ).json()
    assert found[0]["dense_score"] != 0


def test_an_empty_store_switches_embedder_at_once(admin_client_api, openai_key):
    admin_client_api.post("/api/vector-stores", {"slug": "kb"}, format="json")

    response = admin_client_api.patch(
        "/api/vector-stores/kb", {"embedding_model": "openai:text-embedding-3-large"}, format="json"
    )

    assert response.json()["embedding_model"] == "openai:text-embedding-3-large"
    assert response.json()["embedding_pending"] == ""


def test_an_openai_failure_is_a_502_and_writes_nothing(admin_client_api, openai_key):
    admin_client_api.post(
        "/api/vector-stores",
        {"slug": "kb", "embedding_model": "openai:text-embedding-3-small"},
        format="json",
    )
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=httpx.Response(500, json={"error": {"message": "boom"}}))
        response = admin_client_api.post(
            "/api/vector-stores/kb/documents", {"doc_id": "a", "document": {"text": "hello"}}, format="json"
        )

    assert response.status_code == 502
    assert "detail" in response.json()
    assert not Chunk.objects.exists()


def test_a_store_embedded_with_openai_is_a_503_when_the_key_is_gone(admin_client_api, api, settings):
    document_ingest(store_slug="kb", doc_id="seed", document={"text": "seed"})
    VectorStore.objects.filter(slug="kb").update(embedding_model="openai:text-embedding-3-small")
    settings.OPENAI_API_KEY = None

    response = admin_client_api.post("/api/vector-stores/kb/search_json", {"query": "seed"}, format="json")

    assert response.status_code == 503
    assert "OPENAI_API_KEY" in response.json()["detail"]
