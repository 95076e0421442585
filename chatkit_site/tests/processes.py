"""Helpers for tests that start the project's real commands (make run, make serve)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fleet.services import free_port  # noqa: F401  (the tests import it from here)

BASE_DIR = Path(__file__).resolve().parents[2]


def wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def start_make(target: str, port: int, data_dir: Path, *, own_group: bool = False) -> subprocess.Popen:
    """``make <target>`` on ``port`` with its data (and embedded PostgreSQL) in ``data_dir``."""
    return subprocess.Popen(
        ["make", "--no-print-directory", target, f"PORT={port}"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "CHATKIT_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "chatkit_site.settings",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=own_group,  # its own process group, as a terminal or a supervisor gives it
    )


def health_answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def python_server(module: str, *args: str, port: int, name: str) -> Iterator[str]:
    """``python -m module args…`` listening on ``port`` (a real second server for a test); its
    ``http://127.0.0.1:<port>/mcp`` address while the block runs, stopped after."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args], cwd=BASE_DIR,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    try:
        assert wait(up, 30), f"the {name} server did not start"
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)
