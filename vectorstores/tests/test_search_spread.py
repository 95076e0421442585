from __future__ import annotations

import pytest
from django.test import override_settings

from vectorstores.models import VectorStore
from vectorstores.search import SAME_DOCUMENT_PENALTY, hybrid_search
from vectorstores.services import documents_ingest


@pytest.fixture
def store() -> VectorStore:
    """A manual whose three sections all answer the question, and a note that answers it nearly
    as well, one chunk each."""
    manual = {
        "sections": [
            {"text": "Descale the kettle with vinegar every month."},
            {"text": "Descale the kettle again when the water tastes of lime."},
            {"text": "Descale the kettle before storing it for the winter."},
        ]
    }
    note = {"text": "How to descale a kettle: vinegar, water, one hour of soaking."}
    with override_settings(KB_CHUNK_MAX_TOKENS=32, KB_CHUNK_OVERLAP_LINES=0):
        documents_ingest(store_slug="kb", documents=[("manual", manual, {}), ("note", note, {})])
    store = VectorStore.objects.get(slug="kb")
    assert store.chunk_count == 4
    return store


def documents_in_order(hits: list) -> list[str]:
    return list(dict.fromkeys(hit.doc_id for hit in hits))


@pytest.mark.django_db
def test_a_documents_second_chunk_comes_after_the_best_chunk_of_another_document_close_to_it(store):
    unspread = hybrid_search(
        store=store, query="descale kettle", query_vector=None, top_k=4, same_document_penalty=0
    )
    assert [hit.doc_id for hit in unspread] == ["manual", "manual", "manual", "note"]  # the premise

    hits = hybrid_search(store=store, query="descale kettle", query_vector=None, top_k=4)

    assert [hit.doc_id for hit in hits][:2] == ["manual", "note"]
    assert documents_in_order(hits) == documents_in_order(unspread)


@pytest.mark.django_db
def test_scores_say_the_order_a_chunk_losing_the_penalty_once_per_better_chunk_of_its_document(store):
    unspread = hybrid_search(
        store=store, query="descale kettle", query_vector=None, top_k=4, same_document_penalty=0
    )
    hits = hybrid_search(store=store, query="descale kettle", query_vector=None, top_k=4)

    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    before = {(hit.doc_id, hit.chunk_index): hit.score for hit in unspread}
    manual = [hit for hit in hits if hit.doc_id == "manual"]
    for nth, hit in enumerate(manual):
        assert hit.score == pytest.approx(before[(hit.doc_id, hit.chunk_index)] - nth * SAME_DOCUMENT_PENALTY)
    note = next(hit for hit in hits if hit.doc_id == "note")
    assert note.score == pytest.approx(before[("note", note.chunk_index)])
