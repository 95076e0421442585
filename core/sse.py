"""Server-sent events written in batches: the events that are ready go out in one socket write.

A streamed answer is one SSE event per model delta: ~300 events for a 300-token answer. Sent one
by one, each costs a pass through every async generator above it (Django's response iterator,
the ASGI ``send``), a socket write and a wake-up of the reader — about half the time of a whole
turn with an instant model. ``coalesced`` reads the events in a task of their own and hands the
server whatever has piled up:

* the first write is never delayed (the time to the first byte is what a user sees first);
* after that, an event waits at most ``HOLD_SECONDS`` for others to join it, less when the
  batch reaches ``BATCH_BYTES`` or the stream ends;
* at most ``BACKLOG_BYTES`` wait unsent: a reader that stops reading stops the producer (and,
  through ``conversations.engine.pacing``, the model) instead of filling memory.

A client that disconnects cancels the response; the cancellation is passed on to the producer,
so the stream beneath (the ChatKit SDK, which saves the partial answer) sees it as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing, suppress

HOLD_SECONDS = 0.003
BATCH_BYTES = 32 * 1024
BACKLOG_BYTES = 256 * 1024


class _Batcher:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.done = False
        self.ready = asyncio.Event()  # something to send, or the end
        self.flush = asyncio.Event()  # send now: the batch is full or the stream ended
        self.room = asyncio.Event()  # the backlog is below BACKLOG_BYTES
        self.room.set()

    async def fill(self, chunks: AsyncIterator[bytes]) -> None:
        try:
            # aclosing: stopped while waiting for room, the stream beneath is closed at once
            # (GeneratorExit at its yield), as Django's own response loop would close it.
            async with aclosing(chunks):  # type: ignore[type-var]
                await self._fill(chunks)
        finally:
            self.done = True
            self.ready.set()
            self.flush.set()

    async def _fill(self, chunks: AsyncIterator[bytes]) -> None:
        async for chunk in chunks:
            if not chunk:
                continue
            self.parts.append(chunk)
            self.size += len(chunk)
            self.ready.set()
            if self.size >= BATCH_BYTES:
                self.flush.set()
            if self.size >= BACKLOG_BYTES:
                self.room.clear()
                await self.room.wait()

    def take(self) -> bytes:
        data = self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        self.ready.clear()
        self.room.set()
        return data


async def coalesced(chunks: AsyncIterator[bytes], *, hold: float = HOLD_SECONDS) -> AsyncIterator[bytes]:
    """``chunks`` re-cut into fewer, larger writes; see the module's docstring."""
    batcher = _Batcher()
    producer = asyncio.ensure_future(batcher.fill(chunks))
    loop = asyncio.get_running_loop()
    first = True
    try:
        while True:
            await batcher.ready.wait()
            if not first and not batcher.done and batcher.size < BATCH_BYTES:
                # Let the events produced in the next few milliseconds share this write.
                batcher.flush.clear()
                timer = loop.call_later(hold, batcher.flush.set)
                try:
                    await batcher.flush.wait()
                finally:
                    timer.cancel()
            first = False
            if batcher.parts:
                yield batcher.take()
            if batcher.done and not batcher.parts:
                break
        await producer  # re-raises what ended the producer, if anything did
    finally:
        if not producer.done():
            producer.cancel()
            with suppress(asyncio.CancelledError):
                await producer
