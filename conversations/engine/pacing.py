"""Backpressure between a model's stream and the client reading the answer.

The Agents SDK queues every event the model streams, without bound, for the consumer to read
(here: ChatKit, then the HTTP response). A model that answers faster than the client reads — a
local or cached model, a burst from a fast provider — would have its whole answer queued per
open stream: with hundreds of streams, hundreds of megabytes. ``StreamPace`` keeps the model at
most ``window`` events ahead of what the consumer has read: the model's stream waits while the
consumer catches up, and resumes once it has read half of the backlog.

Only public interfaces are used: the model is wrapped (``PacedModel``), and the run's
``stream_events()`` is counted as ChatKit reads it (``PacedRun``); every event the model yields
reaches that stream as one ``raw_response_event``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from agents import RunResultStreaming
from agents.models.interface import Model

# A generous bound on a stall: if the consumer has stopped reading for a reason that does not
# also stop the run (it always should: cancelling the stream cancels the run), the model goes on.
STALL_SECONDS = 5.0


class StreamPace:
    def __init__(self, window: int = 16) -> None:
        self.window = window
        self.produced = 0
        self.consumed = 0
        self.closed = False
        self._room = asyncio.Event()
        self._room.set()

    @property
    def backlog(self) -> int:
        return self.produced - self.consumed

    async def after_produced(self) -> None:
        self.produced += 1
        if self.backlog < self.window or self.closed:
            return
        self._room.clear()
        try:
            await asyncio.wait_for(self._room.wait(), STALL_SECONDS)
        except TimeoutError:
            self.close()

    def after_consumed(self) -> None:
        self.consumed += 1
        if self.backlog <= self.window // 2:
            self._room.set()

    def close(self) -> None:
        """The consumer is gone: never make the model wait again."""
        self.closed = True
        self._room.set()


class PacedModel(Model):
    """A model whose stream waits while the run's consumer is ``pace.window`` events behind."""

    def __init__(self, model: Model, pace: StreamPace) -> None:
        self.model = model
        self.pace = pace

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        return await self.model.get_response(*args, **kwargs)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async for event in self.model.stream_response(*args, **kwargs):
            yield event
            await self.pace.after_produced()

    def get_retry_advice(self, request: Any) -> Any:
        return self.model.get_retry_advice(request)

    async def _cleanup_on_run_end(self, owner: object) -> None:
        await self.model._cleanup_on_run_end(owner)

    async def close(self) -> None:
        await self.model.close()

    def __getattr__(self, name: str) -> Any:
        # Anything else a model offers (a name, a client) is the wrapped model's.
        return getattr(self.model, name)


class PacedRun:
    """The run result as ChatKit reads it: ``stream_events()``, counted for the pace."""

    def __init__(self, result: RunResultStreaming, pace: StreamPace) -> None:
        self.result = result
        self.pace = pace

    async def stream_events(self) -> AsyncIterator[Any]:
        try:
            async for event in self.result.stream_events():
                if event.type == "raw_response_event":
                    self.pace.after_consumed()
                yield event
        finally:
            self.pace.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)
