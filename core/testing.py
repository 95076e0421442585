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
