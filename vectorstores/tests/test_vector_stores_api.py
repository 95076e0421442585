from __future__ import annotations

import pytest

from vectorstores.models import Chunk, Document, VectorStore
from vectorstores.services import document_ingest

pytestmark = pytest.mark.django_db


def test_admins_create_and_list_stores_sorted_by_slug(admin_client_api):
    created = admin_client_api.post(
        "/api/vector-stores", {"slug": "zeta", "title": "Zeta", "metadata": {"a": 1}}, format="json"
    )
    admin_client_api.post("/api/vector-stores", {"slug": "alpha"}, format="json")

    listed = admin_client_api.get("/api/vector-stores").json()

    assert created.status_code == 201
    assert created.json() == {
        **created.json(),
        "slug": "zeta",
        "title": "Zeta",
        "description": None,
        "metadata": {"a": 1},
        "documents_count": 0,
    }
    assert {"created_at", "updated_at"} <= set(created.json())
    assert [store["slug"] for store in listed] == ["alpha", "zeta"]


@pytest.mark.parametrize("slug", ["", "Has Space", "UPPER", "-leading", "a" * 101, "é"])
def test_an_invalid_slug_is_400(admin_client_api, slug):
    response = admin_client_api.post("/api/vector-stores", {"slug": slug}, format="json")

    assert response.status_code == 400
    assert "slug" in response.json()["errors"]
    assert not VectorStore.objects.exists()


def test_a_duplicate_slug_is_400(admin_client_api):
    admin_client_api.post("/api/vector-stores", {"slug": "faq"}, format="json")

    response = admin_client_api.post("/api/vector-stores", {"slug": "faq"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["slug"] == ["A vector store with this slug already exists."]


def test_get_patch_and_delete_a_store(admin_client_api):
    document_ingest(store_slug="faq", doc_id="one", document={"q": "hello"})

    fetched = admin_client_api.get("/api/vector-stores/faq")
    patched = admin_client_api.patch(
        "/api/vector-stores/faq", {"title": "FAQ", "description": "Questions"}, format="json"
    )
    deleted = admin_client_api.delete("/api/vector-stores/faq")

    assert fetched.json()["documents_count"] == 1
    assert patched.json()["title"] == "FAQ"
    assert patched.json()["description"] == "Questions"
    assert deleted.status_code == 204
    assert not VectorStore.objects.exists()
    assert not Document.objects.exists()
    assert not Chunk.objects.exists()


def test_unknown_stores_are_404(admin_client_api):
    assert admin_client_api.get("/api/vector-stores/nope").status_code == 404
    assert admin_client_api.patch("/api/vector-stores/nope", {}, format="json").status_code == 404
    assert admin_client_api.delete("/api/vector-stores/nope").status_code == 404


def test_store_management_is_for_admins_only(user_client, api_client):
    document_ingest(store_slug="faq", doc_id="one", document={"q": "hello"})
    VectorStore.objects.filter(slug="faq").update(read_access=VectorStore.ReadAccess.USERS)

    assert user_client.get("/api/vector-stores").status_code == 200  # reading: per store
    assert api_client.get("/api/vector-stores").status_code == 401
    for client, expected in ((user_client, 403), (api_client, 401)):
        assert client.post("/api/vector-stores", {"slug": "x"}, format="json").status_code == expected
        assert client.patch("/api/vector-stores/faq", {"title": "x"}, format="json").status_code == expected
        assert client.delete("/api/vector-stores/faq").status_code == expected
    assert VectorStore.objects.get().title == "faq"
