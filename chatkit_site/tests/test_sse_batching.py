"""Ready server-sent events leave in one write; the first is never held; nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from core import sse
from core.sse import coalesced


async def _events(count: int, *, pause_after: int | None = None, pause: float = 0.0) -> AsyncIterator[bytes]:
    for n in range(count):
        if n == pause_after:
            await asyncio.sleep(pause)
        await asyncio.sleep(0)  # a task switch per event, as a streamed answer has
        yield f"data: {n}\n\n".encode()


async def test_a_burst_of_events_is_written_in_a_few_writes_with_every_byte_in_order():
    writes = [chunk async for chunk in coalesced(_events(300))]

    assert b"".join(writes) == b"".join(f"data: {n}\n\n".encode() for n in range(300))
    assert writes[0] == b"data: 0\n\n"  # the first event goes out alone, at once
    assert len(writes) <= 10


async def test_the_first_event_is_written_before_the_next_one_is_ready():
    loop = asyncio.get_running_loop()
    started = loop.time()
    stream = coalesced(_events(2, pause_after=1, pause=0.5))

    first = await anext(stream)
    assert first == b"data: 0\n\n"
    assert loop.time() - started < 0.4
    assert [chunk async for chunk in stream] == [b"data: 1\n\n"]


async def test_an_event_is_held_for_at_most_the_hold_time_waiting_for_company():
    loop = asyncio.get_running_loop()
    stream = coalesced(_events(3, pause_after=2, pause=1.0), hold=0.01)
    assert await anext(stream) == b"data: 0\n\n"

    started = loop.time()
    second = await anext(stream)  # event 1 is ready; event 2 comes a second later
    assert second == b"data: 1\n\n"
    assert loop.time() - started < 0.5
    assert [chunk async for chunk in stream] == [b"data: 2\n\n"]


async def test_a_reader_that_stops_reading_stops_the_producer_at_the_backlog_limit(monkeypatch):
    monkeypatch.setattr(sse, "BACKLOG_BYTES", 1000)
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        while True:
            produced += 1
            yield b"x" * 100
            await asyncio.sleep(0)

    stream = coalesced(endless())
    await anext(stream)
    await asyncio.sleep(0.1)  # the reader does not come back

    assert produced <= 12
    await stream.aclose()


async def test_closing_the_response_closes_the_stream_beneath():
    closed = asyncio.Event()

    async def answer() -> AsyncIterator[bytes]:
        try:
            yield b"data: 0\n\n"
            await asyncio.sleep(10)
            yield b"data: 1\n\n"
        finally:
            closed.set()

    stream = coalesced(answer())
    await anext(stream)
    await stream.aclose()

    await asyncio.wait_for(closed.wait(), 1)


async def test_a_cancelled_response_cancels_the_stream_beneath():
    cancelled = asyncio.Event()

    async def answer() -> AsyncIterator[bytes]:
        yield b"data: 0\n\n"
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        yield b"data: 1\n\n"

    async def read() -> None:
        async for _ in coalesced(answer()):
            pass

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.05)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader

    assert cancelled.is_set()


async def test_an_error_in_the_stream_reaches_the_reader_after_what_came_before():
    async def failing() -> AsyncIterator[bytes]:
        yield b"data: 0\n\n"
        yield b"data: 1\n\n"
        raise RuntimeError("boom")

    received: list[bytes] = []

    async def read() -> None:
        async for chunk in coalesced(failing()):
            received.append(chunk)

    with pytest.raises(RuntimeError, match="boom"):
        await read()

    assert b"".join(received) == b"data: 0\n\ndata: 1\n\n"
