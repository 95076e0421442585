"""A minimal HTTP/1.1 client for the load runs: one keep-alive connection per simulated user.

httpx costs the load generator more CPU than the servers it measures spend on a turn, and the
generator shares this machine's cores with them; this client does only what a turn needs
(a JSON POST, a chunked or sized streamed answer), so the figures describe the servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator


class HTTPError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def _open(self) -> None:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, AsyncIterator[bytes]]:
        """Send the request; the status and an iterator over the body's chunks as they come."""
        await self._open()
        assert self.reader is not None
        assert self.writer is not None
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HTTPError(f"bad status line {status_line!r}")
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        return int(parts[1]), self._body(fields)

    async def _body(self, fields: dict[str, str]) -> AsyncIterator[bytes]:
        assert self.reader is not None
        try:
            if fields.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    if size == 0:
                        await self.reader.readuntil(b"\r\n")
                        break
                    chunk = await self.reader.readexactly(size + 2)
                    yield chunk[:-2]
            elif "content-length" in fields:
                remaining = int(fields["content-length"])
                while remaining:
                    chunk = await self.reader.read(min(remaining, 65536))
                    if not chunk:
                        raise HTTPError("connection closed mid-body")
                    remaining -= len(chunk)
                    yield chunk
            else:
                while chunk := await self.reader.read(65536):
                    yield chunk
                await self.close()
                return
        except BaseException:
            await self.close()  # a half-read answer: the connection cannot be reused
            raise
        if fields.get("connection", "").lower() == "close":
            await self.close()
