"""Open streams share a bounded pool of database connections instead of holding one each.

Twelve ChatKit turns run at once on a pool of five connections, with the production way of
reaching the database (``db_call`` on the shared threads). Every stream has written its thread
and user message and is waiting on the model at the same moment — a barrier in the model only
opens when all twelve got there. A stream that kept its connection while waiting would leave
the seventh without one: it would time out on the pool, never reach the barrier, and the test
would fail instead of hanging.
"""

from __future__ import annotations

import asyncio
import json

import psycopg
import pytest
from agents.testing import ModelStep
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import override_settings

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from conversations.engine.offline_model import _message, _stream_events
from conversations.models import ThreadItem
from conversations.tests.helpers import user_input
from conversations.tests.test_chatkit_cancellation import drive

POOL_SIZE = 5
STREAMS = 12


@pytest.fixture
def small_pool(monkeypatch):
    from core import db

    connections.close_all()
    connection.close_pool()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("pool")
    options["pool"] = {"min_size": 1, "max_size": POOL_SIZE, "timeout": 3}
    monkeypatch.setattr(db, "_executor", None)
    with override_settings(DATABASE_POOL_SIZE=POOL_SIZE, DATABASE_CALLS_IN_REQUEST_THREAD=False):
        yield
    connection.close_pool()
    if saved is None:
        options.pop("pool")
    else:
        options["pool"] = saved
    if db._executor is not None:
        db._executor.shutdown(wait=True)


def _server_connections() -> int:
    """Client connections to the test database, not counting this one."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["application_name"] = "pool-probe"
    with psycopg.connect(**params, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name <> 'pool-probe' AND backend_type = 'client backend'"
        ).fetchone()
    return int(row[0])


@pytest.mark.django_db(transaction=True)
async def test_more_streams_than_connections_all_complete_on_the_pool(scripted, small_pool):
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token
    await sync_to_async(connections.close_all)()
    everyone_waits_on_the_model = asyncio.Barrier(STREAMS)
    seen_connections: list[int] = []

    def answer(call) -> object:
        async def events():
            await asyncio.wait_for(everyone_waits_on_the_model.wait(), timeout=30)
            if not seen_connections:
                seen_connections.append(-1)  # one probe, taken while every stream waits
                seen_connections[0] = await asyncio.to_thread(_server_connections)
            for event in _stream_events([_message("pooled answer")]):
                yield event

        return events()

    scripted.extend([ModelStep.stream(answer) for _ in range(STREAMS)])
    bodies = [
        json.dumps({"type": "threads.create", "params": {"input": user_input(f"question {n}")}}).encode()
        for n in range(STREAMS)
    ]

    results = await asyncio.gather(*(drive(body, token, stop_after_deltas=None) for body in bodies))

    thread_ids = {events[0]["thread"]["id"] for events in results}
    assert len(thread_ids) == STREAMS
    for events in results:
        assert not [e for e in events if e["type"] == "error"]
    answers = await sync_to_async(ThreadItem.objects.filter(item_type="assistant_message").count)()
    assert answers == STREAMS
    assert 1 <= seen_connections[0] <= POOL_SIZE
    await sync_to_async(connections.close_all)()
