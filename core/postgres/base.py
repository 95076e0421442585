"""Django's PostgreSQL backend, failing fast when the server is down.

With the connection pool, a process that cannot reach the database would wait the whole pool
timeout (``DATABASE_POOL_TIMEOUT``) for a connection that never comes before answering 503.
When the pool has no connection ready, one direct attempt (at most once a second per process,
``connect_timeout`` a few seconds) tells a database that is down — 503 at once, for everyone,
until the next attempt — from a pool that is merely busy — wait for a connection.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db.backends.postgresql import base

PROBE_TIMEOUT_SECONDS = 3
PROBE_INTERVAL_SECONDS = 1.0

_probe_lock = threading.Lock()
_last_probe = {"at": 0.0, "error": None}


class DatabaseWrapper(base.DatabaseWrapper):
    def _probe(self, conn_params: dict[str, Any]) -> None:
        with _probe_lock:
            if time.monotonic() - _last_probe["at"] >= PROBE_INTERVAL_SECONDS:
                _last_probe["at"] = time.monotonic()
                try:
                    self.Database.connect(**{**conn_params, "connect_timeout": PROBE_TIMEOUT_SECONDS}).close()
                    _last_probe["error"] = None
                except self.Database.OperationalError as exc:
                    _last_probe["error"] = exc
            if _last_probe["error"] is not None:
                raise _last_probe["error"]

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self.pool
        if pool is not None:
            pool.open()
            stats = pool.get_stats()
            # No connection ready, and the pool not full (a full pool is evidently connected):
            # is the server there at all? (The probe stays within the pool's size.)
            if stats.get("pool_available", 0) == 0 and stats.get("pool_size", 0) < stats.get("pool_max", 0):
                self._probe(conn_params)
        return super().get_new_connection(conn_params)
