"""Request body limits, enforced before authentication and before anything buffers the body.

Each path has a limit (a ChatKit request is small JSON, an attachment or a knowledge-base file
is larger). Two layers enforce it, because ASGI servers differ in when they read the body:

* ``BodyLimitMiddleware`` wraps the ASGI application: a ``Content-Length`` over the limit is
  answered 413 at once, and a chunked body is counted as it arrives and cut off at the limit.
  This is all that is needed on servers that stream bodies to the application (uvicorn).
* daphne (Twisted) reads the whole body before it calls the application, so
  ``install_daphne_limit()`` applies the same limits inside daphne's request object, before the
  body is stored.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

logger = logging.getLogger("chatkit.security")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Multipart framing (boundaries, part headers, the other form fields) on top of the file.
MULTIPART_OVERHEAD = 256 * 1024

_ATTACHMENT_UPLOAD = re.compile(r"^/api/chatkit/(?:attachments/[^/]+/upload|proxy/files)/?$")
_KB_UPLOAD = re.compile(r"^/(?:api/vector-stores/[^/]+/upload|admin/vectorstores/vectorstore/\d+/upload/)$")
_KB_DOCUMENTS = re.compile(r"^/api/vector-stores/[^/]+/documents(?:_batch)?/?$")


def body_limit_for(path: str) -> int:
    """The largest body, in bytes, a request to ``path`` may carry."""
    if path.rstrip("/") == "/api/chatkit":
        return settings.CHATKIT_MAX_REQUEST_BYTES
    if _ATTACHMENT_UPLOAD.match(path):
        return settings.CHATKIT_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    if _KB_UPLOAD.match(path):
        return settings.KB_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    if _KB_DOCUMENTS.match(path):
        return settings.KB_MAX_DOCUMENT_BYTES
    return settings.REQUEST_MAX_BODY_BYTES


def too_large_message(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    size = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return f"The request body is too large (the limit for this address is {size})."


def json_error_body(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


async def send_json_error(send: Send, status: int, detail: str) -> None:
    body = json_error_body(detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


class BodyLimitMiddleware:
    """ASGI middleware: 413 for bodies over the path's limit, declared or chunked."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared < 0:
            await send_json_error(send, 400, "The Content-Length header is not a number.")
            return
        if declared is not None and declared > limit:
            await send_json_error(send, 413, too_large_message(limit))
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django's handler stops reading on a disconnect and sends nothing;
                    # the 413 is sent below instead.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
        if exceeded and not started:
            await send_json_error(send, 413, too_large_message(limit))


def install_daphne_limit() -> None:
    """Apply the limits inside daphne, which reads the whole body before the application runs."""
    try:
        from daphne import http_protocol
    except ImportError:  # another ASGI server: BodyLimitMiddleware is enough
        return
    request_class = http_protocol.WebRequest
    if getattr(request_class, "_chatkit_body_limit", False):
        return

    original_got_length = request_class.gotLength
    original_chunk = request_class.handleContentChunk
    original_process = request_class.process

    def refuse(request: Any, limit: int) -> None:
        request._chatkit_refused = True
        body = json_error_body(too_large_message(limit))
        head = (
            b"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
        )
        transport = request.channel.transport if request.channel else None
        if transport is not None:
            transport.write(head + body)
            transport.loseConnection()
        logger.warning("Refused a request body over %s bytes", limit)

    def got_length(self: Any, length: int | None) -> None:
        path = getattr(self.channel, "_path", b"") or b""
        self._chatkit_limit = body_limit_for(path.split(b"?", 1)[0].decode("latin-1"))
        self._chatkit_received = 0
        self._chatkit_refused = False
        if length is not None and length > self._chatkit_limit:
            original_got_length(self, 0)
            refuse(self, self._chatkit_limit)
            return
        original_got_length(self, length)

    def handle_content_chunk(self: Any, data: bytes) -> None:
        if getattr(self, "_chatkit_refused", False):
            return  # discard whatever is still in flight
        self._chatkit_received = getattr(self, "_chatkit_received", 0) + len(data)
        if self._chatkit_received > getattr(self, "_chatkit_limit", settings.REQUEST_MAX_BODY_BYTES):
            refuse(self, self._chatkit_limit)
            return
        original_chunk(self, data)

    def process(self: Any) -> Any:
        if getattr(self, "_chatkit_refused", False):
            return None  # already answered 413; the application never sees this request
        return original_process(self)

    request_class.gotLength = got_length
    request_class.handleContentChunk = handle_content_chunk
    request_class.process = process
    request_class._chatkit_body_limit = True
