from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.embedded_postgres.tuning import GB, MB, TUNING_FILE, tuning_for, write_tuning
from core.env import env_size

BASE_DIR = Path(__file__).resolve().parents[2]


def test_a_small_machine_gets_a_quarter_of_its_memory_as_shared_buffers():
    values = tuning_for(memory=2 * GB, pool_size=20)

    assert values["shared_buffers"] == "512MB"
    assert values["effective_cache_size"] == "1536MB"
    assert values["max_connections"] == "100"
    assert values["work_mem"] == "5MB"  # 1.5 GB over 100 connections, 3 operations each
    assert values["maintenance_work_mem"] == "128MB"


def test_a_large_machine_is_capped_so_the_server_does_not_take_it_over():
    values = tuning_for(memory=64 * GB, pool_size=20)

    assert values["shared_buffers"] == "2048MB"
    assert values["work_mem"] == "64MB"
    assert values["maintenance_work_mem"] == "1024MB"


def test_connections_leave_room_for_four_processes_with_a_full_pool():
    assert tuning_for(memory=8 * GB, pool_size=50)["max_connections"] == "220"
    assert tuning_for(memory=8 * GB, pool_size=0)["max_connections"] == "100"


def test_a_tiny_container_still_gets_postgres_minimums():
    values = tuning_for(memory=256 * MB, pool_size=20)

    assert values["work_mem"] == "4MB"
    assert values["maintenance_work_mem"] == "64MB"


def test_chosen_values_win_over_the_machine():
    values = tuning_for(memory=8 * GB, pool_size=20, overrides={"shared_buffers": "256MB"})

    assert values["shared_buffers"] == "256MB"
    assert values["max_connections"] == "100"


def test_it_rejects_sizes_postgres_would_not_read(monkeypatch):
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "lots")
    with pytest.raises(ImproperlyConfigured, match="EMBEDDED_PG_SHARED_BUFFERS"):
        env_size("EMBEDDED_PG_SHARED_BUFFERS")
    monkeypatch.setenv("EMBEDDED_PG_SHARED_BUFFERS", "1GB")
    assert env_size("EMBEDDED_PG_SHARED_BUFFERS") == "1GB"


def test_the_settings_are_included_once_however_often_they_are_written(tmp_path):
    (tmp_path / "postgresql.conf").write_text("max_connections = 100\n")

    assert write_tuning(tmp_path, {"work_mem": "8MB"}) is True
    assert write_tuning(tmp_path, {"work_mem": "8MB"}) is False
    assert write_tuning(tmp_path, {"work_mem": "16MB"}) is True

    assert (tmp_path / "postgresql.conf").read_text().count(TUNING_FILE) == 1
    assert "work_mem = '16MB'" in (tmp_path / TUNING_FILE).read_text()


# A fresh data folder, in a process of its own (the server stops when it exits): the server
# really runs with the values, including one chosen by hand.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import psycopg
    from core.embedded_postgres.server import ensure_server
    from core.embedded_postgres.tuning import tuning_for

    tuning = tuning_for(memory=1024 ** 3, pool_size=40, overrides={"work_mem": "7MB"})
    server = ensure_server(Path(sys.argv[1]), "chatkit", tuning=tuning)
    with psycopg.connect(host=server.socket_dir, port=server.port, user="postgres", dbname="chatkit",
                         autocommit=True) as conn:
        names = ["max_connections", "shared_buffers", "work_mem", "maintenance_work_mem"]
        print(json.dumps({name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}))
    """
)


def test_a_fresh_embedded_server_starts_with_the_tuning(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "pgdata")],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "max_connections": "180",
        "shared_buffers": "256MB",
        "work_mem": "7MB",
        "maintenance_work_mem": "64MB",
    }
