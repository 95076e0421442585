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
