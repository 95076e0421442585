"""Where a served chat turn spends its time: py-spy samples the server over sequential turns.

    .venv/bin/python bench/profile_turn.py [--turns 100] [--tokens 300] [--rate 1000]
                                           [--task-tools on|off]

Serves the project (uvicorn, one worker, the instant model of bench/common.py), warms it up, then
samples it with py-spy (``pip install py-spy``; it needs ptrace) while one user sends ``--turns``
messages. Prints the event loop's time per turn (samples taken while it holds the GIL) by cost: each sample goes to the innermost frame that a
rule below names (the rules are ordered: the first rule matching a frame wins).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from chat_turn import free_port, load, make_users
from common import ROOT, install_instant_model, setup_django

# (label, substrings of a frame "function (file:line)"): innermost matching frame wins.
RULES: list[tuple[str, tuple[str, ...]]] = [
    (
        "socket writes (transport.write, ASGI send)",
        ("selector_events.py", "httptools_impl.py", "h11_impl.py"),
    ),
    ("SSE batching (core/sse.py)", ("core/sse.py",)),
    ("JWT user + token check", ("accounts/authentication", "accounts/tokens", "jwt/")),
    ("SQL: psycopg + database", ("psycopg/", "psycopg_pool/")),
    ("SQL: Django ORM (query building, rows)", ("django/db/",)),
    ("workflow turn (run log, state)", ("workflows/engine/",)),
    ("conversations store + server", ("conversations/engine/",)),
    ("Agents SDK runner", ("agents/",)),
    ("ChatKit SDK event handling", ("chatkit/",)),
    ("pydantic (events, items)", ("pydantic",)),
    ("Django request/response", ("django/",)),
    ("asyncio/anyio machinery", ("asyncio/", "anyio/", "asgiref/")),
]


def categorise(stack: str) -> str:
    frames = stack.split(";")
    for frame in reversed(frames):  # innermost first
        for label, needles in RULES:
            if any(needle in frame for needle in needles):
                return label
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--rate", type=int, default=1000, help="samples per second")
    parser.add_argument("--task-tools", choices=["on", "off"], default="on")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not os.path.exists(spy):
        sys.exit("py-spy is not installed: .venv/bin/pip install py-spy")

    setup_django()
    install_instant_model(args.tokens)
    tokens = make_users(1)
    port = free_port()
    env = {**os.environ, "CHATKIT_TASK_TOOLS": "true" if args.task_tools == "on" else "false"}
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), str(port), str(args.tokens), "uvicorn"],
        cwd=ROOT / "bench",
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    raw = tempfile.NamedTemporaryFile(suffix=".txt", delete=False).name
    try:
        import httpx

        for _ in range(200):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(load(f"{base}/api/chatkit", tokens, 10))  # warm-up
        record = [
            spy,
            "record",
            "--pid",
            str(server.pid),
            "--rate",
            str(args.rate),
            "--format",
            "raw",
            "--threads",
            "--gil",
        ]
        profiler = subprocess.Popen([*record, "--output", raw], stdout=subprocess.DEVNULL)
        time.sleep(1.0)  # py-spy attaches
        started = time.perf_counter()
        run = asyncio.run(load(f"{base}/api/chatkit", tokens, args.turns))
        wall = time.perf_counter() - started
        profiler.send_signal(signal.SIGINT)
        profiler.wait(60)
    finally:
        server.terminate()
        server.wait(30)

    counts: collections.Counter[str] = collections.Counter()
    other_threads = 0
    with open(raw) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            if "MainThread" in stack.split(";", 1)[0]:
                counts[categorise(stack)] += int(count)
            else:  # database calls in the thread pool, the pool's own workers
                other_threads += int(count)
    os.unlink(raw)
    turns = len(run.total)
    per_turn = {label: n / args.rate / turns * 1000 for label, n in counts.items()}
    print(f"{turns} turns in {wall:.1f} s, task tools {args.task_tools}, {args.tokens} deltas per turn")
    print("| cost per turn (event loop, holding the GIL) | ms |\n|---|---|")
    for label, value in sorted(per_turn.items(), key=lambda item: -item[1]):
        print(f"| {label} | {value:.1f} |")
    print(f"| **event loop total** | {sum(per_turn.values()):.1f} |")
    print(
        f"| other threads (database calls, pool workers) | {other_threads / args.rate / turns * 1000:.1f} |"
    )


if __name__ == "__main__":
    main()
