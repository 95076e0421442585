"""ChatKit requests announce thread changes to their owner's sockets (and no one else's)."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread, post

pytestmark = pytest.mark.django_db


def listener(user_id: int) -> tuple[object, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{user_id}", channel)
    return layer, channel


def received(layer, channel: str) -> list[dict]:
    queue = layer.channels.get(channel)
    events = []
    while queue is not None and not queue.empty():
        events.append(async_to_sync(layer.receive)(channel)["event"])
    return events


def test_creating_renaming_and_deleting_a_thread_are_announced(scripted):
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    layer, alice_channel = listener(alice.pk)
    _, bob_channel = listener(bob.pk)
    client = chat_client(alice)
    scripted.enqueue([assistant_message("Hi")])

    thread_id, _ = create_thread(client, "hello")
    post(client, {"type": "threads.update", "params": {"thread_id": thread_id, "title": "Renamed"}})
    post(client, {"type": "threads.update", "params": {"thread_id": thread_id, "title": "Renamed"}})
    post(client, {"type": "threads.delete", "params": {"thread_id": thread_id}})

    events = received(layer, alice_channel)
    kinds = [(event["type"], event["thread"]["id"]) for event in events]
    created = [k for k in kinds if k[0] == "thread.created"]
    assert created == [("thread.created", thread_id)]
    renamed = [event for event in events if event["type"] == "thread.renamed"]
    # One rename to "Renamed" (saving the same title again is not a rename); the generated
    # title of the first turn, when there is one, is a rename too.
    assert renamed[-1]["thread"]["title"] == "Renamed"
    assert sum(1 for event in renamed if event["thread"]["title"] == "Renamed") == 1
    assert kinds[-1] == ("thread.deleted", thread_id)
    assert received(layer, bob_channel) == []


def test_a_foreign_thread_id_announces_nothing(scripted):
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    scripted.enqueue([assistant_message("Hi")])
    thread_id, _ = create_thread(chat_client(alice), "hello")
    layer, alice_channel = listener(alice.pk)

    post(chat_client(bob), {"type": "threads.update", "params": {"thread_id": thread_id, "title": "Mine"}})
    post(chat_client(bob), {"type": "threads.delete", "params": {"thread_id": thread_id}})

    assert received(layer, alice_channel) == []
