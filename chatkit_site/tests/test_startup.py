"""``make run`` migrates and serves with one start of the embedded PostgreSQL (real processes).

PostgreSQL writes "database system is ready to accept connections" to its log (pgdata/log,
appended by pg_ctl) each time it starts; the log of a fresh data folder tells how many times
the command sequence started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import psutil
import pytest

from chatkit_site.tests.processes import BASE_DIR, free_port, health_answers, start_make, wait

READY = "database system is ready to accept connections"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="only with the embedded server (DATABASE_URL unset)"
)


def _starts(data_dir: Path) -> int:
    log = data_dir / "pgdata" / "log"
    return log.read_text().count(READY) if log.exists() else 0


def _serving_child(make: subprocess.Popen) -> psutil.Process | None:
    """The process running runserver (the autoreloader's child)."""
    for process in psutil.Process(make.pid).children(recursive=True):
        try:
            if "runserver" in process.cmdline():
                return process
        except psutil.Error:
            continue
    return None


def test_make_run_migrates_and_serves_with_one_start_of_postgresql_even_across_reloads(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    make = start_make("run", port, tmp_path)
    watched = BASE_DIR / "chatkit_site" / "urls.py"
    times = watched.stat()

    def serving() -> bool:
        return health_answers(base)

    try:
        assert wait(serving, 180), "make run did not serve"
        # Migrated: the users table is there (a wrong password is a 401, not a server error).
        login = httpx.post(f"{base}/api/auth/login", json={"email": "nobody@example.com", "password": "x"})
        assert login.status_code == 401
        assert _starts(tmp_path) == 1
        # Sized to the machine before that one start.
        assert "shared_buffers" in (tmp_path / "pgdata" / "chatkit-tuning.conf").read_text()

        # A file changed: the server reloads (a new serving process), PostgreSQL stays up.
        first_child = _serving_child(make)
        assert first_child is not None

        def reloaded() -> bool:
            # Touched until seen: the reloader only notices changes after its first scan of
            # every module's mtime, which may still be running when health first answers.
            os.utime(watched)
            return (child := _serving_child(make)) is not None and child.pid != first_child.pid

        assert wait(reloaded, 60)
        assert wait(serving, 120), "the reloaded server did not serve"
        assert _starts(tmp_path) == 1
    finally:
        os.utime(watched, ns=(times.st_atime_ns, times.st_mtime_ns))
        make.send_signal(signal.SIGTERM)
        make.wait(timeout=60)

    log = tmp_path / "pgdata" / "log"
    assert wait(lambda: "database system is shut down" in log.read_text(), 30), "PostgreSQL still runs"
    assert _starts(tmp_path) == 1
