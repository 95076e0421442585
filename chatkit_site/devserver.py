"""``make run``: migrate and serve, Django started once, the embedded PostgreSQL started once.

    python -m chatkit_site.devserver [HOST:PORT] [runserver options]

``manage.py migrate && manage.py runserver`` starts Django three times before the first request
(migrate, the autoreloader's parent, its child) and the embedded PostgreSQL twice (migrate
starts it and stops it as it exits; the server starts it again). Here the autoreloader's parent
is this small module, which never imports Django:

* it starts the child at once — ``runserver --migrate``: Django starts, applies the
  migrations in the serving process, listens — and meanwhile starts the embedded PostgreSQL
  (when ``DATABASE_URL`` is unset), so both start-ups overlap;
* it stays a user of that PostgreSQL, so the server's reloads (a file changed) do not stop and
  start it again, and reloaded children do not migrate again;
* stopping: as ``runserver`` (SIGTERM and SIGINT forwarded, dies with its own parent), and the
  last process to exit stops the database (core.embedded_postgres).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from chatkit_site.lifecycle import die_with_parent, supervise_reloading_child

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
EMBEDDED_ENGINE = "core.embedded_postgres"


def start_embedded_postgres() -> None:
    """Start (or join) the embedded server when the settings use it; nothing otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")
    # The settings module is plain Python (environment variables, .env): reading it does not
    # start Django.
    database = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).DATABASES["default"]
    if database["ENGINE"] != EMBEDDED_ENGINE:
        return
    from core.embedded_postgres.server import ensure_server
    from core.embedded_postgres.tuning import tuning_from_settings

    ensure_server(
        Path(database["EMBEDDED_DATA_DIR"]),
        database["EMBEDDED_MAIN_NAME"],
        tuning=tuning_from_settings(database),
    )


def main(arguments: list[str]) -> int:
    die_with_parent()
    options = [f"-W{option}" for option in sys.warnoptions]
    server = [sys.executable, *options, str(MANAGE), "runserver", *arguments]
    return supervise_reloading_child(
        first=[*server, "--migrate"],
        again=server,
        meanwhile=start_embedded_postgres,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
