"""A chunk's full-text vector is written with the chunk, by the database, whoever writes it."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from vectorstores.models import Chunk, VectorStore
from vectorstores.services import document_ingest

pytestmark = pytest.mark.django_db


def _lexemes(chunk: Chunk) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(tsv) FROM vectorstores_chunk WHERE id = %s", [chunk.pk])
        return set(cursor.fetchone()[0] or [])


def _chunk(**fields: object) -> Chunk:
    document_ingest(store_slug="kb", doc_id="seed", document={"text": "seed"})
    store = VectorStore.objects.get(slug="kb")
    return Chunk.objects.create(
        store=store,
        document=store.documents.get(),
        doc_id="seed",
        chunk_index=1,
        embedding=np.full(384, 0.05),
        **fields,
    )


def test_a_chunk_written_directly_gets_its_search_vector_and_length_in_its_language():
    chunk = _chunk(text="text: ignored", content="Des répertoires créés", language="french")
    chunk.refresh_from_db()

    assert _lexemes(chunk) == {"repertoir", "cre"}  # stemmed, stop word gone, accents folded
    assert chunk.term_count == 2


def test_changing_what_a_chunk_says_changes_its_search_vector():
    chunk = _chunk(text="a", content="running files", language="english")
    Chunk.objects.filter(pk=chunk.pk).update(content="sorted directories")
    chunk.refresh_from_db()

    assert _lexemes(chunk) == {"sort", "directori"}
    assert chunk.term_count == 2


def test_a_chunk_without_content_is_indexed_by_its_text():
    chunk = _chunk(text="body: lamps and chairs", content="", language="english")

    assert {"lamp", "chair"} <= _lexemes(chunk)


def test_ingesting_writes_each_chunk_once():
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(" ".join(sql.split()).upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        document_ingest(store_slug="kb", doc_id="a", document={"text": "one " * 400 + "two"})

    # An update after the insert would write every row twice, and put it in the HNSW graph twice.
    assert any(s.startswith('INSERT INTO "VECTORSTORES_CHUNK"') for s in statements)
    assert not [s for s in statements if s.startswith("UPDATE VECTORSTORES_CHUNK")]
    assert not [s for s in statements if s.startswith('UPDATE "VECTORSTORES_CHUNK"')]
    store = VectorStore.objects.get(slug="kb")
    assert store.total_terms == sum(Chunk.objects.filter(store=store).values_list("term_count", flat=True))
    assert store.total_terms >= 401
