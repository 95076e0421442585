"""OpenAI's embeddings as a store's embedder, when the server has an OpenAI key.

A store names its embedder in ``embedding_model``: ``openai:text-embedding-3-small`` (or
``-large``) uses this backend, anything else the local model (``vectorstores.embeddings``). The
text-embedding-3 models shorten their vectors on request (``dimensions``), so they fill the same
384-wide column the local models do and one HNSW index serves every store. The server's
OPENAI_API_KEY goes to the operator's endpoint only (OPENAI_BASE_URL or OpenAI), never to an
address an admin typed. Chunking still counts tokens with the local model's tokenizer, so a store
keeps the same chunks whichever embedder it uses (a change of embedder only replaces vectors).
"""

from __future__ import annotations

import threading

import httpx
import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from core.exceptions import ServiceUnavailable, UpstreamError
from vectorstores.embeddings import Embedder, get_embedder
from vectorstores.models import EMBEDDING_DIMENSIONS

PREFIX = "openai:"
# The models that can shorten their vectors to the column's width.
MODELS = ("text-embedding-3-small", "text-embedding-3-large")
# Inputs per request (the API takes up to 2,048; smaller requests fail and retry cheaper).
REQUEST_INPUTS = 256


def is_openai(model_id: str) -> bool:
    return model_id.startswith(PREFIX)


def choices() -> list[str]:
    """The OpenAI embedders a store may use on this server (none without a key)."""
    return [PREFIX + name for name in MODELS] if settings.OPENAI_API_KEY else []


class OpenAIEmbedder(Embedder):
    backend = "openai"
    max_tokens = 8191
    is_e5 = False

    def __init__(self, model_id: str) -> None:
        name = model_id.removeprefix(PREFIX)
        if name not in MODELS:
            raise ServiceUnavailable(
                _("%(model)s is not an embedding model this server can use.") % {"model": model_id}
            )
        if not settings.OPENAI_API_KEY:
            raise ServiceUnavailable(
                _("The store is embedded with %(model)s, which needs OPENAI_API_KEY on the server.")
                % {"model": model_id}
            )
        self.model_id = model_id
        self.name = name
        self.dimensions = EMBEDDING_DIMENSIONS
        self.url = (settings.OPENAI_BASE_URL or "https://api.openai.com/v1").rstrip("/") + "/embeddings"
        self.key = settings.OPENAI_API_KEY

    def count_tokens(self, text: str) -> int:
        # The local tokenizer: the same chunks whichever embedder a store uses.
        return get_embedder().count_tokens(text)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors: list[list[float]] = []
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {self.key}"}) as client:
            for start in range(0, len(texts), REQUEST_INPUTS):
                part = [text or " " for text in texts[start : start + REQUEST_INPUTS]]  # "" is refused
                vectors.extend(self._request(client, part))
        return np.asarray(vectors, dtype=np.float32)

    def _request(self, client: httpx.Client, part: list[str]) -> list[list[float]]:
        body = {"model": self.name, "input": part, "dimensions": self.dimensions, "encoding_format": "float"}
        try:
            response = client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise UpstreamError(_("OpenAI's embeddings did not answer: %(error)s") % {"error": exc}) from exc
        if response.status_code != 200:
            raise UpstreamError(
                _("OpenAI's embeddings answered %(status)s.") % {"status": response.status_code}
            )
        try:
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [item["embedding"] for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise UpstreamError(_("OpenAI's embeddings answered something unreadable.")) from exc
        if len(vectors) != len(part) or any(len(vector) != self.dimensions for vector in vectors):
            raise UpstreamError(_("OpenAI's embeddings answered with the wrong number or size of vectors."))
        return vectors


_lock = threading.Lock()
_embedders: dict[tuple[str, str, str], OpenAIEmbedder] = {}


def openai_embedder(model_id: str) -> OpenAIEmbedder:
    """One client per model and key (a changed key in the settings gets a new one)."""
    key = (model_id, settings.OPENAI_API_KEY or "", settings.OPENAI_BASE_URL or "")
    with _lock:
        embedder = _embedders.get(key)
        if embedder is None:
            embedder = _embedders[key] = OpenAIEmbedder(model_id)
        return embedder


def embedder_for(model_id: str) -> Embedder:
    """The embedder a store's vectors are made with: its ``embedding_model`` ('' = the local one)."""
    if is_openai(model_id):
        return openai_embedder(model_id)
    return get_embedder()


def forget() -> None:
    """Drop the clients (tests)."""
    with _lock:
        _embedders.clear()
