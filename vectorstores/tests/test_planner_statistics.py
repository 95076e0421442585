from __future__ import annotations

import pytest

from vectorstores.ingestion import documents_ingest
from vectorstores.models import VectorStore
from vectorstores.planner import store_chunk_estimate, store_statistics_refresh


def ingest(slug: str, count: int) -> VectorStore:
    documents_ingest(
        store_slug=slug, documents=[(f"d{n}", {"text": f"note number {n}"}, {}) for n in range(count)]
    )
    return VectorStore.objects.get(slug=slug)


@pytest.mark.django_db
def test_after_a_bulk_ingest_the_planner_knows_roughly_how_many_chunks_the_store_has():
    store = ingest("kb", 400)

    assert store.chunk_count == 400
    assert 200 <= store_chunk_estimate(store_id=store.pk) <= 800


@pytest.mark.django_db
def test_statistics_are_left_alone_while_the_planners_estimate_is_close_enough():
    store = ingest("kb", 400)
    estimate = store_chunk_estimate(store_id=store.pk)

    assert store_statistics_refresh(store_id=store.pk, chunk_count=estimate + 10) is False
    assert store_statistics_refresh(store_id=store.pk, chunk_count=3 * estimate + 300) is True


@pytest.mark.django_db
def test_a_small_store_beside_a_large_one_is_estimated_from_its_own_size():
    ingest("large", 600)
    small = ingest("small", 250)

    assert 125 <= store_chunk_estimate(store_id=small.pk) <= 500
