from __future__ import annotations

import pytest

from vectorstores.models import VectorStore
from vectorstores.search import QueryTerm, _seeds, hybrid_search
from vectorstores.services import documents_ingest


def term(lexeme: str, df: int, config: str = "english") -> QueryTerm:
    return QueryTerm(config=config, lexeme=lexeme, idf=1.0, df=df)


def test_the_rarest_words_of_each_reading_seed_the_text_candidates():
    terms = [term("a", 50), term("b", 5), term("c", 0), term("d", 20), term("b", 7, "french")]

    assert _seeds(terms, chunk_count=10_000) == ["b", "d", "a"]  # "c" matches nothing


def test_a_word_in_a_large_share_of_a_big_store_seeds_nothing_when_vectors_bring_candidates():
    terms = [term("the", 600_000), term("rare", 40), term("often", 150_000), term("some", 90_000)]

    assert _seeds(terms, chunk_count=1_000_000) == ["rare", "some"]
    # Without a query vector (the store is re-embedding) the text alone brings candidates.
    assert _seeds(terms, chunk_count=1_000_000, skip_common=False) == ["rare", "some", "often", "the"]


def test_in_a_small_store_a_frequent_word_still_seeds_since_all_its_matches_are_read():
    # 90 of 120 chunks: more than the share, but no more matches than a seed reads.
    assert _seeds([term("item", 90)], chunk_count=120) == ["item"]


@pytest.mark.django_db
def test_a_query_of_common_words_still_finds_chunks_without_a_query_vector():
    documents_ingest(
        store_slug="kb",
        documents=[(f"d{n}", {"text": f"common words about item {n}"}, {}) for n in range(300)],
    )
    store = VectorStore.objects.get(slug="kb")

    hits = hybrid_search(store=store, query="common words", query_vector=None, top_k=5)

    assert len(hits) == 5
    assert all(hit.bm25_score > 0 for hit in hits)
