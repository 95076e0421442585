"""The merge of a run's events with the context's events keeps the ChatKit SDK's contract."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import chatkit.agents
import pytest

from conversations.engine.merge import merge_generators


async def _timed(items: list[tuple[float, str]]) -> AsyncIterator[str]:
    for delay, item in items:
        await asyncio.sleep(delay)
        yield item


async def _queue_source(queue: asyncio.Queue[str | None]) -> AsyncIterator[str]:
    while (item := await queue.get()) is not None:
        yield item


def test_the_sdk_streams_through_this_merge():
    # Installed by the app; if an SDK upgrade renames the function, this fails instead of the
    # turn quietly going back to a task per event.
    assert chatkit.agents._merge_generators is merge_generators


async def test_events_come_out_in_the_order_they_become_ready():
    run = _timed([(0.0, "a1"), (0.03, "a2"), (0.05, "a3")])
    context = _timed([(0.01, "b1"), (0.03, "b2"), (0.2, "never")])

    assert [item async for item in merge_generators(run, context)] == ["a1", "b1", "a2", "b2", "a3"]


async def test_a_fast_source_is_read_in_full_and_in_order():
    async def fast() -> AsyncIterator[int]:
        for n in range(1000):
            yield n

    queue: asyncio.Queue[str | None] = asyncio.Queue()
    assert [item async for item in merge_generators(fast(), _queue_source(queue))] == list(range(1000))


async def test_what_the_context_queued_stays_queued_when_the_run_ends():
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    async def run() -> AsyncIterator[str]:
        yield "run-1"
        await asyncio.sleep(0.01)
        yield "run-2"

    merged = [item async for item in merge_generators(run(), _queue_source(queue))]
    await queue.put("late")  # a context event after the run ended: left for the SDK's own drain

    assert merged == ["run-1", "run-2"]
    assert queue.get_nowait() == "late"


async def test_a_context_event_already_read_is_handed_over_when_the_run_ends():
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    async def run() -> AsyncIterator[str]:
        await queue.put("progress")  # a tool reports progress, then the run ends at once
        yield "run-1"

    merged = [item async for item in merge_generators(run(), _queue_source(queue))]

    assert sorted(merged) == ["progress", "run-1"]
    assert queue.empty()


async def test_an_error_in_a_source_is_raised_after_the_events_before_it():
    async def failing() -> AsyncIterator[str]:
        yield "one"
        raise RuntimeError("model failed")

    queue: asyncio.Queue[str | None] = asyncio.Queue()
    received: list[str] = []

    async def read() -> None:
        async for item in merge_generators(failing(), _queue_source(queue)):
            received.append(item)

    with pytest.raises(RuntimeError, match="model failed"):
        await read()

    assert received == ["one"]


async def test_closing_the_merge_stops_reading_both_sources():
    stopped = []

    async def endless(name: str) -> AsyncIterator[str]:
        try:
            while True:
                await asyncio.sleep(0.001)
                yield name
        finally:
            stopped.append(name)

    merged = merge_generators(endless("run"), endless("context"))
    await anext(merged)
    await merged.aclose()
    await asyncio.sleep(0.01)

    assert sorted(stopped) == ["context", "run"]
