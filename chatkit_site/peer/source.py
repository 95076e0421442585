"""The replaced system's database, read only.

Its tables (backend/app/models.py of the replaced system): ``users``, ``available_models``,
``voice_settings``, ``json_vector_stores`` / ``json_documents`` (widgets are the documents of the
store ``chatkit-widgets``), ``workflows`` / ``workflow_definitions`` / ``workflow_steps`` /
``workflow_transitions``, ``chat_threads`` / ``chat_thread_items``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

TABLES = (
    "users",
    "available_models",
    "voice_settings",
    "json_vector_stores",
    "json_documents",
    "workflows",
    "workflow_definitions",
    "workflow_steps",
    "workflow_transitions",
    "chat_threads",
    "chat_thread_items",
)


class SourceError(Exception):
    """The source cannot be read (unreachable, or not the replaced system's schema)."""


class Source:
    def __init__(self, connection: psycopg.Connection[dict[str, Any]]) -> None:
        self._connection = connection
        self.tables = self._tables()

    def _tables(self) -> set[str]:
        rows = self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {row["table_name"] for row in rows}

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params)  # type: ignore[arg-type]  # our own constant SQL
            return list(cursor.fetchall())

    def stream(self, sql: str, params: tuple[Any, ...] = (), size: int = 500) -> Iterator[dict[str, Any]]:
        """Rows one batch at a time (a server-side cursor): big tables never sit in memory."""
        with self._connection.cursor(name="peer_stream") as cursor:
            cursor.itersize = size
            cursor.execute(sql, params)  # type: ignore[arg-type]
            yield from cursor

    def count(self, table: str, where: str = "", params: tuple[Any, ...] = ()) -> int:
        if not self.has(table):
            return 0
        return int(self.rows(f"SELECT count(*) AS n FROM {table} {where}", params)[0]["n"])


@contextmanager
def source_open(url: str) -> Iterator[Source]:
    """The source in one read-only transaction: a consistent snapshot, and nothing written."""
    try:
        connection = psycopg.connect(
            url, row_factory=dict_row, options="-c default_transaction_read_only=on", connect_timeout=10
        )
    except psycopg.Error as exc:
        raise SourceError(f"cannot connect to the source database: {exc}") from None
    try:
        connection.read_only = True
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.transaction():
            source = Source(connection)
            if not source.has("users") or not source.has("workflows"):
                raise SourceError(
                    "the source database has no users/workflows tables: not the replaced system's"
                )
            yield source
    finally:
        connection.close()
