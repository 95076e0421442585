from __future__ import annotations

import pytest

from vectorstores.models import VectorStore
from vectorstores.search import PROXIMITY_WINDOW, hybrid_search
from vectorstores.services import documents_ingest

# The same words, as often, in texts of the same length: plain BM25 cannot tell them apart.
FAR = "network alpha beta gamma delta epsilon service zeta"
NEAR = "alpha beta network service gamma delta epsilon zeta"
REVERSED = "alpha beta service zeta network gamma delta epsilon"


def ingest(documents: dict[str, str]) -> VectorStore:
    documents_ingest(
        store_slug="kb", documents=[(doc_id, {"text": text}, {}) for doc_id, text in documents.items()]
    )
    return VectorStore.objects.get(slug="kb")


def keyword(store: VectorStore, query: str, **options) -> dict[str, float]:
    hits = hybrid_search(store=store, query=query, query_vector=None, top_k=10, **options)
    return {hit.doc_id: hit.bm25_score for hit in hits}


@pytest.mark.django_db
def test_a_chunk_holding_the_questions_words_side_by_side_ranks_before_one_holding_them_far_apart():
    store = ingest({"far": FAR, "near": NEAR})
    without = keyword(store, "network service", proximity_weight=0)
    assert without["far"] == pytest.approx(without["near"])  # the premise: BM25 alone ties them

    scores = keyword(store, "network service")

    assert scores["near"] > scores["far"]
    assert scores["far"] == pytest.approx(without["far"])  # words far apart gain nothing
    hits = hybrid_search(store=store, query="network service", query_vector=None, top_k=2)
    assert [hit.doc_id for hit in hits] == ["near", "far"]


@pytest.mark.django_db
def test_words_near_each_other_count_in_either_order_within_the_window():
    store = ingest({"far": FAR, "reversed": REVERSED})
    assert REVERSED.split().index("network") - REVERSED.split().index("service") <= PROXIMITY_WINDOW

    scores = keyword(store, "network service")

    assert scores["reversed"] > scores["far"]


@pytest.mark.django_db
def test_the_bonus_grows_with_the_proximity_weight_and_the_rarity_of_the_pair():
    store = ingest({"far": FAR, "near": NEAR, "other": "gamma delta only here"})
    light = keyword(store, "network service", proximity_weight=0.25)
    heavy = keyword(store, "network service", proximity_weight=1.0)

    assert heavy["near"] - heavy["far"] == pytest.approx(4 * (light["near"] - light["far"]))
    # "gamma delta" stand side by side in all three, "network service" in one: a common pair
    # adds less than a rare one.
    common = keyword(store, "gamma delta")
    common_without = keyword(store, "gamma delta", proximity_weight=0)
    rare_gain = light["near"] - keyword(store, "network service", proximity_weight=0)["near"]
    assert 0 < common["near"] - common_without["near"] < rare_gain


@pytest.mark.django_db
def test_a_question_written_like_a_text_search_query_is_read_as_words_not_as_operators():
    store = ingest({"near": NEAR, "quote": "it's the network's o'clock service"})

    for query in ("network' <-> 'service", "network & !service | 'x':*", "o'clock \\ service's", "''"):
        hits = hybrid_search(store=store, query=query, query_vector=None, top_k=5)
        assert all(hit.doc_id in {"near", "quote"} for hit in hits)


@pytest.mark.django_db
def test_a_french_question_finds_its_words_near_each_other_in_a_french_page():
    pages = {
        "loin": "Le répertoire affiche la commande et enfin le contenu courant des fichiers.",
        "proche": "La commande affiche le contenu du répertoire courant et enfin des fichiers.",
    }
    documents_ingest(
        store_slug="kb",
        documents=[(doc_id, {"text": text}, {"language": "fr"}) for doc_id, text in pages.items()],
    )
    store = VectorStore.objects.get(slug="kb")
    without = keyword(store, "contenu du répertoire", proximity_weight=0)
    assert without["loin"] == pytest.approx(without["proche"])  # the same words once each

    scores = keyword(store, "contenu du repertoire")  # accents folded, as in the index

    assert scores["proche"] > scores["loin"]
