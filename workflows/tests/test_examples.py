"""The shipped examples run end to end through /api/chatkit, offline (no key), each written in
this project's graph dialect and in the replaced system's (saved through the versions API)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conversations.models import Thread
from conversations.tests.helpers import create_thread, events_of, post, types_of
from vectorstores.models import Document
from workflows.dialect import to_peer
from workflows.models import ThreadWorkflow, Workflow, WorkflowRun
from workflows.tests.helpers import say

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["chatkit", "peer"])
def load_example(request, admin_client_api):
    def load(slug: str) -> None:
        call_command("load_workflow_examples", "--chatkit", slug, stdout=StringIO())
        if request.param == "peer":
            # The running version, written again as the replaced system's builder sends it.
            workflow = Workflow.objects.get(slug=slug)
            graph = to_peer(workflow.active_version.graph)
            assert all("agent_key" in node for node in graph["nodes"])
            response = admin_client_api.post(
                f"/api/workflows/{workflow.pk}/versions",
                {"graph": graph, "mark_as_active": True},
                format="json",
            )
            assert response.status_code == 201, response.content
            workflow.refresh_from_db()
            assert workflow.active_version.version == 2

    return load


def texts(events: list[dict]) -> str:
    return " ".join(
        part["text"]
        for event in events
        if event["type"] == "thread.item.done" and event["item"]["type"] == "assistant_message"
        for part in event["item"]["content"]
    )


def test_the_intake_example_asks_until_complete_then_stores_and_closes(alice, alice_chat, load_example):
    load_example("intake")

    thread_id, first = create_thread(alice_chat, "Hi, I need help")
    second = say(alice_chat, thread_id, "Ada Lovelace")
    third = say(alice_chat, thread_id, "ada@example.com")

    assert "what is your name" in texts(first)
    assert "Thank you, Ada Lovelace" in texts(second)
    assert "email address" in texts(second)
    widgets = [e for e in third if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"]
    assert widgets
    assert "ada@example.com" in str(widgets[0]["item"]["widget"])
    assert "We will write to ada@example.com" in texts(third)
    stored = Document.objects.get(store__slug="intake-records", doc_id=f"intake-user-{alice.pk}")
    assert stored.document == {"name": "Ada Lovelace", "email": "ada@example.com", "account": alice.email}
    assert stored.owner == alice
    assert stored.metadata == {"source": "intake"}
    assert Thread.objects.get(id=thread_id).status["type"] == "closed"
    assert ThreadWorkflow.objects.get(thread_id=thread_id).state["complete"] is True
    runs = list(WorkflowRun.objects.filter(thread_id=thread_id).order_by("started_at"))
    assert [run.status for run in runs] == ["completed"] * 3
    assert runs[1].state_before["asking"] == "name"
    assert runs[1].state_after["name"] == "Ada Lovelace"
    assert [step["node"] for step in runs[0].steps] == [
        "start",
        "collect",
        "need_name",
        "ask_name",
        "end_ask_name",
    ]

    refused = say(alice_chat, thread_id, "one more thing")

    assert types_of(refused) == ["error"]
    assert "closed" in refused[0]["message"]
    assert WorkflowRun.objects.filter(thread_id=thread_id).count() == 3


def test_the_router_example_routes_offline_and_grades_a_quiz_answer(alice_chat, load_example):
    load_example("router")

    thread_id, answered = create_thread(alice_chat, "Where are threads stored?")
    quiz = say(alice_chat, thread_id, "Give me a quiz")

    assert texts(answered)  # the specialist answered (offline: it quotes the question)
    assert '"route"' not in texts(answered)  # the hidden triage agent's JSON never reaches the chat
    card = next(e["item"] for e in quiz if e["type"] == "thread.item.done" and e["item"]["type"] == "widget")
    assert "PostgreSQL" in str(card["widget"])

    graded = events_of(
        post(
            alice_chat,
            {
                "type": "threads.custom_action",
                "params": {
                    "thread_id": thread_id,
                    "item_id": card["id"],
                    "action": {"type": "quiz.answer", "payload": {"answer": "PostgreSQL"}},
                },
            },
        )
    )

    assert "PostgreSQL" in texts(graded)
    last = WorkflowRun.objects.filter(thread_id=thread_id).order_by("-started_at").first()
    assert last.trigger == "action"
    assert [step["node"] for step in last.steps] == ["grade", "end_grade"]
