"""Each store's search weights: what its searches weigh when their caller gives none."""

from __future__ import annotations

import pytest

from vectorstores.models import VectorStore
from vectorstores.selectors import store_search
from vectorstores.services import documents_ingest

pytestmark = pytest.mark.django_db

SEARCH = "/api/vector-stores/kb/search_json"
STORE = "/api/vector-stores/kb"


@pytest.fixture
def kb() -> VectorStore:
    documents_ingest(
        store_slug="kb",
        documents=[
            ("hours", {"title": "Support hours", "text": "Our support team answers from nine to five."}, {}),
            ("delivery", {"title": "Delivery", "text": "We ship parcels across Europe in five days."}, {}),
            ("password", {"title": "Password", "text": "Use the forgot password link to log in."}, {}),
        ],
    )
    VectorStore.objects.filter(slug="kb").update(read_access=VectorStore.ReadAccess.USERS)
    return VectorStore.objects.get(slug="kb")


def scores(client, **body) -> list[tuple[str, float]]:
    response = client.post(SEARCH, {"query": "support team parcels", "top_k": 3, **body}, format="json")
    assert response.status_code == 200, response.content
    return [(hit["doc_id"], round(hit["score"], 6)) for hit in response.json()]


def test_a_new_store_weighs_both_sides_equally_as_before(admin_client_api, user_client, kb):
    store = admin_client_api.get(STORE).json()

    assert (store["dense_weight"], store["sparse_weight"]) == (0.5, 0.5)
    assert scores(user_client) == scores(user_client, dense_weight=0.5, sparse_weight=0.5)


def test_a_search_without_weights_uses_the_weights_an_admin_gave_the_store(admin_client_api, user_client, kb):
    before = scores(user_client)

    response = admin_client_api.patch(STORE, {"dense_weight": 0, "sparse_weight": 1}, format="json")

    assert response.status_code == 200
    assert (response.json()["dense_weight"], response.json()["sparse_weight"]) == (0.0, 1.0)
    after = scores(user_client)
    assert after == scores(user_client, dense_weight=0, sparse_weight=1)
    assert after != before


def test_weights_in_the_request_win_over_the_store_s(admin_client_api, user_client, kb):
    admin_client_api.patch(STORE, {"dense_weight": 0, "sparse_weight": 1}, format="json")
    dense_only = scores(user_client, dense_weight=1, sparse_weight=0)

    assert dense_only != scores(user_client)
    # One weight given: the other is the store's (1 here), not the old 0.5 default.
    assert scores(user_client, dense_weight=1) == scores(user_client, dense_weight=1, sparse_weight=1)


def test_the_assistant_and_workflow_searches_use_the_store_s_weights(kb):
    """They call store_search without weights (vectorstores.agent_tools, workflows.engine.turn)."""
    VectorStore.objects.filter(slug="kb").update(dense_weight=1, sparse_weight=0)
    kb.refresh_from_db()

    hits = store_search(store=kb, query="support team parcels", top_k=3)
    explicit = store_search(store=kb, query="support team parcels", top_k=3, dense_weight=1, sparse_weight=0)

    assert [(hit.doc_id, hit.score) for hit in hits] == [(hit.doc_id, hit.score) for hit in explicit]
    assert hits[0].score == pytest.approx(1.0)  # dense only: the best candidate normalised to 1


def test_a_store_created_with_weights_keeps_them(admin_client_api):
    response = admin_client_api.post(
        "/api/vector-stores", {"slug": "codes", "dense_weight": 0.3, "sparse_weight": 0.7}, format="json"
    )

    assert response.status_code == 201
    store = VectorStore.objects.get(slug="codes")
    assert (store.dense_weight, store.sparse_weight) == (0.3, 0.7)


@pytest.mark.parametrize(
    "body",
    [
        {"dense_weight": 0, "sparse_weight": 0},
        {"sparse_weight": 0, "dense_weight": -0.1},
        {"dense_weight": 1.5},
        {"dense_weight": "NaN"},
        {"sparse_weight": "lots"},
    ],
)
def test_weights_a_search_could_not_rank_by_are_refused_and_change_nothing(admin_client_api, kb, body):
    response = admin_client_api.patch(STORE, body, format="json")

    assert response.status_code == 400
    assert "detail" in response.json()
    kb.refresh_from_db()
    assert (kb.dense_weight, kb.sparse_weight) == (0.5, 0.5)


def test_setting_one_weight_to_zero_when_the_other_is_already_zero_is_refused(admin_client_api, kb):
    assert admin_client_api.patch(STORE, {"dense_weight": 0}, format="json").status_code == 200

    response = admin_client_api.patch(STORE, {"sparse_weight": 0}, format="json")

    assert response.status_code == 400
    kb.refresh_from_db()
    assert (kb.dense_weight, kb.sparse_weight) == (0.0, 0.5)


def test_a_store_cannot_be_created_with_both_weights_at_zero(admin_client_api):
    response = admin_client_api.post(
        "/api/vector-stores", {"slug": "none", "dense_weight": 0, "sparse_weight": 0}, format="json"
    )

    assert response.status_code == 400
    assert not VectorStore.objects.filter(slug="none").exists()


def test_a_search_with_both_weights_at_zero_is_400(user_client, kb):
    response = user_client.post(
        SEARCH, {"query": "support", "dense_weight": 0, "sparse_weight": 0}, format="json"
    )

    assert response.status_code == 400
    assert "weight" in response.json()["detail"]


def test_the_admin_sets_a_store_s_weights_and_refuses_two_zeros(admin_browser, kb):
    form = {"slug": "kb", "title": "KB", "description": "", "metadata": "{}", "read_access": "users"}

    change = f"/admin/vectorstores/vectorstore/{kb.pk}/change/"
    refused = admin_browser.post(change, {**form, "dense_weight": 0, "sparse_weight": 0})
    assert refused.status_code == 200  # the form again, with the error
    assert "At least one of the dense and sparse weights" in refused.content.decode()

    saved = admin_browser.post(change, {**form, "dense_weight": 0.2, "sparse_weight": 0.8})
    assert saved.status_code == 302
    kb.refresh_from_db()
    assert (kb.dense_weight, kb.sparse_weight) == (0.2, 0.8)


def test_the_admin_search_page_starts_from_the_store_s_weights(admin_browser, kb):
    VectorStore.objects.filter(pk=kb.pk).update(dense_weight=0.25, sparse_weight=0.75)

    html = admin_browser.get(f"/admin/vectorstores/vectorstore/{kb.pk}/search/").content.decode()

    assert 'name="dense_weight" value="0.25"' in html
    assert 'name="sparse_weight" value="0.75"' in html
