"""The project's own MCP endpoint, /mcp: the knowledge base, widgets, weather and tasks.

The ``mcp`` package's server (streamable HTTP, stateless, JSON responses) mounted in the ASGI
app beside Django. Every request is authenticated here first — the user's JWT or a personal
access token — and the tools act as that user (a context variable carries them: in stateless
mode each request's server task is started from the request's own context).

Neither daphne nor our uvicorn runs ASGI lifespan for Django, so the session manager's task
group is started on the first request of each event loop and lives as long as that loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from accounts.access_tokens import access_token_authenticate, looks_like_access_token
from core.db import db_call
from core.security import client_address
from core.validation import MAX_JSON_DEPTH, json_problem
from mcphub import tools

logger = logging.getLogger("chatkit.mcp")

MCP_PATH = "/mcp"
current_user: contextvars.ContextVar[Any] = contextvars.ContextVar("mcp_user")
# The client's address (as REST sees it: TRUSTED_PROXY_COUNT applies), for the shared throttles.
current_address: contextvars.ContextVar[str] = contextvars.ContextVar("mcp_address", default="unknown")

server = MCPServer(
    name="chatkit-django",
    instructions=(
        "Search the knowledge base of this ChatKit deployment, read its documents, list its widgets, "
        "look up the weather, and manage your own to-do list."
    ),
)


async def _run(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await db_call(function, current_user.get(), *args, **kwargs)
    except tools.ToolFailure as exc:
        raise ToolError(str(exc)) from None


@server.tool(description="List the knowledge stores you may search.")
async def list_vector_stores() -> list[dict[str, Any]]:
    return await _run(tools.list_vector_stores)


@server.tool(
    description=(
        "Search the knowledge base (hybrid: meaning and keywords, any language). Without a store, "
        "every store you may read is searched. filters: metadata key → value, all must match."
    )
)
async def search_knowledge_base(
    query: str, store: str | None = None, top_k: int = 5, filters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    return await _run(tools.search_knowledge_base, query, store, top_k, filters)


@server.tool(description="Read one document of a knowledge store, whole.")
async def get_document(store: str, doc_id: str) -> dict[str, Any]:
    return await _run(tools.get_document, store, doc_id)


@server.tool(description="List the widgets of the widget library (cards the assistant can show).")
async def list_widgets() -> list[dict[str, Any]]:
    return await _run(tools.list_widgets)


@server.tool(description="The current weather of a city (and optionally its country).")
async def get_weather(city: str, country: str | None = None) -> dict[str, Any]:
    from core.throttles import rate_exceeded
    from tools.weather import WeatherError, weather_lookup

    # The same counter as GET /api/tools/weather: one address, one budget of outside lookups.
    retry_after = await rate_exceeded(f"weather:{current_address.get()}", settings.WEATHER_THROTTLE_RATE)
    if retry_after is not None:
        raise ToolError(f"Too many weather lookups. Try again in {retry_after} seconds.")
    try:
        return await weather_lookup(city, country)
    except WeatherError as exc:
        raise ToolError(str(exc)) from None


@server.tool(
    description="Add a task to your to-do list. priority: low, medium or high; due_date: YYYY-MM-DD."
)
async def add_task(
    title: str, description: str | None = None, due_date: date | None = None, priority: str | None = None
) -> dict[str, Any]:
    return await _run(
        tools.add_task, title=title, description=description, due_date=due_date, priority=priority
    )


@server.tool(description="List your tasks; completed: true for done ones, false for open ones, omit for all.")
async def list_tasks(completed: bool | None = None) -> list[dict[str, Any]]:
    return await _run(tools.list_tasks, completed)


@server.tool(description="Mark one of your tasks as done.")
async def complete_task(task_id: int) -> dict[str, Any]:
    return await _run(tools.complete_task, task_id)


@server.tool(description="Change one of your tasks: only the fields given change.")
async def update_task(
    task_id: int,
    title: str | None = None,
    description: str | None = None,
    due_date: date | None = None,
    priority: str | None = None,
    completed: bool | None = None,
) -> dict[str, Any]:
    return await _run(
        tools.update_task, task_id, title=title, description=description, due_date=due_date,
        priority=priority, completed=completed,
    )  # fmt: skip


@server.tool(description="Delete one of your tasks.")
async def delete_task(task_id: int) -> dict[str, Any]:
    return await _run(tools.delete_task, task_id)


async def authenticate(scope: dict[str, Any]) -> Any:
    """The user of the request's ``Authorization: Bearer`` (JWT or personal access token)."""
    header = next((value for key, value in scope.get("headers", []) if key == b"authorization"), b"")
    scheme, _, raw = header.decode("latin-1").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None
    if looks_like_access_token(raw):
        return await db_call(access_token_authenticate, raw=raw)
    from django.test import RequestFactory

    from accounts.authentication import authenticate_bearer

    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return await authenticate_bearer(request)


