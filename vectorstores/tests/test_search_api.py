from __future__ import annotations

import json

import pytest

from vectorstores.models import VectorStore
from vectorstores.services import document_ingest, documents_ingest

pytestmark = pytest.mark.django_db

URL = "/api/vector-stores/kb/search_json"

DOCUMENTS = {
    "fr-retours": (
        {
            "titre": "Politique de retour",
            "texte": "Vous pouvez retourner un article sous trente jours avec le ticket de caisse.",
        },
        {"lang": "fr"},
    ),
    "fr-livraison": (
        {"titre": "Livraison", "texte": "Nous livrons partout en Europe en cinq jours ouvrés."},
        {"lang": "fr"},
    ),
    "en-password": (
        {"title": "Password reset", "text": "Use the forgot password link on the login page."},
        {"lang": "en"},
    ),
    "en-hours": (
        {"title": "Support hours", "text": "Our support team answers from nine to five."},
        {"lang": "en", "team": "support"},
    ),
}


@pytest.fixture
def kb():
    for doc_id, (document, metadata) in DOCUMENTS.items():
        document_ingest(store_slug="kb", doc_id=doc_id, document=document, metadata=metadata)
    VectorStore.objects.filter(slug="kb").update(read_access=VectorStore.ReadAccess.USERS)


def search(client, **body):
    return client.post(URL, body, format="json")


def test_an_english_question_finds_the_french_passage(user_client, kb):
    response = search(user_client, query="How many days do I have to return an item?", top_k=2)

    assert response.status_code == 200
    hits = response.json()
    assert hits[0]["doc_id"] == "fr-retours"
    assert set(hits[0]) == {
        "doc_id",
        "chunk_index",
        "text",
        "metadata",
        "document_metadata",
        "dense_score",
        "bm25_score",
        "score",
    }
    assert hits[0]["document_metadata"] == {"lang": "fr"}
    assert hits[0]["score"] >= hits[1]["score"]


def test_keywords_contribute_a_bm25_score(user_client, kb):
    hits = search(user_client, query="password", top_k=4).json()

    assert hits[0]["doc_id"] == "en-password"
    assert hits[0]["bm25_score"] > 0
    assert all(hit["bm25_score"] == 0 for hit in hits[1:])


def test_sparse_only_ranks_by_bm25_and_dense_only_by_similarity(user_client, kb):
    sparse = search(user_client, query="support team", dense_weight=0, sparse_weight=1, top_k=4).json()
    dense = search(
        user_client, query="delivery across Europe", dense_weight=1, sparse_weight=0, top_k=4
    ).json()

    assert sparse[0]["doc_id"] == "en-hours"
    assert [hit["score"] for hit in sparse] == pytest.approx(
        [hit["bm25_score"] / sparse[0]["bm25_score"] * sparse[0]["score"] for hit in sparse]
    )
    assert dense[0]["doc_id"] == "fr-livraison"
    assert dense[0]["score"] == pytest.approx(1.0)  # the best candidate on the dense side
    assert dense[-1]["score"] == pytest.approx(0.0)  # the worst one
    assert [hit["dense_score"] for hit in dense] == sorted(
        (hit["dense_score"] for hit in dense), reverse=True
    )


@pytest.fixture(params=["exact scan of the few chunks that pass", "HNSW walk checking the filter"])
def filter_path(request, monkeypatch):
    """Filters are answered two ways (vectorstores.search): both must give the same answers."""
    if request.param.startswith("HNSW"):
        monkeypatch.setattr("vectorstores.search.EXACT_FILTER_MAX", 0)
    return request.param


def test_metadata_filters_apply_inside_the_query(user_client, kb, filter_path):
    hits = search(user_client, query="password", metadata_filters={"lang": "fr"}, top_k=10).json()

    assert {hit["doc_id"] for hit in hits} == {"fr-retours", "fr-livraison"}
    assert (
        search(user_client, query="x", metadata_filters={"team": "support"}).json()[0]["doc_id"] == "en-hours"
    )
    assert search(user_client, query="x", metadata_filters={"lang": "de"}).json() == []


