"""The number of SQL queries of a turn does not grow with the thread's length."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.tests.helpers import create_thread, events_of, post, user_input
from workflows.models import Workflow

pytestmark = pytest.mark.django_db


def turn_queries(client, thread_id: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        events_of(
            post(
                client,
                {
                    "type": "threads.add_user_message",
                    "params": {"thread_id": thread_id, "input": user_input("again")},
                },
            )
        )
    return len(queries)


def _short_and_long(client, scripted) -> tuple[int, int]:
    scripted.extend([[assistant_message("answer")] for _ in range(42)])
    thread_id, _ = create_thread(client, "start")
    short = turn_queries(client, thread_id)
    for _ in range(38):
        events_of(
            post(
                client,
                {
                    "type": "threads.add_user_message",
                    "params": {"thread_id": thread_id, "input": user_input("more")},
                },
            )
        )
    return short, turn_queries(client, thread_id)


def test_a_turn_costs_the_same_queries_on_a_short_and_a_long_thread(alice_client, scripted):
    Workflow.objects.update(is_chatkit_default=False)  # the plain assistant, no workflow

    short, long = _short_and_long(alice_client, scripted)

    assert short == long
    print(f"queries per turn: {short}")
    # Pinned: the user (with the token's revocation), the thread (with what workflows read along:
    # no workflow runs it), the user's item, the history, the answer.
    assert short <= 5


def test_a_workflow_turn_costs_at_most_six_queries_whatever_the_thread_length(alice_client, scripted):
    # The default workflow (start → assistant → end): the state is read with the thread and saved
    # with the turn's run log.
    short, long = _short_and_long(alice_client, scripted)

    assert short == long
    print(f"queries per workflow turn: {short}")
    # The same, plus the workflow state and the run log, written in one statement.
    assert short <= 6
