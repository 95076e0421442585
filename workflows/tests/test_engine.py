"""Execution through /api/chatkit with a scripted model: failures, pinning, hidden agents."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message

from conversations.tests.helpers import create_thread, types_of
from workflows import services
from workflows.models import Workflow, WorkflowRun
from workflows.tests.helpers import linear_graph, say

pytestmark = pytest.mark.django_db


def _run_chat_with(graph: dict) -> Workflow:
    version = services.workflow_create(slug="test", display_name="Test", graph=graph)
    return services.workflow_set_chatkit(workflow=version.workflow)


def test_a_hidden_agent_feeds_the_next_step_without_reaching_the_thread(alice_chat, scripted):
    graph = {
        "nodes": [
            {"slug": "start", "kind": "start"},
            {"slug": "hidden", "kind": "agent", "parameters": {"show_in_chat": False, "tools": []}},
            {"slug": "say", "kind": "end", "parameters": {"message": "Heard: {{ input.output_text }}"}},
        ],
        "edges": [{"source": "start", "target": "hidden"}, {"source": "hidden", "target": "say"}],
    }
    _run_chat_with(graph)
    scripted.enqueue([assistant_message("secret draft")])

    _thread_id, events = create_thread(alice_chat, "hello")

    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert [item["content"][0]["text"] for item in done] == ["Heard: secret draft"]


def test_a_failing_step_gives_one_error_event_a_failed_run_and_a_usable_thread(alice_chat, scripted):
    _run_chat_with(linear_graph({"slug": "boom", "kind": "state", "parameters": {
        "assignments": [{"target": "state.x", "expression": "1 / 0"}]}}))  # fmt: skip

    thread_id, events = create_thread(alice_chat, "hello")

    assert types_of(events).count("error") == 1
    run = WorkflowRun.objects.get(thread_id=thread_id)
    assert run.status == "failed"
    assert "ZeroDivisionError" in run.steps[-1]["error"]
    workflow = Workflow.objects.get(slug="test")
    fixed = services.version_create(workflow=workflow, graph=linear_graph(), activate=True)
    Workflow.objects.filter(pk=workflow.pk).update(apply_to_running_threads=True)
    assert fixed.was_activated
    assert "error" not in types_of(say(alice_chat, thread_id, "again"))


def test_a_thread_keeps_its_version_unless_told_otherwise(alice_chat, scripted):
    graph = linear_graph()
    graph["nodes"][-1]["parameters"] = {"message": "one"}
    workflow = _run_chat_with(graph)
    thread_id, _ = create_thread(alice_chat, "hello")
    graph["nodes"][-1]["parameters"] = {"message": "two"}
    services.version_create(workflow=workflow, graph=graph, activate=True)

    pinned = say(alice_chat, thread_id, "again")
    _, fresh = create_thread(alice_chat, "new thread")

    assert "one" in str(pinned)
    assert "two" in str(fresh)
    workflow.refresh_from_db()
    workflow.apply_to_running_threads = True
    workflow.save()
    assert "two" in str(say(alice_chat, thread_id, "and now"))
