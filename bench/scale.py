"""The fleet's figures: 3 workers behind nginx on Redis and a PostgreSQL of their own.

    .venv/bin/python bench/scale.py [--workers 3] [--users 200] [--turns 5]

Throughput (turns/s), time to first streamed byte and full turn (p50/p95) at 1 user and at
``--users`` users, through nginx, and each worker's RSS before and after. No faults injected:
``make scale-test`` runs the same load plus the SIGKILL, graceful stop and restart checks.
Needs Debian's redis-server and nginx (``make scale-test`` installs them).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fleet.__main__ import main, parse

if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse([*sys.argv[1:], "--phases", "load"]))))
