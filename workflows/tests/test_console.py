"""The editor's test console runs an unsaved graph and writes nothing."""

from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message
from django.test import Client

from accounts.tokens import token_pair_for
from conversations.models import Thread
from conversations.tests.helpers import events_of
from vectorstores.models import Document
from workflows.models import ThreadWorkflow, Workflow, WorkflowRun
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db

GRAPH = linear_graph(
    {"slug": "remember", "kind": "state", "parameters": {
        "assignments": [{"target": "state.said", "expression": "input.text"}]}},
    {"slug": "file", "kind": "json_vector_store", "parameters": {
        "store": "records", "operation": "upsert", "doc_id": "'one'", "document": "{'said': state.said}"}},
    {"slug": "helper", "kind": "agent", "parameters": {"tools": []}},
)  # fmt: skip


def console(user, workflow_id: int, body: dict) -> object:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    return client.post(
        f"/api/workflows/{workflow_id}/test", data=json.dumps(body), content_type="application/json"
    )


def test_a_message_runs_through_the_draft_and_nothing_is_written(admin_user, scripted):
    from vectorstores.services import store_create

    store_create(slug="records", title="Records")
    workflow = Workflow.objects.get(slug="assistant")
    scripted.enqueue([assistant_message("console answer")])
    before = (Thread.objects.count(), WorkflowRun.objects.count(), ThreadWorkflow.objects.count())

    events = events_of(console(admin_user, workflow.pk, {"graph": GRAPH, "message": "hello console"}))

    assert "console answer" in json.dumps(events)
    run = events[-1]
    assert run["type"] == "workflow.run"
    assert run["run"]["status"] == "completed"
    steps = {step["node"]: step for step in run["run"]["steps"]}
    assert steps["remember"]["state"] == {"said": "hello console"}
    assert '"stored": false' in steps["file"]["output"]
    assert (Thread.objects.count(), WorkflowRun.objects.count(), ThreadWorkflow.objects.count()) == before
    assert not Document.objects.exists()


def test_the_console_refuses_non_admins_bad_graphs_and_unknown_workflows(admin_user, user):
    workflow = Workflow.objects.get(slug="assistant")

    assert console(user, workflow.pk, {"graph": GRAPH, "message": "x"}).status_code == 403
    assert console(admin_user, 999999, {"graph": GRAPH, "message": "x"}).status_code == 404
    bad = console(admin_user, workflow.pk, {"graph": {"nodes": [], "edges": []}, "message": "x"})
    assert bad.status_code == 400
    assert "start" in bad.json()["detail"]
    assert console(admin_user, workflow.pk, {"graph": GRAPH, "message": ""}).status_code == 400
