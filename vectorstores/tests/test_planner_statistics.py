from __future__ import annotations

import json

import pytest
from django.db import connection

from vectorstores.ingestion import documents_ingest
from vectorstores.models import EMBEDDING_DIMENSIONS, VectorStore
from vectorstores.planner import estimated_rows, store_chunk_estimate, store_statistics_refresh
from vectorstores.search import _passing_estimate


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


def add_chunks(
    store: VectorStore, count: int, topics: int, *, prefix: str = "t", analyze: bool = True
) -> None:
    """``count`` chunks of one document written directly, each with its own filterable metadata
    (an id) and one of ``topics`` topics (``prefix`` + a number): what a store's chunks look like
    to the planner."""
    document = store.documents.create(doc_id="many", document={}, text="", metadata={}, chunk_count=count)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO vectorstores_chunk (store_id, document_id, doc_id, chunk_index, text, content, "
            "language, source, embedding, metadata, filterable, term_count, created_at, updated_at) "
            "SELECT %s, %s, 'many', n, 'chunk', 'chunk', 'simple', '{}', "
            "array_fill(1.0, ARRAY[%s])::vector, '{}', "
            "jsonb_build_object('id', md5(n::text), 'topic', %s || (n %% %s), 'store', %s), 0, now(), now() "
            "FROM generate_series(0, %s - 1) n",
            [store.pk, document.pk, EMBEDDING_DIMENSIONS, prefix, topics, store.slug, count],
        )
        if analyze:
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


def topic_estimate(store: VectorStore, topic: str) -> int:
    return estimated_rows(
        "SELECT 1 FROM vectorstores_chunk WHERE store_id = %s AND filterable @> %s::jsonb",
        [store.pk, json.dumps({"topic": topic})],
    )


@pytest.mark.django_db
def test_a_new_large_store_s_filters_are_estimated_from_its_own_values_after_ingest(monkeypatch):
    for module in ("vectorstores.planner", "vectorstores.search"):  # "large": over 1,000 chunks
        monkeypatch.setattr(f"{module}.EXACT_FILTER_MAX", 1000)
    add_chunks(VectorStore.objects.create(slug="old", title="old"), 8000, topics=100)
    new = VectorStore.objects.create(slug="new", title="new")
    add_chunks(new, 4000, topics=4, prefix="n", analyze=False)  # 1,000 chunks per topic
    new.chunk_count = 4000  # what the ingestion keeps
    assert topic_estimate(new, "n1") < 250  # values the histogram has never seen

    assert store_statistics_refresh(store_id=new.pk, chunk_count=4000) is True

    # What the search decides by (exact scan or HNSW walk): the truth is 1,000.
    assert 500 <= _passing_estimate(new, {"topic": "n1"}) <= 2000


@pytest.mark.django_db
def test_a_store_small_enough_for_exact_filtered_search_only_refreshes_its_size():
    add_chunks(VectorStore.objects.create(slug="old", title="old"), 8000, topics=100)
    new = VectorStore.objects.create(slug="new", title="new")
    add_chunks(new, 4000, topics=4, prefix="n", analyze=False)

    assert store_statistics_refresh(store_id=new.pk, chunk_count=4000) is True

    assert 2000 <= store_chunk_estimate(store_id=new.pk) <= 8000
    assert topic_estimate(new, "n1") < 250  # filterable was not analysed: not needed below 50,000
