"""``make run`` migrates and serves with one start of the embedded PostgreSQL (real processes).

PostgreSQL writes "database system is ready to accept connections" to its log (pgdata/log,
appended by pg_ctl) each time it starts; the log of a fresh data folder tells how many times
the command sequence started it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
READY = "database system is ready to accept connections"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="only with the embedded server (DATABASE_URL unset)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


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
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "CHATKIT_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "chatkit_site.settings",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watched = BASE_DIR / "chatkit_site" / "apis.py"
    times = watched.stat()

    def serving() -> bool:
        try:
            return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert _wait(serving, 180), "make run did not serve"
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

        assert _wait(reloaded, 60)
        assert _wait(serving, 120), "the reloaded server did not serve"
        assert _starts(tmp_path) == 1
    finally:
        os.utime(watched, ns=(times.st_atime_ns, times.st_mtime_ns))
        make.send_signal(signal.SIGTERM)
        make.wait(timeout=60)

    log = tmp_path / "pgdata" / "log"
    assert _wait(lambda: "database system is shut down" in log.read_text(), 30), "PostgreSQL still runs"
    assert _starts(tmp_path) == 1
