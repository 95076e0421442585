"""A client that leaves mid-answer: the partial answer is kept and the run is recorded as cancelled."""

from __future__ import annotations

import json

import pytest
from agents.testing import ModelStep
from asgiref.sync import sync_to_async
from django.db import connections

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from conversations.models import ThreadItem
from conversations.tests.helpers import user_input
from conversations.tests.test_chatkit_cancellation import drive, slow_answer
from workflows import services
from workflows.models import Workflow, WorkflowRun
from workflows.tests.helpers import linear_graph


def _assistant_runs_the_chat() -> None:
    workflow = Workflow.objects.filter(slug="assistant").first()
    if workflow is None:
        graph = linear_graph({"slug": "assistant", "kind": "agent"})
        workflow = services.workflow_create(slug="assistant", display_name="Assistant", graph=graph).workflow
    services.workflow_set_chatkit(workflow=workflow)


@pytest.mark.django_db(transaction=True)
async def test_a_disconnect_mid_workflow_keeps_the_partial_answer_and_records_a_cancelled_run(scripted):
    # Transactional tests start from a flushed database: make the assistant's workflow run the chat.
    await sync_to_async(_assistant_runs_the_chat)()
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token
    scripted.enqueue(ModelStep.stream(slow_answer))
    body = json.dumps({"type": "threads.create", "params": {"input": user_input("tell me a long story")}})

    events = await drive(body.encode(), token, stop_after_deltas=10)

    thread_id = events[0]["thread"]["id"]
    run = await sync_to_async(WorkflowRun.objects.get)(thread_id=thread_id)
    assert run.status == "cancelled"
    assert [step["node"] for step in run.steps] == ["start", "assistant"]
    kinds = await sync_to_async(list)(
        ThreadItem.objects.filter(thread_id=thread_id).values_list("item_type", flat=True)
    )
    assert "assistant_message" in kinds
    await sync_to_async(connections.close_all)()
