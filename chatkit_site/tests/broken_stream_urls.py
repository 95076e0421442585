"""A URLconf whose only view's stream fails midway (for the ASGI handler's guard test)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path


async def _chunks() -> AsyncIterator[bytes]:
    yield b'data: {"type": "first"}\n\n'
    raise RuntimeError("the stream broke")


async def broken(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_chunks(), content_type="text/event-stream")


urlpatterns = [path("broken", broken)]
