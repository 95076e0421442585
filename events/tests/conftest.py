from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def connect(path: str = "/ws/events", headers: list[tuple[bytes, bytes]] | None = None):
    from chatkit_site.asgi import application

    communicator = WebsocketCommunicator(application, path, headers=ORIGIN if headers is None else headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def signed_in(token: str) -> WebsocketCommunicator:
    communicator, connected = await connect()
    assert connected
    await communicator.send_json_to({"type": "auth", "token": token})
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "ready", reply
    return communicator


async def make_user(email: str, **extra: Any) -> tuple[Any, str]:
    user = await sync_to_async(UserFactory)(email=email, **extra)
    pair = await sync_to_async(token_pair_for)(user=user)
    return user, pair.access_token


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    # Each test gets its own in-memory layer (groups must not outlive a test).
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
