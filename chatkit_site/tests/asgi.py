"""Drive the project's real ASGI stack (what daphne serves) in-process, message by message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AsgiResponse:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    finished: bool = False
    chunks_read: int = 0


async def asgi_request(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    chunks: list[bytes] | None = None,
    query_string: bytes = b"",
    app: Any = None,
    timeout: float = 30,
) -> AsgiResponse:
    """Send one request: ``chunks`` arrive as separate http.request messages (chunked upload)."""
    if app is None:
        from chatkit_site.asgi import build_application

        app = build_application()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }
    pending = list(chunks or [b""])
    result = AsgiResponse()
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if pending:
            body = pending.pop(0)
            result.chunks_read += 1
            return {"type": "http.request", "body": body, "more_body": bool(pending)}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            result.body += message.get("body", b"")
            if not message.get("more_body", False):
                result.finished = True
                done.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=timeout)
    done.set()
    return result
