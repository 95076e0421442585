"""Django's ASGI handlers with two failure modes closed.

* A streaming response whose iterator raises midway leaves Django's handler with an exception
  after the headers went out: it never calls ``response.close()``, so ``request_finished`` never
  fires, the request's database connection is never released and the client's stream never
  ends. ``GuardedASGIHandler`` ends such a stream cleanly (an ``error`` event for SSE) instead.
* The static files handler answers a path that escapes the static folders
  (``/static/../../etc/passwd``) or carries a NUL with a server error; it is a 404 here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.asgi import ASGIHandler
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.urls import set_urlconf
from django.utils.log import log_response

# Also gives a forked child fresh executors (asgiref's shared thread included).
import core.db  # noqa: F401

logger = logging.getLogger("chatkit.security")

STREAM_FAILED = "The response could not be completed. Please try again."


async def _guarded(content: AsyncIterator[bytes], path: str, sse: bool) -> AsyncIterator[bytes]:
    try:
        async for chunk in content:
            yield chunk
    except Exception:
        logger.exception("Streaming response for %s failed midway", path)
        if sse:
            event = {"type": "error", "code": "custom", "message": STREAM_FAILED, "allow_retry": True}
            yield b"data: " + json.dumps(event).encode() + b"\n\n"


class GuardedASGIHandler(ASGIHandler):
    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = await super().run_get_response(request)
        if response.streaming and getattr(response, "is_async", False):
            sse = response.get("Content-Type", "").startswith("text/event-stream")
            response.streaming_content = _guarded(response.streaming_content, request.path, sse)
        return response


class SafeStaticFilesHandler(ASGIStaticFilesHandler):
    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return await super().get_response_async(request)
        except (SuspiciousOperation, ValueError, Http404):
            # ValueError: "embedded null byte" from the file system layer.
            return JsonResponse({"detail": "Not found."}, status=404)


class ChatKitHandler(GuardedASGIHandler):
    """The handler of POST /api/chatkit: the same views, a shorter middleware chain.

    Sessions, CSRF, messages and page headers do nothing for a Bearer-token JSON/SSE endpoint,
    but each costs a thread hop per request in an async handler. Django builds a handler's
    chain from settings.MIDDLEWARE, once, when the handler is created (at start-up); this one is
    built from settings.CHATKIT_MIDDLEWARE instead.

    Nor does a request get a thread of its own: Django's handler opens a ThreadSensitiveContext
    per request, so its thread-sensitive calls (the request signals, ``response.close``) run on
    a new thread per request — hundreds of threads, and their memory, for hundreds of open
    streams. Nothing on this path keeps state in such a thread (database calls go through
    ``core.db.db_call``), so those few short calls share asgiref's one thread instead.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.handle(scope, receive, send)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # Django's, but the warning an error answer logs ("Unauthorized: /api/chatkit") is
        # written here, not from a thread of the default executor: a thread hop costs a 401
        # more than the rest of its handling, and a log line is a short write to a stream.
        set_urlconf(settings.ROOT_URLCONF)
        response = await self._middleware_chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        return response

    def load_middleware(self, is_async: bool = False) -> None:
        pages_chain = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.CHATKIT_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = pages_chain


class PathDispatcher:
    """ASGI: the ChatKit endpoint to its own handler, /mcp to the MCP server, the rest to Django."""

    def __init__(self, chatkit: Any, default: Any, mcp: Any = None) -> None:
        self.chatkit = chatkit
        self.default = default
        self.mcp = mcp

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path")
        if scope["type"] == "http" and path == CHATKIT_PATH:
            await self.chatkit(scope, receive, send)
        elif scope["type"] == "http" and path in MCP_PATHS and self.mcp is not None:
            await self.mcp(scope, receive, send)
        else:
            await self.default(scope, receive, send)


CHATKIT_PATH = "/api/chatkit"
MCP_PATHS = ("/mcp", "/mcp/")
