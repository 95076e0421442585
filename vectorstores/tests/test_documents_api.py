from __future__ import annotations

import pytest

from vectorstores.models import Chunk, Document, Term, VectorStore
from vectorstores.services import document_ingest

pytestmark = pytest.mark.django_db


def test_ingesting_a_document_returns_the_document_object(admin_client_api):
    response = admin_client_api.post(
        "/api/vector-stores/faq/documents",
        {
            "doc_id": "returns",
            "document": {"q": "Return policy?", "a": "30 days."},
            "metadata": {"lang": "en"},
            "store_title": "Frequently asked",
            "store_metadata": {"team": "support"},
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["doc_id"] == "returns"
    assert body["metadata"] == {"lang": "en"}
    assert body["chunk_count"] == 1
    store = VectorStore.objects.get(slug="faq")  # created on the fly
    assert store.title == "Frequently asked"
    assert store.metadata == {"team": "support"}
    chunk = Chunk.objects.get()
    assert chunk.metadata == {"doc_id": "returns", "store": "faq", "chunk_index": 0}
    assert chunk.text == "q: Return policy?\na: 30 days."


def test_any_json_value_is_a_document(admin_client_api):
    for doc_id, document in (("list", [1, 2, 3]), ("text", "plain"), ("number", 42), ("empty", {})):
        response = admin_client_api.post(
            "/api/vector-stores/misc/documents", {"doc_id": doc_id, "document": document}, format="json"
        )
        assert response.status_code == 201, response.content


def test_reingesting_replaces_the_document_and_its_chunks(admin_client_api, settings):
    settings.KB_CHUNK_MAX_TOKENS = 32
    document_ingest(store_slug="faq", doc_id="d", document={f"k{n}": "long value " * 3 for n in range(20)})
    before = Chunk.objects.count()

    response = admin_client_api.post(
        "/api/vector-stores/faq/documents", {"doc_id": "d", "document": {"only": "short"}}, format="json"
    )

    assert response.status_code == 201
    assert before > 1
    assert Document.objects.count() == 1
    assert list(Chunk.objects.values_list("text", flat=True)) == ["only: short"]
    store = VectorStore.objects.get()
    assert store.chunk_count == 1
    assert set(Term.objects.filter(df__gt=0).values_list("term", flat=True)) == {"only", "short"}


def test_a_failed_reingest_leaves_the_old_document_untouched(admin_client_api, monkeypatch):
    document_ingest(store_slug="faq", doc_id="d", document={"v": "original"})

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Chunk.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        document_ingest(store_slug="faq", doc_id="d", document={"v": "replacement"})

    assert Document.objects.get().document == {"v": "original"}
    assert list(Chunk.objects.values_list("text", flat=True)) == ["v: original"]
    assert VectorStore.objects.get().chunk_count == 1


def test_invalid_json_is_400_and_writes_nothing(admin_client_api):
    response = admin_client_api.generic(
        "POST",
        "/api/vector-stores/faq/documents",
        '{"doc_id": "x", "document": ',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not VectorStore.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"document": {"a": 1}},
        {"doc_id": "x"},
        {"doc_id": "", "document": 1},
        {"doc_id": "x", "document": None},
        {"doc_id": "x", "document": 1, "metadata": [1]},
    ],
)
def test_missing_or_bad_fields_are_400(admin_client_api, body):
    response = admin_client_api.post("/api/vector-stores/faq/documents", body, format="json")

    assert response.status_code == 400
    assert not Document.objects.exists()


def test_documents_are_listed_by_doc_id(admin_client_api):
    for doc_id in ("b", "c", "a"):
        document_ingest(store_slug="faq", doc_id=doc_id, document={"x": doc_id})

    listed = admin_client_api.get("/api/vector-stores/faq/documents").json()

    assert [d["doc_id"] for d in listed] == ["a", "b", "c"]
    assert "document" not in listed[0]


def test_any_user_who_may_read_the_store_reads_one_document_with_its_json(user_client):
    document_ingest(store_slug="faq", doc_id="a", document={"x": [1, {"y": None}]}, metadata={"m": 1})
    VectorStore.objects.filter(slug="faq").update(read_access=VectorStore.ReadAccess.USERS)

    response = user_client.get("/api/vector-stores/faq/documents/a")

    assert response.status_code == 200
    assert response.json()["document"] == {"x": [1, {"y": None}]}
    assert response.json()["metadata"] == {"m": 1}
    assert user_client.get("/api/vector-stores/faq/documents/zzz").status_code == 404
    assert user_client.get("/api/vector-stores/nope/documents/a").status_code == 404


def test_deleting_a_document(admin_client_api, user_client):
    document_ingest(store_slug="faq", doc_id="a", document={"x": "gone soon"})
    document_ingest(store_slug="faq", doc_id="b", document={"x": "stays"})

    assert user_client.delete("/api/vector-stores/faq/documents/a").status_code == 403
    assert admin_client_api.delete("/api/vector-stores/faq/documents/a").status_code == 204
    assert admin_client_api.delete("/api/vector-stores/faq/documents/a").status_code == 404
    assert list(Document.objects.values_list("doc_id", flat=True)) == ["b"]
    assert VectorStore.objects.get().chunk_count == 1
    assert not Term.objects.filter(term="gone", df__gt=0).exists()


def test_document_endpoints_need_the_right_role(user_client, api_client):
    assert (
        user_client.post(
            "/api/vector-stores/faq/documents", {"doc_id": "a", "document": 1}, format="json"
        ).status_code
        == 403
    )
    assert user_client.get("/api/vector-stores/faq/documents").status_code == 403
    assert api_client.get("/api/vector-stores/faq/documents/a").status_code == 401
    assert not VectorStore.objects.exists()


def test_store_title_and_metadata_update_an_existing_store(admin_client_api):
    admin_client_api.post(
        "/api/vector-stores",
        {"slug": "faq", "title": "Old", "metadata": {"team": "support", "lang": "en"}},
        format="json",
    )

    response = admin_client_api.post(
        "/api/vector-stores/faq/documents",
        {
            "doc_id": "d",
            "document": {"q": "?"},
            "store_title": "Frequently asked",
            "store_metadata": {"lang": "fr"},
        },
        format="json",
    )

    assert response.status_code == 201
    store = admin_client_api.get("/api/vector-stores/faq").json()
    assert store["title"] == "Frequently asked"
    assert store["metadata"] == {"team": "support", "lang": "fr"}  # merged, the new keys win


def test_empty_titles_and_descriptions_are_null(admin_client_api):
    created = admin_client_api.post(
        "/api/vector-stores", {"slug": "faq", "title": "  ", "description": ""}, format="json"
    ).json()
    patched = admin_client_api.patch(
        "/api/vector-stores/faq", {"title": "", "description": "  "}, format="json"
    )

    assert (created["title"], created["description"]) == (None, None)
    assert (patched.json()["title"], patched.json()["description"]) == (None, None)
