"""What the ChatKit SDK expects of the store and server, end to end through POST /api/chatkit."""

from __future__ import annotations

import pytest
from agents.testing import ModelStep, assistant_message, function_call
from openai.types.responses import ResponseReasoningItem
from openai.types.responses.response_reasoning_item import Summary

from conversations.models import ThreadItem
from conversations.tests.helpers import create_thread, events_of, post, types_of

pytestmark = pytest.mark.django_db


def reasoning(text: str) -> ResponseReasoningItem:
    return ResponseReasoningItem(
        id="rs_1", type="reasoning", summary=[Summary(text=text, type="summary_text")]
    )


def test_a_reasoning_workflow_survives_a_client_tool_round_trip(alice_client, scripted):
    # Turn 1: the model thinks, then asks the browser for the weather (a client tool).
    scripted.enqueue(
        ModelStep(
            output=[
                reasoning("The user wants the weather."),
                function_call("get_weather", {"city": "Lyon"}, call_id="c1"),
            ]
        )
    )
    thread_id, first = create_thread(alice_client, "weather in Lyon?")
    assert "client_tool_call" in [e["item"]["type"] for e in first if e["type"] == "thread.item.done"]
    kinds = list(
        ThreadItem.objects.filter(thread_id=thread_id)
        .order_by("sequence")
        .values_list("item_type", flat=True)
    )
    assert kinds[-2:] == ["workflow", "client_tool_call"]  # the workflow is stored unfinished

    # Turn 2: the browser answers; the SDK resumes the workflow from the store and ends it.
    scripted.enqueue([assistant_message("It is 7 °C in Lyon.")])
    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_client_tool_output",
                "params": {"thread_id": thread_id, "result": {"temperature": 7}},
            },
        )
    )

    assert "error" not in types_of(events), events
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert done[0]["type"] == "workflow"
    assert done[0]["workflow"]["summary"]["duration"] >= 0  # datetime.now() - stored created_at
    assert done[-1]["content"][0]["text"] == "It is 7 °C in Lyon."
    workflow = ThreadItem.objects.get(thread_id=thread_id, item_type="workflow")
    assert workflow.payload["workflow"]["summary"] is not None  # finished in place, same id
    assert ThreadItem.objects.filter(thread_id=thread_id, item_type="workflow").count() == 1


def test_allowed_image_domains_survive_get_by_id_and_list(alice_client, alice, scripted):
    from asgiref.sync import async_to_sync

    from conversations.engine.context import RequestContext
    from conversations.engine.store import DjangoStore

    scripted.enqueue([assistant_message("hi")])
    thread_id, _ = create_thread(alice_client)
    store, context = DjangoStore(), RequestContext(user=alice, base_url="http://testserver/")
    thread = async_to_sync(store.load_thread)(thread_id, context)
    thread.allowed_image_domains = ["images.example.com"]
    async_to_sync(store.save_thread)(thread, context)

    by_id = post(alice_client, {"type": "threads.get_by_id", "params": {"thread_id": thread_id}}).json()
    listed = post(alice_client, {"type": "threads.list", "params": {}}).json()["data"][0]

    assert by_id["allowed_image_domains"] == ["images.example.com"]
    assert listed["allowed_image_domains"] == ["images.example.com"]
