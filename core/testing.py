"""Helpers for tests that fork a server process (daphne's test server)."""

from __future__ import annotations

from django.db import connections


def close_pools() -> None:
    """Close every connection pool before a fork.

    ``connections.close_all()`` only gives pooled connections back to the pool, whose sockets
    stay open: a forked child would inherit them and both processes would talk on the same
    socket, each reading the other's results.
    """
    connections.close_all()
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()


def forget_inherited_connections() -> None:
    """In a forked child, before it serves: drop the parent's connections without closing them.

    Whatever the parent could not close before the fork (the connection of a test inside a
    transaction, a pooled connection it had checked out) is still the parent's session;
    closing it here would end that session, using it would mix both processes' results.
    The child opens its own.
    """
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()
    for connection in connections.all(initialized_only=True):
        connection.connection = None
        connection.in_atomic_block = False
        connection.atomic_blocks = []
        connection.savepoint_ids = []
        connection.needs_rollback = False
        connection.closed_in_transaction = False


def wait_for_idle_database(*, timeout: float = 15.0) -> int:
    """Wait until no other session of the test database is running a statement or a transaction.

    A browser test ends while its server process may still be answering the page's last
    requests; flushing the database (TRUNCATE of every table) under such a transaction can
    deadlock, and the failed flush then leaves its rows to every later test.
    """
    import time

    from django.db import connection

    deadline = time.monotonic() + timeout
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(query)
            (busy,) = cursor.fetchone()
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.05)


def end_stray_transactions() -> list[str]:
    """End the other sessions of the test database still inside a transaction; say which.

    Only a test that failed half-way leaves one (a worker thread's connection, a server
    process's request): without this the next flush waits for its locks forever and every
    later test fails or hangs with it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid), state || ': ' || left(query, 120) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
            " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
        )
        return [row[1] for row in cursor.fetchall()]
