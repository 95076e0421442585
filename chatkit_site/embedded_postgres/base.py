from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from django.db.backends.postgresql import base

from .server import SUPERUSER, ensure_server, revive_server


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL backend pointed at the embedded server's Unix socket."""

    def get_connection_params(self) -> dict[str, Any]:
        data_dir = Path(self.settings_dict["EMBEDDED_DATA_DIR"])
        # The main database is created once; the test database is created by Django itself
        # through a connection to the "postgres" maintenance database.
        main_name = self.settings_dict.get("EMBEDDED_MAIN_NAME") or self.settings_dict["NAME"]
        server = ensure_server(data_dir, main_name)
        self.settings_dict["HOST"] = server.socket_dir
        self.settings_dict["PORT"] = str(server.port)
        self.settings_dict["USER"] = SUPERUSER
        return super().get_connection_params()

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        try:
            return super().get_new_connection(conn_params)
        except psycopg.OperationalError:
            # The server may have stopped under us (crash, kill): start it again and retry once.
            server = revive_server(Path(self.settings_dict["EMBEDDED_DATA_DIR"]))
            if server is None:
                raise
            self.settings_dict["HOST"] = server.socket_dir
            self.settings_dict["PORT"] = str(server.port)
            return super().get_new_connection({**conn_params, "host": server.socket_dir, "port": server.port})
