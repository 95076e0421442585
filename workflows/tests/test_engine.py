"""Execution through /api/chatkit with a scripted model: failures, pinning, hidden agents."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message, function_call

from conversations.tests.helpers import create_thread, types_of
from workflows import services
from workflows.models import ThreadWorkflow, Workflow, WorkflowRun
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


def test_an_agent_hands_off_to_a_specialist_node(alice_chat, scripted):
    _run_chat_with(
        {
            "nodes": [
                {"slug": "start", "kind": "start"},
                {
                    "slug": "orchestrator",
                    "kind": "agent",
                    "display_name": "Orchestrator",
                    "parameters": {"tools": [], "handoffs": ["specialist"]},
                },
                {
                    "slug": "specialist",
                    "kind": "agent",
                    "display_name": "Specialist",
                    "parameters": {"tools": [], "handoff_description": "Answers the hard questions."},
                },
                {"slug": "end", "kind": "end"},
                {"slug": "end2", "kind": "end"},
            ],
            "edges": [
                {"source": "start", "target": "orchestrator"},
                {"source": "orchestrator", "target": "end"},
                {"source": "specialist", "target": "end2"},
            ],
        }
    )
    scripted.enqueue([function_call("transfer_to_specialist", {}, call_id="call_1")])
    scripted.enqueue([assistant_message("the specialist's answer")])

    thread_id, events = create_thread(alice_chat, "a hard question")

    assert "the specialist's answer" in str(events)
    step = WorkflowRun.objects.get(thread_id=thread_id).steps[1]
    assert step["node"] == "orchestrator"
    assert step["handed_off_to"] == "Specialist"
    assert "Answers the hard questions." in str(scripted.first_call)


def test_a_structured_output_drives_a_condition(alice_chat, scripted):
    schema = {"type": "object", "properties": {"urgent": {"type": "boolean"}}, "required": ["urgent"]}
    _run_chat_with(
        {
            "nodes": [
                {"slug": "start", "kind": "start"},
                {
                    "slug": "classify",
                    "kind": "agent",
                    "parameters": {"tools": [], "output": {"type": "json_schema", "schema": schema}},
                },
                {
                    "slug": "urgent",
                    "kind": "condition",
                    "parameters": {"path": "input.output_parsed.urgent", "operator": "truthy"},
                },
                {"slug": "fast", "kind": "end", "parameters": {"message": "Escalated."}},
                {"slug": "slow", "kind": "end", "parameters": {"message": "Queued."}},
            ],
            "edges": [
                {"source": "start", "target": "classify"},
                {"source": "classify", "target": "urgent"},
                {"source": "urgent", "target": "fast", "condition": "true"},
                {"source": "urgent", "target": "slow", "condition": "false"},
            ],
        }
    )
    scripted.enqueue([assistant_message('{"urgent": true}')])
    scripted.enqueue([assistant_message('{"urgent": false}')])

    thread_id, first = create_thread(alice_chat, "the server is on fire")
    second = say(alice_chat, thread_id, "a typo on the website")

    assert "Escalated." in str(first)
    assert "Queued." in str(second)
    assert '"urgent"' not in str(first)  # the classifier's JSON is not shown


def test_a_search_step_puts_results_in_state_and_an_agent_searches_its_stores(alice_chat, scripted):
    from vectorstores.services import document_ingest, store_create

    store_create(slug="faq", title="FAQ", read_access="users")
    document_ingest(store_slug="faq", doc_id="refunds", document={"text": "Refunds take five business days."})
    _run_chat_with(
        linear_graph(
            {
                "slug": "find",
                "kind": "json_vector_store",
                "parameters": {
                    "store": "faq",
                    "operation": "search",
                    "query": "input.text",
                    "top_k": 1,
                    "target": "state.hits",
                },
            },
            {
                "slug": "answer",
                "kind": "agent",
                "parameters": {
                    "instructions": "Best passage: {{ state.hits[0].doc_id }}",
                    "tools": [{"type": "knowledge_base", "stores": ["faq"], "top_k": 1}],
                },
            },
        )
    )
    scripted.enqueue([function_call("search_knowledge_base", {"query": "refund delay"}, call_id="call_1")])
    scripted.enqueue([assistant_message("Five business days.")])

    thread_id, _ = create_thread(alice_chat, "how long do refunds take?")

    state = ThreadWorkflow.objects.get(thread_id=thread_id).state
    assert state["hits"][0]["doc_id"] == "refunds"
    assert "Best passage: refunds" in str(scripted.first_call)
    assert "Refunds take five business days." in str(scripted.last_call)


def test_an_agent_can_answer_with_a_library_widget(alice_chat, scripted):
    from widgets.services import widget_create
    from widgets.tests.conftest import GREETING

    widget_create(slug="greeting", title="Greeting", description=None, definition=GREETING)
    _run_chat_with(
        linear_graph(
            {
                "slug": "greet",
                "kind": "agent",
                "parameters": {"tools": [], "output": {"type": "widget", "widget": "greeting"}},
            }
        )
    )
    scripted.enqueue([assistant_message('{"name": "Ada", "message": "Welcome"}')])

    _thread_id, events = create_thread(alice_chat, "hi")

    widgets = [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"]
    assert "Hello Ada" in str(widgets[0]["widget"])


def test_missing_state_keys_are_undefined_so_default_and_is_defined_work(alice_chat, scripted):
    _run_chat_with(linear_graph({"slug": "count", "kind": "state", "parameters": {"assignments": [
        {"target": "state.count", "expression": "(state.count | default(0)) + 1"},
        {"target": "state.seen", "expression": "state.nickname is defined"},
        {"target": "state.deep", "expression": "state.profile.city | default('nowhere')"},
        {"target": "state.missing", "expression": "state.never_set"},
    ]}}))  # fmt: skip

    thread_id, first = create_thread(alice_chat, "hello")
    second = say(alice_chat, thread_id, "again")

    assert "error" not in types_of(first) + types_of(second)
    runs = WorkflowRun.objects.filter(thread_id=thread_id).order_by("started_at")
    assert [run.state_after["count"] for run in runs] == [1, 2]
    last = runs.last().state_after
    assert last["seen"] is False
    assert last["deep"] == "nowhere"
    assert last["missing"] is None
