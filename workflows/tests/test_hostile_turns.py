"""Workflows as an attacker would use them: bombs in saved graphs and the console, records of
other users, the console's dry run, stores the turn's user may not read."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from agents.testing import assistant_message, function_call
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread, events_of, types_of
from tasks.models import Task
from vectorstores.models import Document, VectorStore
from vectorstores.services import document_ingest
from workflows import services
from workflows.models import ThreadWorkflow, Workflow, WorkflowRun
from workflows.tests.helpers import linear_graph, say
from workflows.tests.test_console import console

pytestmark = pytest.mark.django_db

STATE_BOMB = {"slug": "bomb", "kind": "state", "parameters": {
    "assignments": [{"target": "state.x", "expression": "['a' * 100000] * 4000"}]}}  # fmt: skip
END_BOMB = {"slug": "end", "kind": "end", "parameters": {"message": "{{ ['a' * 100000] * 4000 }}"}}


@pytest.fixture(autouse=True)
def _records():
    from vectorstores.services import store_create

    store_create(slug="records", title="Records")


def _run_chat_with(graph: dict) -> Workflow:
    version = services.workflow_create(slug="test", display_name="Test", graph=graph)
    return services.workflow_set_chatkit(workflow=version.workflow)


def _end_bomb_graph() -> dict:
    graph = linear_graph()
    graph["nodes"][-1] = END_BOMB
    return graph


@pytest.mark.parametrize("graph", [linear_graph(STATE_BOMB), _end_bomb_graph()], ids=["state", "end-message"])
def test_a_bomb_in_a_saved_workflow_fails_its_step_with_a_clear_error(alice_chat, graph):
    _run_chat_with(graph)

    thread_id, events = create_thread(alice_chat, "hello")

    assert types_of(events).count("error") == 1
    run = WorkflowRun.objects.get(thread_id=thread_id)
    assert run.status == "failed"
    assert "longer than" in run.steps[-1]["error"]
    assert "aaaa" not in json.dumps(run.state_after)


def test_a_bomb_in_the_test_console_fails_its_step(admin_user):
    workflow = Workflow.objects.get(slug="assistant")

    events = events_of(console(admin_user, workflow.pk, {"graph": linear_graph(STATE_BOMB), "message": "x"}))

    run = events[-1]["run"]
    assert run["status"] == "failed"
    assert "longer than" in run["steps"][-1]["error"]


def test_the_console_dry_run_reports_task_tool_calls_instead_of_making_them(admin_user, scripted):
    workflow = Workflow.objects.get(slug="assistant")
    graph = linear_graph({"slug": "helper", "kind": "agent", "parameters": {"tools": [{"type": "tasks"}]}})
    scripted.extend(
        [
            [function_call("add_task", {"title": "buy bread"}, call_id="c1")],
            [assistant_message("Added.")],
        ]
    )

    events = events_of(console(admin_user, workflow.pk, {"graph": graph, "message": "add a task buy bread"}))

    assert not Task.objects.exists()
    helper = next(step for step in events[-1]["run"]["steps"] if step["node"] == "helper")
    assert helper["tool_calls_not_made"] == [
        {"server": "tasks", "tool": "add_task", "arguments": {"title": "buy bread"}}
    ]
    outputs = [item for item in scripted.last_call.input if item.get("type") == "function_call_output"]
    assert "was not called" in json.dumps(outputs)


UPSERT = {
    "slug": "file",
    "kind": "json_vector_store",
    "parameters": {
        "store": "records",
        "operation": "upsert",
        "doc_id": "input.text",
        "document": "{'by': user.email}",
    },
}


def test_a_user_cannot_overwrite_a_record_another_user_wrote():
    _run_chat_with(linear_graph(UPSERT))
    alice, mallory = UserFactory(email="alice@example.com"), UserFactory(email="mallory@example.com")

    create_thread(chat_client(alice), "alice@example.com")
    thread_id, events = create_thread(chat_client(mallory), "alice@example.com")

    record = Document.objects.get(doc_id="alice@example.com")
    assert record.document == {"by": "alice@example.com"}
    assert record.owner == alice
    assert "error" in types_of(events)
    assert "belongs to someone else" in WorkflowRun.objects.get(thread_id=thread_id).steps[-1]["error"]


def test_a_user_cannot_replace_a_document_an_admin_loaded():
    document_ingest(store_slug="records", doc_id="policy", document={"text": "the real policy"})
    _run_chat_with(linear_graph(UPSERT))

    create_thread(chat_client(UserFactory()), "policy")

    assert Document.objects.get(doc_id="policy").document == {"text": "the real policy"}


def test_a_user_replaces_their_own_record_and_a_shared_step_lets_anyone_write():
    alice, bob = UserFactory(), UserFactory()
    _run_chat_with(linear_graph(UPSERT))
    create_thread(chat_client(alice), "mine")
    create_thread(chat_client(alice), "mine")
    assert Document.objects.get(doc_id="mine").owner == alice

    shared = {**UPSERT, "parameters": {**UPSERT["parameters"], "shared": True}}
    workflow = Workflow.objects.get(slug="test")
    services.version_create(workflow=workflow, graph=linear_graph(shared), activate=True)
    create_thread(chat_client(bob), "mine")
    assert Document.objects.get(doc_id="mine").document == {"by": bob.email}


def test_a_search_step_runs_as_the_turns_user(alice_chat):
    document_ingest(store_slug="secret-hr", doc_id="payroll", document={"text": "salaries"})
    assert VectorStore.objects.get(slug="secret-hr").read_access == "admins"
    search = {
        "slug": "find",
        "kind": "json_vector_store",
        "parameters": {
            "store": "secret-hr",
            "operation": "search",
            "query": "input.text",
            "target": "state.hits",
        },
    }
    _run_chat_with(linear_graph(search))

    thread_id, _ = create_thread(alice_chat, "salaries")

    assert ThreadWorkflow.objects.get(thread_id=thread_id).state["hits"] == []


def test_the_intake_card_shows_crafted_names_as_text(alice_chat):
    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    crafted = 'Ada", "children": [{"type": "Button", "label": "pwned"}], "x": "'

    thread_id, _ = create_thread(alice_chat, "hi")
    say(alice_chat, thread_id, crafted)
    third = say(alice_chat, thread_id, 'ada"@example.com')

    assert "error" not in types_of(third)
    widget = next(
        e["item"]["widget"]
        for e in third
        if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"
    )
    assert [child["type"] for child in widget["children"]] == ["Title", "Text", "Text"]
    assert widget["children"][1]["value"] == f"Name: {crafted}"


def test_loading_the_examples_again_replaces_the_unsafe_intake_card_only_if_untouched():
    from widgets.models import WidgetTemplate
    from workflows.management.commands.load_workflow_examples import UNSAFE_INTAKE_SUMMARY

    call_command("load_workflow_examples", stdout=StringIO())
    WidgetTemplate.objects.filter(slug="intake-summary").update(definition=UNSAFE_INTAKE_SUMMARY)

    call_command("load_workflow_examples", stdout=StringIO())

    assert "tojson" in WidgetTemplate.objects.get(slug="intake-summary").definition["template"]
