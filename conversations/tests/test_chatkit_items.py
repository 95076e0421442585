"""items.* and input.transcribe through POST /api/chatkit."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message

from conversations.models import Feedback
from conversations.tests.helpers import create_thread, events_of, post, user_input

pytestmark = pytest.mark.django_db


def make_thread_with_items(client, scripted, turns: int) -> str:
    scripted.extend([[assistant_message(f"answer {n}")] for n in range(turns)])
    thread_id, _ = create_thread(client, "question 0")
    for n in range(1, turns):
        events_of(
            post(
                client,
                {
                    "type": "threads.add_user_message",
                    "params": {"thread_id": thread_id, "input": user_input(f"question {n}")},
                },
            )
        )
    return thread_id


def texts(page: dict) -> list[str]:
    return [item["content"][0]["text"] for item in page["data"]]


def test_items_list_pages_through_a_thread_in_both_orders(alice_client, scripted):
    thread_id = make_thread_with_items(alice_client, scripted, 3)

    asc = post(
        alice_client, {"type": "items.list", "params": {"thread_id": thread_id, "limit": 4, "order": "asc"}}
    ).json()
    rest = post(
        alice_client,
        {
            "type": "items.list",
            "params": {"thread_id": thread_id, "limit": 4, "order": "asc", "after": asc["after"]},
        },
    ).json()
    desc = post(
        alice_client, {"type": "items.list", "params": {"thread_id": thread_id, "limit": 2, "order": "desc"}}
    ).json()

    assert texts(asc) == ["question 0", "answer 0", "question 1", "answer 1"]
    assert asc["has_more"] is True
    assert asc["after"] == asc["data"][-1]["id"]
    assert texts(rest) == ["question 2", "answer 2"]
    assert rest["has_more"] is False
    assert texts(desc) == ["answer 2", "question 2"]


def test_items_list_with_an_unknown_after_id_is_404(alice_client, scripted):
    thread_id = make_thread_with_items(alice_client, scripted, 1)

    response = post(
        alice_client, {"type": "items.list", "params": {"thread_id": thread_id, "after": "msg_nope"}}
    )

    assert response.status_code == 404


def test_items_feedback_is_stored_once_per_user_and_item(alice_client, alice, scripted):
    scripted.enqueue([assistant_message("yo")])
    thread_id, events = create_thread(alice_client, "hi")
    answer_id = next(
        e["item"]["id"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    )

    first = post(
        alice_client,
        {
            "type": "items.feedback",
            "params": {"thread_id": thread_id, "item_ids": [answer_id], "kind": "negative"},
        },
    )
    second = post(
        alice_client,
        {
            "type": "items.feedback",
            "params": {"thread_id": thread_id, "item_ids": [answer_id], "kind": "positive"},
        },
    )

    assert first.status_code == 200
    assert second.json() == {}
    feedback = Feedback.objects.get()
    assert feedback.kind == "positive"
    assert feedback.user == alice
    assert feedback.item.item_id == answer_id


def test_items_feedback_on_an_unknown_item_is_404(alice_client, scripted):
    scripted.enqueue([assistant_message("yo")])
    thread_id, _ = create_thread(alice_client)

    response = post(
        alice_client,
        {
            "type": "items.feedback",
            "params": {"thread_id": thread_id, "item_ids": ["msg_x"], "kind": "positive"},
        },
    )

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_input_transcribe_is_answered_with_a_clear_not_supported(alice_client):
    response = post(
        alice_client,
        {"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm"}},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "input.transcribe is not supported by this server."}
