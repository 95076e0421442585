"""A client that disconnects mid-stream cancels the run, and the partial answer is kept.

These tests drive Django's real ASGI handler (the one daphne calls) with an
``http.disconnect`` message, so they exercise the actual disconnect handling.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from agents.testing import ModelStep
from asgiref.sync import sync_to_async
from django.db import connections

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from conversations.engine.offline_model import _message, _stream_events
from conversations.models import ThreadItem
from conversations.tests.helpers import user_input

WORDS = 200


def slow_answer(call) -> object:
    text = " ".join(f"word{n}" for n in range(WORDS))

    async def events():
        for event in _stream_events([_message(text)]):
            await asyncio.sleep(0.005)  # slow enough that a disconnect lands mid-stream
            yield event

    return events()


async def drive(body: bytes, token: str, stop_after_deltas: int | None) -> list[dict]:
    from chatkit_site.asgi import build_application

    app = build_application()  # the stack daphne serves
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/chatkit",
        "raw_path": b"/api/chatkit",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"host", b"testserver"),
        ],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }
    disconnected = asyncio.Event()
    body_sent = False
    events: list[dict] = []
    buffer = b""

    async def receive() -> dict:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal buffer
        if message["type"] != "http.response.body":
            return
        buffer += message.get("body", b"")
        while b"\n\n" in buffer:
            frame, buffer = buffer.split(b"\n\n", 1)
            events.append(json.loads(frame.removeprefix(b"data: ")))
        deltas = sum(
            1
            for e in events
            if e["type"] == "thread.item.updated"
            and e["update"]["type"] == "assistant_message.content_part.text_delta"
        )
        if stop_after_deltas is not None and deltas >= stop_after_deltas:
            disconnected.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    return events


@pytest.mark.django_db(transaction=True)
async def test_a_disconnect_mid_stream_keeps_the_partial_answer(scripted):
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token
    scripted.enqueue(ModelStep.stream(slow_answer))
    body = json.dumps({"type": "threads.create", "params": {"input": user_input("tell me a long story")}})

    events = await drive(body.encode(), token, stop_after_deltas=10)

    thread_id = events[0]["thread"]["id"]
    items = await sync_to_async(list)(
        ThreadItem.objects.filter(thread_id=thread_id)
        .order_by("created_at", "sequence")
        .values_list("item_type", "payload")
    )
    kinds = [kind for kind, _ in items]
    assert kinds == ["user_message", "assistant_message", "sdk_hidden_context"]
    partial = items[1][1]["content"][0]["text"]
    assert partial.startswith("word0 word1")
    assert f"word{WORDS - 1}" not in partial  # the stream really stopped early
    assert not any(
        e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events
    )
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_a_full_stream_arrives_in_many_chunks(scripted):
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token
    scripted.enqueue(ModelStep.stream(slow_answer))
    body = json.dumps({"type": "threads.create", "params": {"input": user_input("story")}})

    events = await drive(body.encode(), token, stop_after_deltas=None)

    done = [e for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"]
    assert done[0]["item"]["content"][0]["text"].endswith(f"word{WORDS - 1}")
    deltas = [e for e in events if e["type"] == "thread.item.updated"]
    assert len(deltas) >= WORDS
    await sync_to_async(connections.close_all)()
