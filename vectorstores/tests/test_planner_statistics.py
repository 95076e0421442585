from __future__ import annotations

import json

import pytest
from django.db import connection

from vectorstores.ingestion import documents_ingest
from vectorstores.models import EMBEDDING_DIMENSIONS, VectorStore
from vectorstores.planner import estimated_rows, store_chunk_estimate, store_statistics_refresh


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


def add_chunks(store: VectorStore, count: int, topics: int) -> None:
    """``count`` chunks of one document written directly, each with its own filterable metadata
    (an id) and one of ``topics`` topics: what a store's chunks look like to the planner."""
    document = store.documents.create(doc_id="many", document={}, text="", metadata={}, chunk_count=count)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO vectorstores_chunk (store_id, document_id, doc_id, chunk_index, text, content, "
            "language, source, embedding, metadata, filterable, term_count, created_at, updated_at) "
            "SELECT %s, %s, 'many', n, 'chunk', 'chunk', 'simple', '{}', "
            "array_fill(1.0, ARRAY[%s])::vector, '{}', "
            "jsonb_build_object('id', md5(n::text), 'topic', 't' || (n %% %s)), 0, now(), now() "
            "FROM generate_series(0, %s - 1) n",
            [store.pk, document.pk, EMBEDDING_DIMENSIONS, topics, count],
        )
        cursor.execute("ANALYZE vectorstores_chunk")


@pytest.mark.django_db
def test_filters_keeping_one_chunk_in_a_hundred_are_estimated_within_a_factor_of_two():
    # Every chunk's filterable metadata is unique, so the planner can only test the filter on
    # its histogram of the column: with a hundred entries, 1 % of them is often none (an
    # estimate of one chunk), one or three.
    store = VectorStore.objects.create(slug="wide", title="wide")
    add_chunks(store, 8000, topics=100)

    estimates = [
        estimated_rows(
            "SELECT 1 FROM vectorstores_chunk WHERE store_id = %s AND filterable @> %s::jsonb",
            [store.pk, json.dumps({"topic": f"t{topic}"})],
        )
        for topic in range(100)
    ]
    outside = [estimate for estimate in estimates if not 40 <= estimate <= 160]
    assert len(outside) <= 5, sorted(estimates)