def test_a_filter_may_mix_document_and_chunk_keys(user_client, kb, filter_path):
    mixed = {"lang": "en", "doc_id": "en-hours"}
    hits = search(user_client, query="support", metadata_filters=mixed).json()
    crossed = search(user_client, query="support", metadata_filters={**mixed, "lang": "fr"}).json()

    assert [hit["doc_id"] for hit in hits] == ["en-hours"]
    assert crossed == []


def test_document_metadata_wins_over_chunk_metadata(user_client, kb, filter_path):
    # Every chunk carries {"store": "kb"}; a document that says otherwise overrides it.
    document_ingest(
        store_slug="kb", doc_id="moved", document={"t": "relocated"}, metadata={"store": "archive"}
    )

    in_kb = {
        hit["doc_id"]
        for hit in search(user_client, query="relocated", metadata_filters={"store": "kb"}, top_k=50).json()
    }
    archived = search(user_client, query="relocated", metadata_filters={"store": "archive"}).json()

    assert "moved" not in in_kb
    assert len(in_kb) == 4
    assert [hit["doc_id"] for hit in archived] == ["moved"]


@pytest.mark.parametrize("top_k", [0, 51, -1])
def test_top_k_is_bounded(user_client, kb, top_k):
    response = search(user_client, query="x", top_k=top_k)

    assert response.status_code == 400
    assert "top_k" in response.json()["errors"]


def test_top_k_limits_the_results(user_client, kb):
    assert len(search(user_client, query="support", top_k=1).json()) == 1
    assert len(search(user_client, query="support", top_k=50).json()) == 4


@pytest.mark.parametrize(
    "body",
    [
        {"query": ""},
        {"query": "   "},
        {},
        {"query": "x", "dense_weight": -0.1},
        {"query": "x", "metadata_filters": "lang=fr"},
    ],
)
def test_bad_search_requests_are_400(user_client, kb, body):
    assert user_client.post(URL, body, format="json").status_code == 400


def test_searching_needs_a_token_and_an_existing_store(api_client, user_client):
    assert api_client.post(URL, {"query": "x"}, format="json").status_code == 401
    assert (
        user_client.post("/api/vector-stores/nope/search_json", {"query": "x"}, format="json").status_code
        == 404
    )


def test_a_query_of_frequent_words_still_answers(user_client):
    documents_ingest(
        store_slug="kb",
        documents=[(f"d{n}", {"text": f"the common words of the item {n}"}, {}) for n in range(300)],
    )
    VectorStore.objects.filter(slug="kb").update(read_access=VectorStore.ReadAccess.USERS)

    # Words every document has (the store is English: "the" and "of" are stop words there).
    hits = search(user_client, query="common words item", top_k=5).json()

    assert len(hits) == 5
    assert all(hit["bm25_score"] > 0 for hit in hits)


def test_the_migration_gives_existing_chunks_their_document_metadata_to_filter_on(user_client, kb):
    from importlib import import_module

    from django.db import connection

    from vectorstores.models import Chunk

    migration = import_module("vectorstores.migrations.0007_chunk_filterable")
    Chunk.objects.update(filterable={})  # as chunks written before the column existed
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    chunk = Chunk.objects.get(doc_id="en-hours")
    hits = search(user_client, query="x", metadata_filters={"team": "support"}).json()

    assert chunk.filterable == {**chunk.metadata, "lang": "en", "team": "support"}
    assert [hit["doc_id"] for hit in hits] == ["en-hours"]


@pytest.mark.parametrize(
    "filters",
    [{"lang": "a\u0000b"}, {"a\u0000": "x"}, {"lang": float("nan")}, {"deep": {"a": [1, {"b": None}]}}],
)
def test_odd_filters_are_a_clear_answer_never_a_500(user_client, kb, filter_path, filters):
    response = user_client.post(
        URL, json.dumps({"query": "x", "metadata_filters": filters}), content_type="application/json"
    )

    assert response.status_code in (200, 400), response.content
