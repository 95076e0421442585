"""The suite's own guard: a session a failed test left inside a transaction cannot hang the flush."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connections

from core.testing import end_stray_transactions, wait_for_idle_database

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_session_left_inside_a_transaction_is_ended_and_named():
    stray = connections.create_connection("default")
    stray.ensure_connection()
    raw = stray.connection
    raw.autocommit = False
    raw.execute("SELECT count(*) FROM accounts_user")  # holds a lock on the table until it ends

    assert wait_for_idle_database(timeout=0.2) == 1
    ended = end_stray_transactions()

    assert ended == ["idle in transaction: SELECT count(*) FROM accounts_user"]
    assert wait_for_idle_database(timeout=5) == 0
    with pytest.raises(psycopg.OperationalError):  # the server ended that session
        raw.execute("SELECT 1")
    raw.close()


def test_an_idle_database_is_reported_idle_at_once():
    assert wait_for_idle_database(timeout=0) == 0
