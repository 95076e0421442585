"""One task per source, not one per event, for the ChatKit SDK's merge of a run's two streams.

``chatkit.agents.stream_agent_response`` reads the agent run's events and the events tools
emit through the context (progress, widgets) as one stream, with ``_merge_generators``: for
*every* event it starts a task for the next ``__anext__()`` and waits with ``asyncio.wait``.
At ~300 events per answer that was the largest single cost of a turn's event loop (~12 ms of
~28 ms with an instant model, measured by ``bench/profile_turn.py``), and the new task per event
also re-registers the Agents SDK's stream consumer each time.

``merge_generators`` keeps the SDK's contract — events in the order they become ready; the
merge ends when either source ends, after handing over what the other source had already
produced (the SDK drains the rest of its context queue itself afterwards); an error from a
source is raised to the reader in its place — with one long-lived task per source feeding a
bounded buffer. ``install()`` puts it in the SDK's place (``conversations.apps`` calls it);
``conversations/tests/test_merge.py`` holds the contract and checks the SDK still has the
function this replaces, so an upgrade that renames it fails the suite instead of going slow.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import chatkit.agents

T1 = TypeVar("T1")
T2 = TypeVar("T2")

# Events a source may read ahead of the reader. Small: the model's own pace
# (conversations.engine.pacing) is what bounds a run's memory; this only saves task switches.
READ_AHEAD = 32

_END = object()


class _Merge:
    def __init__(self) -> None:
        self.ready: deque[tuple[int, Any, BaseException | None]] = deque()
        self.wake = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()

    async def pump(self, source: int, iterator: AsyncIterator[Any]) -> None:
        try:
            while True:
                item = await iterator.__anext__()
                self.ready.append((source, item, None))
                self.wake.set()
                while len(self.ready) >= READ_AHEAD:
                    self.room.clear()
                    await self.room.wait()
        except StopAsyncIteration:
            self.ready.append((source, _END, None))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to the reader, raised where it happened
            self.ready.append((source, None, exc))
        self.wake.set()


async def merge_generators(a: AsyncIterator[T1], b: AsyncIterator[T2]) -> AsyncIterator[T1 | T2]:
    merge = _Merge()
    pumps = [asyncio.ensure_future(merge.pump(0, a)), asyncio.ensure_future(merge.pump(1, b))]
    try:
        while True:
            while not merge.ready:
                merge.wake.clear()
                await merge.wake.wait()
            source, item, error = merge.ready.popleft()
            if len(merge.ready) < READ_AHEAD:
                merge.room.set()
            if error is not None:
                raise error
            if item is _END:
                # The other source stops reading now; what it has already read is handed over.
                pumps[1 - source].cancel()
                for _, left, left_error in list(merge.ready):
                    if left_error is None and left is not _END:
                        yield left
                return
            yield item
    finally:
        for pump in pumps:
            pump.cancel()


def install() -> None:
    chatkit.agents._merge_generators = merge_generators  # type: ignore[attr-defined]
