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

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.asgi import ASGIHandler
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse

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
