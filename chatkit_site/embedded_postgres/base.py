from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from .server import SUPERUSER, ensure_server


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
