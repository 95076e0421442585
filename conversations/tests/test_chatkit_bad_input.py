"""POST /api/chatkit with hostile input: NUL characters, deep nesting, out-of-range numbers,
over-long values, unknown ids. Each answers 400 (or a single error event), never a 500, and
writes nothing."""

from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message

from conversations.models import Attachment, Thread, ThreadItem
from conversations.tests.helpers import create_thread, events_of, post, user_input

pytestmark = pytest.mark.django_db


def message(text: str) -> dict:
    return {"type": "threads.create", "params": {"input": user_input(text)}}


def test_a_nul_in_a_message_is_refused_before_a_thread_exists(alice_client, scripted):
    response = post(alice_client, message("hi\u0000there"))

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Thread.objects.exists()
    assert scripted.calls == ()


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "threads.get_by_id", "params": {"thread_id": "thr_\u0000"}},
        {"type": "threads.update", "params": {"thread_id": "thr_1", "title": "a\u0000b"}},
        {"type": "threads.list", "params": {}, "metadata": {"k": "v\u0000"}},
        {"type": "threads.list", "params": {}, "metadata": {"k\u0000": "v"}},
        {"type": "items.list", "params": {"thread_id": "thr_1", "after": "\u0000"}},
        {
            "type": "attachments.create",
            "params": {"name": "a\u0000.png", "size": 1, "mime_type": "image/png"},
        },
    ],
)
def test_a_nul_anywhere_in_the_body_is_a_400(alice_client, payload):
    response = post(alice_client, payload)

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_body_nested_thousands_deep_is_a_400(alice_client):
    deep = "[" * 5000 + "]" * 5000
    body = '{"type": "threads.list", "params": {}, "metadata": {"x": ' + deep + "}}"

    response = post(alice_client, body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid ChatKit request")


def test_a_body_nested_a_little_too_deep_is_a_400(alice_client):
    nested: dict = {}
    for _ in range(80):
        nested = {"x": nested}

    response = post(alice_client, {"type": "threads.list", "params": {}, "metadata": nested})

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("kind", ["threads.list", "items.list"])
def test_a_negative_limit_is_a_400(alice_client, kind, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)
    params = {"limit": -1} if kind == "threads.list" else {"thread_id": thread_id, "limit": -5}

    response = post(alice_client, {"type": kind, "params": params})

    assert response.status_code == 400
    assert "limit" in response.json()["detail"]


@pytest.mark.parametrize("limit", [10**6, 2**63, 10**30])
def test_a_huge_limit_is_cut_to_a_page_of_100(alice_client, scripted, limit):
    for _ in range(3):
        scripted.enqueue([assistant_message("hi")])
        create_thread(alice_client)

    response = post(alice_client, {"type": "threads.list", "params": {"limit": limit}})

    assert response.status_code == 200
    assert len(response.json()["data"]) == 3


def test_paging_past_100_items_still_reaches_every_item(alice_client, alice, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)
    thread = Thread.objects.get(id=thread_id)
    for number in range(150):
        ThreadItem.objects.create(
            thread=thread,
            item_id=f"msg_{number:04d}",
            item_type="hidden_context_item",
            payload={
                "id": f"msg_{number:04d}",
                "thread_id": thread_id,
                "created_at": "2030-01-01T00:00:00",
                "type": "hidden_context_item",
                "content": str(number),
            },
            created_at="2030-01-01T00:00:00Z",
        )

    first = post(alice_client, {"type": "items.list", "params": {"thread_id": thread_id, "limit": 1000}})

    page = first.json()
    assert page["has_more"] is True  # cut to 100, hidden items filtered out of the answer
    after = post(
        alice_client,
        {"type": "items.list", "params": {"thread_id": thread_id, "limit": 1000, "after": page["after"]}},
    )
    assert after.status_code == 200
    assert after.json()["has_more"] is False


def test_a_title_longer_than_its_column_is_a_400(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)

    response = post(
        alice_client, {"type": "threads.update", "params": {"thread_id": thread_id, "title": "t" * 501}}
    )

    assert response.status_code == 400
    assert Thread.objects.get(id=thread_id).title != "t" * 501


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("n" * 256 + ".png", "image/png"),
        ("../../etc/passwd", "text/plain"),
        ("report\r\nSet-Cookie: x=1.txt", "text/plain"),
        ("..", "text/plain"),
        ("ok.png", "image/" + "p" * 300),
        ("ok.png", "not a mime type"),
        ("ok.png", "image/png\r\nX: y"),
        ("   ", "text/plain"),
    ],
)
def test_attachment_names_and_types_are_checked_before_anything_is_stored(alice_client, name, mime):
    response = post(
        alice_client, {"type": "attachments.create", "params": {"name": name, "size": 1, "mime_type": mime}}
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid ChatKit request")
    assert not Attachment.objects.exists()


def test_a_name_with_quotes_and_accents_is_fine(alice_client):
    response = post(
        alice_client,
        {
            "type": "attachments.create",
            "params": {"name": 'rapport "final" été.txt', "size": 3, "mime_type": "text/plain"},
        },
    )

    assert response.status_code == 200


def test_retrying_after_an_unknown_item_is_an_error_event(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)

    events = events_of(
        post(
            alice_client,
            {"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": "msg_nope"}},
        )
    )

    assert [event["type"] for event in events] == ["error"]
    assert "msg_nope" in events[0]["message"]


def test_retrying_after_an_assistant_item_is_an_error_event(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)
    answer = ThreadItem.objects.get(thread_id=thread_id, item_type="assistant_message")

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.retry_after_item",
                "params": {"thread_id": thread_id, "item_id": answer.item_id},
            },
        )
    )

    assert [event["type"] for event in events] == ["error"]
    assert "not a user message" in events[0]["message"]


def test_an_unexpected_failure_mid_stream_ends_it_with_one_error_and_rolls_back_the_thread(
    alice_client, scripted, monkeypatch
):
    from conversations.engine import store as store_module

    def explode(thread_id, item, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_write_item", explode)

    events = events_of(post(alice_client, message("hello")))

    assert events[0]["type"] == "thread.created"
    assert [event["type"] for event in events[1:]] == ["error"]
    assert events[-1]["message"] == "The assistant could not answer right now. Please try again."
    assert not Thread.objects.exists()  # the empty thread went with the failed turn


def test_model_output_with_a_nul_is_stored_without_it(alice_client, scripted):
    scripted.enqueue([assistant_message("before\u0000after")])

    thread_id, events = create_thread(alice_client, "echo")

    stored = ThreadItem.objects.get(thread_id=thread_id, item_type="assistant_message")
    assert stored.payload["content"][0]["text"] == "beforeafter"
    assert json.dumps(events)  # the turn completed
    assert "error" not in [event["type"] for event in events]  # the run log was written too
    from workflows.models import WorkflowRun

    assert WorkflowRun.objects.get(thread_id=thread_id).status == "completed"
