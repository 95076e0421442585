"""Shared HTTP plumbing for calls to OpenAI and other upstream APIs."""

from __future__ import annotations

import asyncio
import weakref

import httpx
from django.conf import settings

# One AsyncClient per event loop (and retry policy): daphne runs one loop, but sync code (tests,
# management commands) reaches async code through async_to_sync, which makes a loop per call,
# and an httpx client must not outlive the loop its connections belong to.
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def http_client(*, retries: int = 0) -> httpx.AsyncClient:
    """The shared client of this event loop; ``retries`` retries failed connection attempts
    (httpx's transport retries: connect errors and timeouts only, never a sent request)."""
    loop = asyncio.get_running_loop()
    clients = _clients.setdefault(loop, {})
    client = clients.get(retries)
    if client is None or client.is_closed:
        transport = httpx.AsyncHTTPTransport(retries=retries)
        client = httpx.AsyncClient(follow_redirects=True, transport=transport)
        clients[retries] = client
    return client


def openai_base() -> str:
    """The API origin without /v1: OPENAI_BASE_URL may be given either way."""
    base = (settings.OPENAI_BASE_URL or "https://api.openai.com/v1").rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


def openai_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.OPENAI_API_KEY}"}
