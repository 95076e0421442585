"""Size the embedded PostgreSQL to the machine it runs on.

PostgreSQL's defaults (100 connections, 128 MB of shared buffers, 4 MB of work memory) are
meant for a server that shares a small machine with everything else. The embedded server is
the application's own database, so it takes a share of the machine instead:

- ``shared_buffers``: a quarter of the memory, at most 2 GB (beyond that the operating
  system's cache does the job as well, and a development laptop keeps its memory);
- ``effective_cache_size``: three quarters of the memory (a planner hint, allocates nothing);
- ``work_mem``: what is left after the buffers, shared by all connections (three sorts or
  hashes each), between 4 and 64 MB;
- ``maintenance_work_mem``: a sixteenth of the memory between 64 MB and 1 GB — building a
  pgvector HNSW index in memory is many times faster than spilling it to disk;
- ``max_connections``: room for four processes with a full connection pool each, plus
  management commands and psql, and never below PostgreSQL's 100.

"Memory" is the container's limit when there is one (cgroups), not the host's. Each value can
be set instead through ``EMBEDDED_PG_MAX_CONNECTIONS``, ``EMBEDDED_PG_SHARED_BUFFERS`` and
``EMBEDDED_PG_WORK_MEM`` (see settings). The values are written to ``chatkit-tuning.conf`` in
the data folder, included from ``postgresql.conf``, before the server starts; a server that is
already running picks changes up at its next start.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger("chatkit.embedded_postgres")

MB = 1024 * 1024
GB = 1024 * MB
SHARED_BUFFERS_CAP = 2 * GB
TUNING_FILE = "chatkit-tuning.conf"
INCLUDE_LINE = f"include_if_exists = '{TUNING_FILE}'"
PROCESSES_PER_SERVER = 4
SPARE_CONNECTIONS = 20


def machine_memory() -> int:
    """Bytes of memory this process may use: the host's, or its container's limit if lower."""
    import psutil

    total = int(psutil.virtual_memory().total)
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if raw.isdigit():  # "max" (v2) means no limit; v1 writes a huge number instead
            total = min(total, int(raw))
        break
    return total


def _megabytes(amount: int) -> str:
    return f"{max(1, amount // MB)}MB"


def tuning_for(
    *,
    memory: int,
    pool_size: int,
    overrides: dict[str, str] | None = None,
) -> dict[str, str]:
    """The server settings for a machine with ``memory`` bytes and a pool of ``pool_size``."""
    max_connections = max(100, PROCESSES_PER_SERVER * pool_size + SPARE_CONNECTIONS)
    shared_buffers = min(memory // 4, SHARED_BUFFERS_CAP)
    work_mem = (memory - shared_buffers) // (max_connections * 3)
    values = {
        "max_connections": str(max_connections),
        "shared_buffers": _megabytes(shared_buffers),
        "effective_cache_size": _megabytes(memory * 3 // 4),
        "work_mem": _megabytes(min(max(work_mem, 4 * MB), 64 * MB)),
        "maintenance_work_mem": _megabytes(min(max(memory // 16, 64 * MB), GB)),
    }
    values.update(overrides or {})
    return values


def write_tuning(data_dir: Path, values: dict[str, str]) -> bool:
    """Write ``values`` where the server reads them at start; True when they changed."""
    lines = ["# Written by chatkit-django at every start; edits here are overwritten.", ""]
    lines += [f"{name} = '{value}'" for name, value in sorted(values.items())]
    text = "\n".join(lines) + "\n"
    path = data_dir / TUNING_FILE
    try:
        changed = path.read_text() != text
    except OSError:
        changed = True
    if changed:
        path.write_text(text)
        _same_owner_as(path, data_dir)
    main_conf = data_dir / "postgresql.conf"
    if INCLUDE_LINE not in main_conf.read_text():
        with main_conf.open("a") as conf:
            conf.write(f"\n# chatkit-django: settings sized to the machine\n{INCLUDE_LINE}\n")
    return changed


def _same_owner_as(path: Path, folder: Path) -> None:
    # As root, pgserver runs PostgreSQL as its own user, which owns the data folder.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        owner = folder.stat()
        os.chown(path, owner.st_uid, owner.st_gid)


def tuning_from_settings(settings_dict: dict) -> dict[str, str]:
    """The tuning for a ``DATABASES`` entry of the embedded backend (pool size, overrides)."""
    pool = settings_dict.get("OPTIONS", {}).get("pool") or {}
    return tuning_for(
        memory=machine_memory(),
        pool_size=int(pool.get("max_size", 0)) if isinstance(pool, dict) else 0,
        overrides=settings_dict.get("EMBEDDED_TUNING"),
    )
