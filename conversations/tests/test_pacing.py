"""A model's stream stays at most a window ahead of the client that reads the answer."""

from __future__ import annotations

import asyncio

from agents import Agent, Runner
from agents.testing import ModelStep, ScriptedModel

from conversations.engine import pacing
from conversations.engine.offline_model import _message, _stream_events
from conversations.engine.pacing import PacedModel, PacedRun, StreamPace


async def _produce(pace: StreamPace, count: int) -> None:
    for _ in range(count):
        await pace.after_produced()


async def test_the_model_waits_once_it_is_a_window_ahead_of_the_reader():
    pace = StreamPace(window=8)
    producer = asyncio.create_task(_produce(pace, 100))
    await asyncio.sleep(0.05)

    assert pace.produced == 8
    assert not producer.done()

    for _ in range(3):
        pace.after_consumed()
    await asyncio.sleep(0.01)
    assert pace.produced == 8  # a backlog of 5 is still more than half the window

    pace.after_consumed()
    await asyncio.sleep(0.01)
    assert pace.produced == 12  # room again: up to the window ahead of what was read
    producer.cancel()


async def test_a_reader_that_leaves_never_holds_the_model_again():
    pace = StreamPace(window=4)
    producer = asyncio.create_task(_produce(pace, 50))
    await asyncio.sleep(0.02)
    assert pace.produced == 4

    pace.close()

    await asyncio.wait_for(producer, timeout=1)
    assert pace.produced == 50


async def test_a_stalled_reader_releases_the_model_after_a_while(monkeypatch):
    monkeypatch.setattr(pacing, "STALL_SECONDS", 0.05)
    pace = StreamPace(window=4)

    await asyncio.wait_for(_produce(pace, 20), timeout=2)

    assert pace.closed


def _long_answer(call) -> object:
    async def events():
        for event in _stream_events([_message(" ".join(f"w{n}" for n in range(300)))]):
            yield event

    return events()


async def test_a_slow_reader_of_a_real_run_never_has_more_than_a_window_queued():
    scripted = ScriptedModel([ModelStep.stream(_long_answer)])
    pace = StreamPace(window=16)
    result = Runner.run_streamed(Agent(name="a", model=PacedModel(scripted, pace)), "hi")
    largest_backlog = 0
    raw = 0

    async for event in PacedRun(result, pace).stream_events():
        largest_backlog = max(largest_backlog, pace.backlog)
        if event.type == "raw_response_event":
            raw += 1
        await asyncio.sleep(0)  # the reader yields, as a socket write would

    assert raw > 300
    assert largest_backlog <= 16
    assert pace.closed
    assert "w299" in result.final_output
