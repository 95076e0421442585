"""A deterministic embedder for tests that exercise the database, not the model."""

from __future__ import annotations

import hashlib

import numpy as np

from vectorstores.embeddings import Embedder


class HashEmbedder(Embedder):
    """Deterministic vectors from a hash: no model, so the race is about the database only."""

    backend = "test"
    model_id = "test/hash"
    dimensions = 384
    max_tokens = 512
    is_e5 = False

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2

    def _encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
            rows.append(np.random.default_rng(seed).standard_normal(384))
        return np.array(rows, dtype=np.float32)
