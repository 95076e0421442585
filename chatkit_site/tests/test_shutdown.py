"""Stopping the server stops the embedded PostgreSQL, whatever stops it (real processes).

SIGTERM (systemd, docker stop, ``kill``) and SIGINT (Ctrl-C) end the server the same way; the
last process of the project to leave stops the database; a process killed with SIGKILL does
not keep it alive forever.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import psutil
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="only with the embedded server (DATABASE_URL unset)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CHATKIT_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "chatkit_site.settings",
    }


def _postmaster(data_dir: Path) -> psutil.Process | None:
    pid_file = data_dir / "pgdata" / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        process = psutil.Process(int(pid_file.read_text().split()[0]))
        return process if process.status() != psutil.STATUS_ZOMBIE else None
    except (psutil.Error, ValueError):
        return None


def _wait(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _start_runserver(data_dir: Path, **popen) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=_environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **popen,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/api/health", timeout=2).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    assert _wait(healthy, 90), "runserver did not answer"
    assert _postmaster(data_dir) is not None
    return process, base


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_runserver_stops_the_embedded_postgresql_on_sigterm_and_sigint(tmp_path, stop_signal):
    process, _base = _start_runserver(tmp_path)
    postmaster = _postmaster(tmp_path)

    process.send_signal(stop_signal)

    assert process.wait(timeout=60) == 0
    assert _wait(lambda: not postmaster.is_running(), 30), "the embedded PostgreSQL is still running"


def test_kill_minus_term_on_make_run_stops_everything(tmp_path):
    port = _free_port()
    make = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=BASE_DIR,
        env=_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    assert _wait(healthy, 180), "make run did not serve"
    postmaster = _postmaster(tmp_path)
    servers = [child for child in psutil.Process(make.pid).children(recursive=True)]

    make.send_signal(signal.SIGTERM)
    make.wait(timeout=30)

    assert _wait(
        lambda: (
            not any(server.is_running() and server.status() != psutil.STATUS_ZOMBIE for server in servers)
        ),
        60,
    )
    assert _wait(lambda: not postmaster.is_running(), 30), "the embedded PostgreSQL is still running"


USER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS notes (body text)")
        if sys.argv[1] == "write":
            cursor.execute("INSERT INTO notes VALUES ('kept')")
        cursor.execute("SELECT count(*) FROM notes")
        print(cursor.fetchone()[0], flush=True)
    if sys.argv[1] != "read":
        time.sleep(600)
    """
)


def _user(data_dir: Path, mode: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", USER_SCRIPT, mode],
        cwd=BASE_DIR,
        env=_environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout.readline().strip() in ("1", "0")
    return process


def test_a_process_killed_with_sigkill_does_not_keep_the_database_alive(tmp_path):
    first = _user(tmp_path, "write")
    second = _user(tmp_path, "wait")
    postmaster = _postmaster(tmp_path)

    first.kill()  # SIGKILL: no exit handler runs, its pid stays registered
    first.wait()
    second.terminate()  # SIGTERM: a normal exit, which must forget the dead one and stop the server
    second.wait(timeout=60)

    assert _wait(lambda: not postmaster.is_running(), 30), "the embedded PostgreSQL is still running"
    reader = subprocess.run(
        [sys.executable, "-c", USER_SCRIPT, "read"],
        cwd=BASE_DIR,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reader.stdout.strip() == "1"  # the data is intact
