"""`make run` → the first 200 on /api/health, with an existing and with a fresh data folder.

    .venv/bin/python bench/startup.py [--runs 3]

Runs the README's server command on a free port with its own data folder (never the real
one), times how long /api/health takes to answer 200, stops it with SIGTERM, and checks that
the embedded PostgreSQL stopped with it. "fresh" starts from an empty data folder (initdb,
every migration); "existing" reuses the folder the previous run left.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postmaster_running(data_dir: Path) -> bool:
    try:
        pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def start_once(data_dir: Path) -> float:
    port = free_port()
    environment = {
        **os.environ,
        "CHATKIT_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "DATABASE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if make.poll() is not None:
                raise RuntimeError(f"make run exited with {make.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                pass
            if time.perf_counter() - start > 120:
                raise RuntimeError("no 200 from /api/health within 120 s")
            time.sleep(0.02)
    finally:
        make.send_signal(signal.SIGTERM)
        make.wait(60)
        for _ in range(100):
            if not postmaster_running(data_dir):
                break
            time.sleep(0.1)
        else:
            print(f"  warning: PostgreSQL still running in {data_dir} after the server stopped")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="chatkit-startup-"))
    try:
        fresh, existing = [], []
        for n in range(args.runs):
            data_dir = base / f"data{n}"
            fresh.append(start_once(data_dir))
            existing.append(start_once(data_dir))
            print(
                f"run {n + 1}: fresh data folder {fresh[-1]:.2f} s, existing data folder {existing[-1]:.2f} s"
            )
        print(
            f"make run → first 200 on /api/health: existing data folder median "
            f"{statistics.median(existing):.2f} s, fresh median {statistics.median(fresh):.2f} s"
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