async def _answer(
    send: Any, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _host_allowed(scope: dict[str, Any]) -> bool:
    host = next((value for key, value in scope.get("headers", []) if key == b"host"), b"").decode("latin-1")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


class McpEndpoint:
    """ASGI: authenticates, then hands the request to the MCP server's streamable HTTP app."""

    def __init__(self) -> None:
        self._apps: dict[asyncio.AbstractEventLoop, Any] = {}

    async def _app(self) -> Any:
        loop = asyncio.get_running_loop()
        app = self._apps.get(loop)
        if app is not None:
            return app
        for old in [known for known in self._apps if known.is_closed()]:
            del self._apps[old]
        # Host checks are Django's (ALLOWED_HOSTS, below); the SDK's own localhost-only
        # default would refuse every deployment with a real host name.
        app = server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        started = asyncio.Event()
        manager = server.session_manager

        async def run() -> None:
            async with manager.run():
                started.set()
                await asyncio.Event().wait()  # as long as the loop runs

        self._apps[loop] = app
        app.state.runner = loop.create_task(run(), name="mcp-session-manager")
        await started.wait()
        return app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not _host_allowed(scope):
            await _answer(send, 400, "Bad request: host not allowed.")
            return
        await self.serve(scope, receive, send)

    async def serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        user = await authenticate(scope)
        if user is None:
            await _answer(
                send, 401, "Authentication required: a valid access token or personal access token.",
                [(b"www-authenticate", b'Bearer realm="mcp"')],
            )  # fmt: skip
            return
        if scope.get("method") == "POST":
            body = await _read_body(receive)
            if body is None:
                return  # over the size limit (BodyLimitMiddleware answers 413) or the client left
            problem = body_problem(body)
            if problem is not None:
                await _answer(send, 400, f"Bad request: the JSON body {problem}.")
                return
            receive = _replay(body)
        app = await self._app()
        token = current_user.set(user)
        address = current_address.set(_address(scope))
        try:
            await app(scope, receive, send)
        finally:
            current_user.reset(token)
            current_address.reset(address)


async def _read_body(receive: Any) -> bytes | None:
    """The whole request body (bounded by BodyLimitMiddleware), or None if it never completed."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # as a server does: the next message is the disconnect
        return {"type": "http.disconnect"}

    return receive


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def body_problem(body: bytes) -> str | None:
    """The project's rule for JSON bodies, at this edge too: no NUL, no NaN/Infinity, bounded depth."""
    if not body.strip():
        return None  # the MCP server answers an empty body itself
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        return f"is nested more than {MAX_JSON_DEPTH} levels deep"
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        return "is not valid JSON (NaN and Infinity are not JSON numbers)"
    return json_problem(value)


def _address(scope: dict[str, Any]) -> str:
    from django.core.handlers.asgi import ASGIRequest

    return client_address(ASGIRequest({**scope, "method": "GET"}, io.BytesIO()))


endpoint = McpEndpoint()
