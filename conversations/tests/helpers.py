from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from django.test import Client

from accounts.tokens import token_pair_for


def chat_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")


def post(client: Client, payload: dict[str, Any] | str | bytes):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post("/api/chatkit", data=body, content_type="application/json")


async def _collect(chunks) -> bytes:
    return b"".join([chunk async for chunk in chunks])


def events_of(response) -> list[dict[str, Any]]:
    assert response["Content-Type"] == "text/event-stream"
    raw = async_to_sync(_collect)(response.streaming_content).decode()
    return [json.loads(line[len("data: ") :]) for line in raw.split("\n\n") if line.startswith("data: ")]


def user_input(text: str, attachments: list[str] | None = None) -> dict[str, Any]:
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": attachments or [],
        "inference_options": {},
    }


def create_thread(client: Client, text: str = "hello") -> tuple[str, list[dict[str, Any]]]:
    events = events_of(post(client, {"type": "threads.create", "params": {"input": user_input(text)}}))
    thread_id = next(e["thread"]["id"] for e in events if e["type"] == "thread.created")
    return thread_id, events


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]
