"""threads.* requests through POST /api/chatkit, with a scripted model."""

from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message, function_call

from conversations.models import Thread, ThreadItem
from conversations.tests.helpers import create_thread, events_of, post, types_of, user_input

pytestmark = pytest.mark.django_db


def item_types(thread_id: str) -> list[str]:
    return list(
        ThreadItem.objects.filter(thread_id=thread_id)
        .order_by("created_at", "sequence")
        .values_list("item_type", flat=True)
    )


def test_threads_create_streams_the_turn_and_persists_it(alice_client, alice, scripted):
    scripted.enqueue([assistant_message("Bonjour Alice!")])

    thread_id, events = create_thread(alice_client, "Say hello to Alice please")

    kinds = types_of(events)
    assert kinds[0] == "thread.created"
    assert kinds[1] == "thread.item.done"
    assert events[1]["item"]["type"] == "user_message"
    assert "stream_options" in kinds
    assert events[kinds.index("stream_options")]["stream_options"] == {"allow_cancel": True}
    assert "thread.item.added" in kinds
    deltas = [
        e["update"]["delta"]
        for e in events
        if e["type"] == "thread.item.updated"
        and e["update"]["type"] == "assistant_message.content_part.text_delta"
    ]
    assert "".join(deltas) == "Bonjour Alice!"
    done = [e for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"]
    assert done[0]["item"]["content"][0]["text"] == "Bonjour Alice!"
    updated = [e for e in events if e["type"] == "thread.updated"]
    assert updated[-1]["thread"]["title"] == "Say hello to Alice please"

    thread = Thread.objects.get(id=thread_id)
    assert thread.owner == alice
    assert thread.title == "Say hello to Alice please"
    assert item_types(thread_id) == ["user_message", "assistant_message"]


def test_the_model_gets_the_system_instructions_and_the_message(alice_client, scripted, settings):
    settings.CHATKIT_AGENT_INSTRUCTIONS = "Talk like a pirate."
    scripted.enqueue([assistant_message("Arr")])

    create_thread(alice_client, "ahoy")

    call = scripted.last_call
    assert call.system_instructions == "Talk like a pirate."
    assert call.input[-1]["role"] == "user"
    assert call.input[-1]["content"][0]["text"] == "ahoy"


def test_threads_add_user_message_continues_with_history(alice_client, scripted):
    scripted.extend([[assistant_message("first answer")], [assistant_message("second answer")]])
    thread_id, _ = create_thread(alice_client, "first question")

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": thread_id, "input": user_input("second question")},
            },
        )
    )

    assert "thread.item.done" in types_of(events)
    texts = [json.dumps(item) for item in scripted.last_call.input]
    assert any("first question" in t for t in texts)
    assert any("first answer" in t for t in texts)
    assert "second question" in texts[-1]
    assert item_types(thread_id) == ["user_message", "assistant_message", "user_message", "assistant_message"]
    # The title is only generated once.
    assert Thread.objects.get(id=thread_id).title == "first question"


def test_history_is_limited_to_the_configured_number_of_items(alice_client, scripted, settings):
    settings.CHATKIT_HISTORY_ITEMS = 2  # the last answer and the new question
    scripted.extend([[assistant_message("a1")], [assistant_message("a2")]])
    thread_id, _ = create_thread(alice_client, "q1")

    events_of(
        post(
            alice_client,
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": thread_id, "input": user_input("q2")},
            },
        )
    )

    texts = json.dumps(scripted.last_call.input)
    assert "q1" not in texts
    assert "a1" in texts
    assert "q2" in texts


def test_repeated_model_message_ids_do_not_overwrite_earlier_answers(alice_client, scripted):
    # Chat-completions servers give every message the id "__fake_id__".
    scripted.extend(
        [[assistant_message("one", item_id="__fake_id__")], [assistant_message("two", item_id="__fake_id__")]]
    )
    thread_id, _ = create_thread(alice_client, "q1")
    events_of(
        post(
            alice_client,
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": thread_id, "input": user_input("q2")},
            },
        )
    )

    answers = [
        row.payload["content"][0]["text"]
        for row in ThreadItem.objects.filter(thread_id=thread_id, item_type="assistant_message").order_by(
            "sequence"
        )
    ]
    assert answers == ["one", "two"]


def test_client_tool_call_round_trip(alice_client, scripted):
    scripted.extend(
        [
            [function_call("get_weather", {"city": "Lyon", "country": "FR"}, call_id="call_1")],
            [assistant_message("It is sunny in Lyon.")],
        ]
    )
    thread_id, events = create_thread(alice_client, "What's the weather in Lyon?")

    tool_items = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "client_tool_call"
    ]
    assert tool_items[0]["name"] == "get_weather"
    assert tool_items[0]["arguments"] == {"city": "Lyon", "country": "FR"}
    assert tool_items[0]["status"] == "pending"

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_client_tool_output",
                "params": {"thread_id": thread_id, "result": {"temperature_celsius": 21}},
            },
        )
    )

    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert done[-1]["content"][0]["text"] == "It is sunny in Lyon."
    outputs = [item for item in scripted.last_call.input if item.get("type") == "function_call_output"]
    assert "21" in json.dumps(outputs)
    stored = ThreadItem.objects.get(thread_id=thread_id, item_type="client_tool_call").payload
    assert stored["status"] == "completed"
    assert stored["output"] == {"temperature_celsius": 21}


