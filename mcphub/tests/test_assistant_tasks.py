"""The default assistant manages the user's tasks through the project's own /mcp endpoint."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from conversations.models import ThreadItem
from conversations.tests.helpers import chat_client, create_thread, events_of, post
from tasks.models import Task

pytestmark = pytest.mark.django_db


def widgets_in(events):
    return [
        event["item"]["widget"]
        for event in events
        if event["type"] == "thread.item.done" and event["item"]["type"] == "widget"
    ]


def texts_of(widget) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("Text", "Title", "Caption"):
                found.append(node.get("value"))
            for child in node.get("children", []):
                walk(child)

    walk(widget)
    return found


def test_offline_add_a_task_creates_it_and_shows_the_tasks_card():
    user = UserFactory()
    thread_id, events = create_thread(chat_client(user), "add a task buy bread")

    task = Task.objects.get(owner=user)
    assert task.title == "buy bread"
    cards = widgets_in(events)
    assert len(cards) == 1
    assert "buy bread" in texts_of(cards[0])
    saved = list(ThreadItem.objects.filter(thread_id=thread_id).values_list("item_type", flat=True))
    assert "widget" in saved


def test_the_tool_call_is_a_collapsed_workflow_item_saved_with_the_thread():
    user = UserFactory()
    thread_id, events = create_thread(chat_client(user), "add a task buy bread")

    done = [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "workflow"]
    assert len(done) == 1
    workflow = done[0]["workflow"]
    assert workflow["expanded"] is False
    assert [(t["title"], t["status_indicator"]) for t in workflow["tasks"]] == [
        ("Added the task “buy bread”", "complete")
    ]
    row = ThreadItem.objects.get(thread_id=thread_id, item_type="workflow")
    assert row.payload["workflow"]["tasks"][0]["title"] == "Added the task “buy bread”"


def test_show_my_tasks_lists_only_the_users_own_tasks():
    user, other = UserFactory(), UserFactory()
    Task.objects.create(owner=user, title="water the plants")
    Task.objects.create(owner=other, title="someone else's secret")
    _, events = create_thread(chat_client(user), "show my tasks")

    texts = texts_of(widgets_in(events)[0])
    assert "water the plants" in texts
    assert "someone else's secret" not in texts


def test_the_cards_done_button_completes_the_task_and_redraws_the_card():
    user = UserFactory()
    client = chat_client(user)
    task = Task.objects.create(owner=user, title="call mum")
    thread_id, events = create_thread(client, "show my tasks")
    card_item = next(
        e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"
    )

    action = {"type": "tasks.complete", "payload": {"id": task.pk}}
    events = events_of(
        post(
            client,
            {
                "type": "threads.custom_action",
                "params": {"thread_id": thread_id, "item_id": card_item["id"], "action": action},
            },
        )
    )

    task.refresh_from_db()
    assert task.completed
    replaced = next(e for e in events if e["type"] == "thread.item.replaced")
    assert replaced["item"]["id"] == card_item["id"]
    assert "0 open" in texts_of(replaced["item"]["widget"])


def test_a_card_action_on_another_users_task_changes_nothing():
    user, other = UserFactory(), UserFactory()
    client = chat_client(user)
    foreign = Task.objects.create(owner=other, title="not yours")
    thread_id, events = create_thread(client, "show my tasks")
    card_item = next(
        e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"
    )

    action = {"type": "tasks.delete", "payload": {"id": foreign.pk}}
    events = events_of(
        post(
            client,
            {
                "type": "threads.custom_action",
                "params": {"thread_id": thread_id, "item_id": card_item["id"], "action": action},
            },
        )
    )

    assert Task.objects.filter(pk=foreign.pk).exists()
    assert any(e["type"] == "error" for e in events)


def test_the_task_tools_can_be_switched_off(settings):
    settings.CHATKIT_TASK_TOOLS = False
    user = UserFactory()
    _, events = create_thread(chat_client(user), "add a task buy bread")
    assert not Task.objects.filter(owner=user).exists()
    assert widgets_in(events) == []
