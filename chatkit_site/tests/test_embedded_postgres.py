from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from core.embedded_postgres.server import ensure_server

BASE_DIR = Path(__file__).resolve().parents[2]

# Runs in a separate process so the server it starts is stopped when that process exits,
# exactly like a server process being stopped and started again.
SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import psycopg
    from core.embedded_postgres.server import ensure_server

    server = ensure_server(Path(sys.argv[1]), "chatkit")
    with psycopg.connect(host=server.socket_dir, port=server.port, user="postgres", dbname="chatkit",
                         autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS notes (body text)")
        if sys.argv[2] == "write":
            conn.execute("INSERT INTO notes VALUES ('kept')")
        print(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
    """
)


def run_script(data_dir: Path, mode: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir), mode],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_data_survives_a_stop_and_a_restart(tmp_path):
    data_dir = tmp_path / "pgdata"

    assert run_script(data_dir, "write") == "1"
    assert run_script(data_dir, "read") == "1"
    assert (data_dir / "PG_VERSION").read_text().strip() == "18"


@pytest.mark.django_db
def test_the_test_database_runs_on_postgres_with_pgvector():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone() is not None
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(
    connection.vendor != "postgresql" or "EMBEDDED_DATA_DIR" not in connection.settings_dict,
    reason="only with the embedded server (DATABASE_URL unset)",
)
def test_a_second_start_in_the_same_process_reuses_the_running_server():
    data_dir = Path(connection.settings_dict["EMBEDDED_DATA_DIR"])

    first = ensure_server(data_dir, "chatkit")
    second = ensure_server(data_dir, "chatkit")

    assert first is second
    assert Path(first.socket_dir).exists()


# Runs in its own process and data folder: a server that stops under a running app (crash,
# OOM kill, a hand `pg_ctl stop`) is started again on the next connection.
REVIVAL_SCRIPT = textwrap.dedent(
    """
    import os, signal, time
    import django
    django.setup()
    from django.db import connection
    from core.embedded_postgres.server import _started

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS notes (body text)")
        cursor.execute("INSERT INTO notes VALUES ('kept')")
    pid = int((next(iter(_started)) / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGQUIT)  # immediate shutdown, as in a crash
    for _ in range(100):
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notes")
        print(cursor.fetchone()[0])
    """
)


def test_a_stopped_embedded_server_is_started_again_on_the_next_connection(tmp_path):
    import os

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "ADMIN_")) and key != "DEBUG"
    }
    environment.update({"CHATKIT_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "chatkit_site.settings"})

    result = subprocess.run(
        [sys.executable, "-c", REVIVAL_SCRIPT],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "1"
    assert "starting it again" in result.stderr
