"""Helpers for tests that start the project's real commands (make run, make serve)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
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
