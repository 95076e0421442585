"""A PostgreSQL database backend that starts the embedded server on first connection.

Used when ``DATABASE_URL`` is unset. Starting lazily (instead of at settings import) keeps
commands that never touch the database, such as ``makemigrations --check`` or ``help``, fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from core.postgres import base

from .server import SUPERUSER, ensure_server, postmaster_pid, revive_server
from .tuning import tuning_from_settings


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL backend pointed at the embedded server's Unix socket."""

    # The postmaster the pooled connections were opened to (see _check_server).
    _pool_postmaster: dict[str, int | None] = {}

    @property
    def _data_dir(self) -> Path:
        return Path(self.settings_dict["EMBEDDED_DATA_DIR"])

    def get_connection_params(self) -> dict[str, Any]:
        # The main database is created once; the test database is created by Django itself
        # through a connection to the "postgres" maintenance database.
        main_name = self.settings_dict.get("EMBEDDED_MAIN_NAME") or self.settings_dict["NAME"]
        server = ensure_server(self._data_dir, main_name, tuning=tuning_from_settings(self.settings_dict))
        self.settings_dict["HOST"] = server.socket_dir
        self.settings_dict["PORT"] = str(server.port)
        self.settings_dict["USER"] = SUPERUSER
        return super().get_connection_params()

    def _check_server(self) -> None:
        """Before a connection is handed out: is the server the pooled connections know alive?

        A server that stopped (crash, kill) is started again; one restarted by someone else has
        a new postmaster. Either way the pool's connections are dead and the pool is replaced,
        instead of failing the next query (a file read per connection checkout).
        """
        current = postmaster_pid(self._data_dir)
        if current is None:
            if revive_server(self._data_dir) is not None:
                self.close_pool()
            current = postmaster_pid(self._data_dir)
        known = self._pool_postmaster.get(self.alias)
        if known is not None and current != known and self.pool is not None:
            self.close_pool()
        self._pool_postmaster[self.alias] = current

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        self._check_server()
        try:
            return super().get_new_connection(conn_params)
        except psycopg.OperationalError:
            # The server may have stopped under us between the check and the connection.
            server = revive_server(self._data_dir)
            if server is None:
                raise
            self.close_pool()
            self.settings_dict["HOST"] = server.socket_dir
            self.settings_dict["PORT"] = str(server.port)
            return super().get_new_connection({**conn_params, "host": server.socket_dir, "port": server.port})
