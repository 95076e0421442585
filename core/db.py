"""Database calls from async code, holding a connection only for the length of the call.

Django's async ORM runs each query in the request's own thread and keeps that thread's
connection until the request ends — for a ChatKit stream, the whole time the model takes to
answer, and one thread per open stream. ``db_call`` runs the call on a small shared pool of
threads (``DATABASE_POOL_SIZE`` of them, so a thread always finds a connection) and gives the
connection back to the pool as soon as the call returns: hundreds of open streams share a few
threads and a few connections.

Calls are independent: each runs in autocommit (or its own ``transaction.atomic``), so which
thread runs it does not matter. The test settings run them in the request's thread instead
(``DATABASE_CALLS_IN_REQUEST_THREAD``), where a test's transaction is visible.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial, wraps
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.db import connection

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def _shared_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=max(settings.DATABASE_POOL_SIZE, 4), thread_name_prefix="db"
        )
    return _executor


def _forget_threads_after_fork() -> None:
    # A forked child (a test's server process, a pre-forking server) inherits executors whose
    # threads stayed in the parent: work given to them would wait forever.
    global _executor
    _executor = None
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


os.register_at_fork(after_in_child=_forget_threads_after_fork)


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
    call = partial(_released(function), *args, **kwargs)
    if settings.DATABASE_CALLS_IN_REQUEST_THREAD:
        return await sync_to_async(call)()
    return await sync_to_async(call, thread_sensitive=False, executor=_shared_executor())()