def test_add_client_tool_output_without_a_pending_call_is_an_error_event(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)

    events = events_of(
        post(
            alice_client,
            {"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": {}}},
        )
    )

    assert types_of(events) == ["error"]
    assert "ClientToolCallItem" in events[0]["message"]


def test_threads_retry_after_item_replaces_the_answer(alice_client, scripted):
    scripted.extend([[assistant_message("bad answer")], [assistant_message("better answer")]])
    thread_id, events = create_thread(alice_client, "question")
    user_item_id = next(
        e["item"]["id"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "user_message"
    )

    events = events_of(
        post(
            alice_client,
            {"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": user_item_id}},
        )
    )

    assert "thread.item.done" in types_of(events)
    answers = [
        row.payload["content"][0]["text"]
        for row in ThreadItem.objects.filter(thread_id=thread_id, item_type="assistant_message")
    ]
    assert answers == ["better answer"]


def test_threads_add_structured_input_records_the_answers_and_continues(alice_client, alice, scripted):
    scripted.extend([[assistant_message("ask")], [assistant_message("Thanks, noted blue.")]])
    thread_id, _ = create_thread(alice_client)
    question = {
        "id": "si_1",
        "thread_id": thread_id,
        "created_at": "2026-01-01T00:00:00Z",
        "type": "structured_input",
        "status": "pending",
        "inputs": [
            {
                "id": "colour",
                "type": "multiple_choice",
                "question": "Colour?",
                "options": [{"value": "blue"}, {"value": "red"}],
            }
        ],
    }
    ThreadItem.objects.create(
        thread_id=thread_id,
        item_id="si_1",
        item_type="structured_input",
        payload=question,
        created_at="2026-12-01T00:00:00Z",
    )

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_structured_input",
                "params": {
                    "thread_id": thread_id,
                    "item_id": "si_1",
                    "input": {"status": "answered", "answers": {"colour": {"values": ["blue"]}}},
                },
            },
        )
    )

    assert "thread.item.replaced" in types_of(events)
    stored = ThreadItem.objects.get(thread_id=thread_id, item_id="si_1").payload
    assert stored["status"] == "answered"
    assert stored["inputs"][0]["answer"]["values"] == ["blue"]


def test_threads_custom_action_without_a_handler_is_a_clear_error_event(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.custom_action",
                "params": {"thread_id": thread_id, "action": {"type": "nobody.handles.this", "payload": {}}},
            },
        )
    )

    errors = [e for e in events if e["type"] == "error"]
    assert errors[0]["message"] == "No handler for action nobody.handles.this."


def test_threads_sync_custom_action_without_a_handler_is_400(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)

    response = post(
        alice_client,
        {
            "type": "threads.sync_custom_action",
            "params": {"thread_id": thread_id, "action": {"type": "nobody.handles.this", "payload": {}}},
        },
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "No handler for action nobody.handles.this."


def test_threads_get_by_id_returns_the_thread_with_its_items(alice_client, scripted):
    scripted.enqueue([assistant_message("answer")])
    thread_id, _ = create_thread(alice_client, "question")

    response = post(alice_client, {"type": "threads.get_by_id", "params": {"thread_id": thread_id}})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == thread_id
    assert body["title"] == "question"
    assert [item["type"] for item in body["items"]["data"]] == ["user_message", "assistant_message"]


def test_threads_list_returns_own_threads_newest_first_with_pagination(alice_client, scripted):
    scripted.extend([[assistant_message("a")], [assistant_message("b")], [assistant_message("c")]])
    ids = [create_thread(alice_client, text)[0] for text in ("one", "two", "three")]

    first = post(alice_client, {"type": "threads.list", "params": {"limit": 2}}).json()
    second = post(
        alice_client, {"type": "threads.list", "params": {"limit": 2, "after": first["after"]}}
    ).json()

    assert [t["id"] for t in first["data"]] == [ids[2], ids[1]]
    assert first["has_more"] is True
    assert [t["id"] for t in second["data"]] == [ids[0]]
    assert second["has_more"] is False
    assert [t["title"] for t in first["data"]] == ["three", "two"]


def test_threads_update_renames_the_thread(alice_client, scripted):
    scripted.enqueue([assistant_message("a")])
    thread_id, _ = create_thread(alice_client)

    response = post(
        alice_client, {"type": "threads.update", "params": {"thread_id": thread_id, "title": "Renamed"}}
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert Thread.objects.get(id=thread_id).title == "Renamed"


def test_threads_delete_removes_the_thread_and_its_items(alice_client, scripted):
    scripted.enqueue([assistant_message("a")])
    thread_id, _ = create_thread(alice_client)

    response = post(alice_client, {"type": "threads.delete", "params": {"thread_id": thread_id}})

    assert response.status_code == 200
    assert not Thread.objects.filter(id=thread_id).exists()
    assert not ThreadItem.objects.filter(thread_id=thread_id).exists()
