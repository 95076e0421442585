"""/mcp at the edge, on the real ASGI stack: bodies are bounded (chunked too) and checked like
every other JSON body before the MCP server sees them."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from accounts.access_tokens import access_token_create
from accounts.tests.factories import UserFactory
from chatkit_site.tests.asgi import asgi_request
from tools.tests.conftest import open_meteo  # noqa: F401 (a fixture: Open-Meteo answered locally)

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


async def _token() -> str:
    user = await sync_to_async(UserFactory)()
    return (await sync_to_async(access_token_create)(user=user, name="edge"))[1]


def _call(arguments_json: str) -> bytes:
    return (
        '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "search_knowledge_base", '
        '"arguments": ' + arguments_json + "}}"
    ).encode()


@pytest.mark.parametrize(
    "arguments",
    [
        '{"query": "x", "filters": {"k": "a\\u0000b"}}',
        '{"query": "x", "filters": {"k": Infinity}}',
        '{"query": "x", "filters": {"k": NaN}}',
        '{"query": "x", "filters": ' + "[" * 100 + "]" * 100 + "}",
    ],
)
async def test_nul_non_finite_and_deep_values_are_refused_before_the_tools(arguments):
    token = await _token()

    response = await asgi_request(
        "POST", "/mcp", headers={**HEADERS, "authorization": f"Bearer {token}"}, chunks=[_call(arguments)]
    )

    assert response.status == 400
    assert "JSON body" in json.loads(response.body)["detail"]
    await sync_to_async(connections.close_all)()


async def test_an_over_limit_chunked_body_is_a_413_not_a_crash(settings):
    settings.REQUEST_MAX_BODY_BYTES = 64 * 1024
    token = await _token()

    response = await asgi_request(
        "POST", "/mcp", headers={**HEADERS, "authorization": f"Bearer {token}"}, chunks=[b" " * 65536] * 8
    )

    assert response.status == 413
    assert "too large" in json.loads(response.body)["detail"]
    assert response.chunks_read <= 3
    await sync_to_async(connections.close_all)()


async def test_an_ordinary_call_still_reaches_the_tools():
    token = await _token()

    response = await asgi_request(
        "POST",
        "/mcp",
        headers={**HEADERS, "authorization": f"Bearer {token}"},
        chunks=[_call('{"query": "x"}')],
    )

    assert response.status == 200
    assert json.loads(response.body)["id"] == 1
    await sync_to_async(connections.close_all)()


@pytest.mark.usefixtures("open_meteo")
async def test_weather_over_mcp_counts_against_the_rest_throttle_of_the_same_address(settings):
    from mcp.server.mcpserver.exceptions import ToolError

    from mcphub.endpoint import current_address, get_weather

    settings.WEATHER_THROTTLE_RATE = "2/min"
    statuses = [
        (await asgi_request("GET", "/api/tools/weather", query_string=b"city=Lyon")).status for _ in range(2)
    ]
    assert statuses == [200, 200]

    token = current_address.set("127.0.0.1")  # asgi_request's client address
    try:
        with pytest.raises(ToolError, match="Too many weather lookups"):
            await get_weather("Lyon")
    finally:
        current_address.reset(token)
