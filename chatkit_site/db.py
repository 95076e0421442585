"""Database calls from async code, holding a connection only for the length of the call.

Django's async ORM runs each query in the request's thread and keeps that thread's connection
until the request ends — for a ChatKit stream, the whole time the model takes to answer. With
the connection pool (``DATABASE_POOL_SIZE``), ``db_call`` gives the connection back as soon as
the call returns, so hundreds of open streams share a few connections.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection

T = TypeVar("T")


def release_connection() -> None:
    """Give this thread's connection back to the pool, unless a transaction still needs it."""
    if connection.connection is not None and not connection.in_atomic_block and connection.pool is not None:
        connection.close()


def _released(function: Callable[..., T]) -> Callable[..., T]:
    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        finally:
            release_connection()

    return run


async def db_call(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking ORM code off the event loop, then release the connection."""
    return await sync_to_async(_released(function))(*args, **kwargs)
