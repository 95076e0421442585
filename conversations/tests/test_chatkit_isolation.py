"""A second user naming the first user's ids gets exactly what a missing id gets."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message

from conversations.models import Attachment, Feedback, Thread, ThreadItem
from conversations.tests.helpers import create_thread, events_of, post, user_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_thread(alice_client, scripted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scripted.enqueue([assistant_message("private answer")])
    thread_id, events = create_thread(alice_client, "private question")
    answer_id = next(
        e["item"]["id"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    )
    user_item_id = next(
        e["item"]["id"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "user_message"
    )
    attachment = post(
        alice_client,
        {"type": "attachments.create", "params": {"name": "a.txt", "size": 1, "mime_type": "text/plain"}},
    ).json()
    return {
        "thread": thread_id,
        "answer": answer_id,
        "user_item": user_item_id,
        "attachment": attachment["id"],
    }


NON_STREAMING = {
    "threads.get_by_id": lambda ids: {"thread_id": ids["thread"]},
    "threads.update": lambda ids: {"thread_id": ids["thread"], "title": "pwned"},
    "threads.delete": lambda ids: {"thread_id": ids["thread"]},
    "items.list": lambda ids: {"thread_id": ids["thread"]},
    "items.feedback": lambda ids: {
        "thread_id": ids["thread"],
        "item_ids": [ids["answer"]],
        "kind": "negative",
    },
    "attachments.delete": lambda ids: {"attachment_id": ids["attachment"]},
    "threads.sync_custom_action": lambda ids: {
        "thread_id": ids["thread"],
        "item_id": ids["answer"],
        "action": {"type": "x", "payload": {}},
    },
}

STREAMING = {
    "threads.add_user_message": lambda ids: {"thread_id": ids["thread"], "input": user_input("hi")},
    "threads.add_client_tool_output": lambda ids: {"thread_id": ids["thread"], "result": {}},
    "threads.retry_after_item": lambda ids: {"thread_id": ids["thread"], "item_id": ids["user_item"]},
    "threads.custom_action": lambda ids: {
        "thread_id": ids["thread"],
        "item_id": ids["answer"],
        "action": {"type": "x", "payload": {}},
    },
    "threads.add_structured_input": lambda ids: {
        "thread_id": ids["thread"],
        "item_id": ids["answer"],
        "input": {"answers": {}},
    },
}


def snapshot() -> tuple:
    return (
        list(Thread.objects.values_list("id", "title", "owner_id")),
        list(ThreadItem.objects.values_list("thread_id", "item_id", "payload")),
        list(Attachment.objects.values_list("id", "thread_id")),
        Feedback.objects.count(),
    )


@pytest.mark.parametrize("request_type", sorted(NON_STREAMING))
def test_foreign_ids_get_404_on_non_streaming_requests(request_type, alice_thread, bob_client):
    before = snapshot()

    response = post(bob_client, {"type": request_type, "params": NON_STREAMING[request_type](alice_thread)})

    assert response.status_code == 404
    assert "not found" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("request_type", sorted(NON_STREAMING))
def test_missing_ids_get_the_same_answer_as_foreign_ones(request_type, alice_thread, bob_client):
    missing = {key: f"{value}_missing" for key, value in alice_thread.items()}

    response = post(bob_client, {"type": request_type, "params": NON_STREAMING[request_type](missing)})

    assert response.status_code == 404


@pytest.mark.parametrize("request_type", sorted(STREAMING))
def test_foreign_ids_get_an_error_event_on_streaming_requests(
    request_type, alice_thread, bob_client, scripted
):
    before = snapshot()

    events = events_of(
        post(bob_client, {"type": request_type, "params": STREAMING[request_type](alice_thread)})
    )

    assert [e["type"] for e in events] == ["error"]
    assert "not found" in events[0]["message"]
    assert snapshot() == before
    assert scripted.remaining_steps == 0
    assert len(scripted.calls) == 1


def test_a_foreign_attachment_cannot_be_attached_to_a_message(alice_thread, bob_client, scripted):
    events = events_of(
        post(
            bob_client,
            {
                "type": "threads.create",
                "params": {"input": user_input("steal", [alice_thread["attachment"]])},
            },
        )
    )

    assert [e["type"] for e in events] == ["error"]
    assert events[0]["message"] == f"Attachment {alice_thread['attachment']} not found"
    assert Attachment.objects.get(id=alice_thread["attachment"]).thread_id is None
    assert Thread.objects.count() == 1  # no empty thread was left behind for bob


def test_threads_list_never_shows_foreign_threads(alice_thread, bob_client, scripted):
    scripted.enqueue([assistant_message("bob's answer")])
    bob_thread, _ = create_thread(bob_client, "bob's question")

    listed = post(bob_client, {"type": "threads.list", "params": {"limit": 50}}).json()

    assert [t["id"] for t in listed["data"]] == [bob_thread]


def test_a_foreign_thread_cannot_be_used_as_a_pagination_anchor(alice_thread, bob_client):
    response = post(bob_client, {"type": "threads.list", "params": {"after": alice_thread["thread"]}})

    assert response.status_code == 404
