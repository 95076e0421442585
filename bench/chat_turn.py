"""Chat turns over the real HTTP stack, from one user to hundreds at once.

    .venv/bin/python bench/chat_turn.py [--users 1,100,200,500] [--turns 5] [--tokens 300]
                                        [--server daphne|uvicorn|both]

For each number of concurrent users, every user creates a thread and sends ``--turns`` messages
(the first creates the thread), with an instant model streaming ``--tokens`` deltas. Prints
errors, items lost (checked with items.list: every thread must hold exactly one user and one
assistant message per turn), time to the first SSE byte and full-turn time (p50/p95), the peak
number of PostgreSQL connections of the bench database, and the server's RSS before and after.
Also prints the SQL queries of one turn on a short and on a long thread, and the time of a 401.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from common import ROOT, install_instant_model, percentile, setup_django


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_users(count: int) -> list[str]:
    from accounts.models import User
    from accounts.tokens import token_pair_for

    tokens = []
    for n in range(count):
        user, _ = User.objects.get_or_create(email=f"bench{n}@example.com")
        tokens.append(token_pair_for(user=user).access_token)
    return tokens


def body(text: str, thread_id: str | None = None) -> str:
    message = {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}
    if thread_id is None:
        return json.dumps({"type": "threads.create", "params": {"input": message}})
    return json.dumps(
        {"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": message}}
    )


@dataclass
class Run:
    ttfb: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    threads: dict[str, tuple[str, int]] = field(default_factory=dict)  # thread id → (token, turns done)


async def one_turn(client, url: str, token: str, payload: str) -> tuple[float, float, str | None, str | None]:
    start = time.perf_counter()
    first = None
    thread_id = None
    head = b""
    tail = b""
    async with client.stream(
        "POST",
        url,
        content=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    ) as response:
        if response.status_code != 200:
            await response.aread()
            return 0.0, 0.0, None, f"HTTP {response.status_code}: {response.text[:100]}"
        async for chunk in response.aiter_raw():
            if first is None:
                first = time.perf_counter() - start
            if len(head) < 2048:
                head += chunk
            tail = (tail + chunk)[-4096:]
    if b'"thread.created"' in head:
        event = json.loads(head.split(b"\n\n", 1)[0].removeprefix(b"data: "))
        thread_id = event["thread"]["id"]
    error = None
    if b'"type":"error"' in tail:
        error = tail.split(b'"type":"error"', 1)[1][:200].decode(errors="replace")
    return first or 0.0, time.perf_counter() - start, thread_id, error


async def load(url: str, tokens: list[str], turns: int, text: str = "turn {turn}") -> Run:
    import httpx

    run = Run()
    limits = httpx.Limits(max_connections=len(tokens) + 5, max_keepalive_connections=len(tokens) + 5)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:

        async def user(token: str) -> None:
            thread_id = None
            for turn in range(turns):
                try:
                    first, full, created, error = await one_turn(
                        client, url, token, body(text.format(turn=turn), thread_id)
                    )
                except Exception as exc:  # the bench reports every failure, whatever it is
                    run.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if error:
                    run.errors.append(error)
                    continue
                thread_id = thread_id or created
                if thread_id:
                    run.threads[thread_id] = (token, run.threads.get(thread_id, (token, 0))[1] + 1)
                run.ttfb.append(first)
                run.total.append(full)

        await asyncio.gather(*(user(token) for token in tokens))
    return run


def lost_items(base: str, run: Run) -> int:
    """Turns whose user or assistant message is missing, or extra items, over every thread."""
    import httpx

    lost = 0
    with httpx.Client(timeout=60) as client:
        for thread_id, (token, turns) in run.threads.items():
            kinds: list[str] = []
            after = None
            while True:  # every page of the thread
                params = {"thread_id": thread_id, "limit": 100, "order": "asc", "after": after}
                page = client.post(
                    f"{base}/api/chatkit",
                    json={"type": "items.list", "params": params},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                kinds += [item["type"] for item in page["data"]]
                if not page["has_more"]:
                    break
                after = page["after"]
            lost += abs(kinds.count("user_message") - turns) + abs(kinds.count("assistant_message") - turns)
    return lost


SERVER_APPLICATION_NAME = "chatkit-bench-server"


class ConnectionSampler:
    """Peak number of the server's PostgreSQL connections, sampled every 20 ms.

    The server's connections carry their own application_name (PGAPPNAME), so the bench's own
    connections (this sampler, items.list checks) are not counted.
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            while not self._stop.is_set():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [SERVER_APPLICATION_NAME],
                )
                self.peak = max(self.peak, cursor.fetchone()[0])
                time.sleep(0.02)
        connection.close()

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def query_counts(text: str = "hi", long_thread: bool = True) -> tuple[int, int]:
    from asgiref.sync import async_to_sync
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.tokens import token_pair_for

    user, _ = User.objects.get_or_create(email="bench-queries@example.com")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")

    async def drain(response) -> bytes:
        return b"".join([c async for c in response.streaming_content])

    # Database calls on this thread, where CaptureQueriesContext sees them.
    @override_settings(DATABASE_CALLS_IN_REQUEST_THREAD=True)
    def turn(thread_id: str | None) -> tuple[int, str | None]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/chatkit", data=body(text, thread_id), content_type="application/json"
            )
            raw = async_to_sync(drain)(response)
        created = None
        if thread_id is None:
            created = json.loads(raw.split(b"\n\n", 1)[0].removeprefix(b"data: "))["thread"]["id"]
        return len(queries), created

    _, thread_id = turn(None)
    short, _ = turn(thread_id)
    for _ in range(100 if long_thread else 0):
        turn(thread_id)
    long, _ = turn(thread_id)
    return short, long


def unauthorized_latency(base: str, count: int = 200) -> list[float]:
    import httpx

    times = []
    with httpx.Client(timeout=10) as client:
        for _ in range(count):
            start = time.perf_counter()
            client.post(f"{base}/api/chatkit", content=b"{}", headers={"Content-Type": "application/json"})
            times.append(time.perf_counter() - start)
    return times


def ms(values: list[float], pct: float) -> str:
    return f"{percentile(values, pct) * 1000:.1f}" if values else "-"


@contextmanager
def served(kind: str, tokens_per_turn: int, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    import httpx

    port = free_port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), str(port), str(tokens_per_turn), kind],
        cwd=ROOT / "bench",
        env={**os.environ, "PGAPPNAME": SERVER_APPLICATION_NAME, **env},
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(30)
        log.seek(0)
        tail = log.read().decode(errors="replace").strip().splitlines()[-15:]
        if tail:
            print(f"[{kind}] server log (last lines):", *tail, sep="\n      ")


def bench_server(kind: str, users: list[int], turns: int, tokens_per_turn: int, tokens: list[str]) -> None:
    import psutil

    with served(kind, tokens_per_turn) as (base, server):
        process = psutil.Process(server.pid)
        asyncio.run(load(f"{base}/api/chatkit", tokens[:1], 3))  # warm-up
        unauthorized = unauthorized_latency(base)
        print(
            f"[{kind}] 401 without credentials: p50={ms(unauthorized, 50)} ms p95={ms(unauthorized, 95)} ms"
        )
        for count in users:
            rss_before = process.memory_info().rss
            with ConnectionSampler() as sampler:
                run = asyncio.run(load(f"{base}/api/chatkit", tokens[:count], turns))
            rss_after = process.memory_info().rss
            lost = lost_items(base, run)
            print(
                f"[{kind}] {count:>3} users x {turns} turns: errors={len(run.errors)} lost_items={lost} "
                f"first_byte p50={ms(run.ttfb, 50)} ms p95={ms(run.ttfb, 95)} ms "
                f"full_turn p50={ms(run.total, 50)} ms p95={ms(run.total, 95)} ms "
                f"peak_pg_connections={sampler.peak} "
                f"rss_before={rss_before / 2**20:.0f} MB rss_after={rss_after / 2**20:.0f} MB"
            )
            for error in sorted(set(run.errors))[:3]:
                print(f"      e.g. {error}")


CRM_SERVER = "crm-bench"
SCENARIOS = [
    # (label, message, server environment, needs the CRM server)
    ("default, task tools on but unused", "turn {turn}", {}, False),
    ("task tools off (CHATKIT_TASK_TOOLS=false)", "turn {turn}", {"CHATKIT_TASK_TOOLS": "false"}, False),
    ("a task tool called (list_tasks)", "call list_tasks {{}}", {}, False),
    ("external MCP server registered, unused", "turn {turn}", {}, True),
    (
        "external MCP server registered, unused, session every turn (as before)",
        "turn {turn}",
        {"BENCH_MCP_EAGER": "1"},
        True,
    ),
    ("external MCP tool called (lazy session)", 'call lookup_customer {{"email": "a@b.c"}}', {}, True),
    (
        "external MCP tool called (one session kept for all turns; not what the project does)",
        'call lookup_customer {{"email": "a@b.c"}}',
        {"BENCH_MCP_REUSE": "1"},
        True,
    ),
    (
        "external MCP tool called (session every turn, as before)",
        'call lookup_customer {{"email": "a@b.c"}}',
        {"BENCH_MCP_EAGER": "1"},
        True,
    ),
]


@contextmanager
def crm_registered(needed: bool) -> Iterator[None]:
    """The tests' second MCP server (mcphub/tests/crm_server.py), registered for the assistant."""
    if not needed:
        yield
        return
    from mcphub.models import McpServer

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mcphub.tests.crm_server", str(port)], cwd=ROOT, stderr=subprocess.DEVNULL
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    McpServer.objects.update_or_create(
        name=CRM_SERVER,
        defaults={"url": f"http://127.0.0.1:{port}/mcp", "in_assistant": True, "enabled": True},
    )
    try:
        yield
    finally:
        McpServer.objects.filter(name=CRM_SERVER).delete()
        process.terminate()
        process.wait(10)


def bench_scenarios(turns: int, tokens_per_turn: int, token: str) -> None:
    """One user's sequential turns per configuration (uvicorn), and the SQL of one such turn."""
    print(
        f"| configuration (1 user, {turns} turns, uvicorn) | first byte p50 / p95 | whole turn p50 / p95 | SQL |"
    )
    print("|---|---|---|---|")
    for label, text, env, needs_crm in SCENARIOS:
        with crm_registered(needs_crm), served("uvicorn", tokens_per_turn, **env) as (base, _):
            url = f"{base}/api/chatkit"
            asyncio.run(load(url, [token], 5, text))  # warm-up (and the first listing of tools)
            run = asyncio.run(load(url, [token], turns, text))
            queries = "-" if env else query_counts(text.format(turn=0), long_thread=False)[0]
        errors = f" ({len(run.errors)} errors: {run.errors[0][:80]})" if run.errors else ""
        print(
            f"| {label}{errors} | {ms(run.ttfb, 50)} / {ms(run.ttfb, 95)} ms "
            f"| {ms(run.total, 50)} / {ms(run.total, 95)} ms | {queries} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--users", default="1,100,200,500", help="comma-separated numbers of concurrent users"
    )
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--server", choices=["daphne", "uvicorn", "both"], default="both")
    parser.add_argument(
        "--scenarios", type=int, default=100, help="turns per configuration in the table (0: no table)"
    )
    args = parser.parse_args()
    users = [int(n) for n in args.users.split(",") if n]

    setup_django()
    install_instant_model(args.tokens)
    short, long = query_counts()
    print(f"SQL queries per turn: {short} on a 4-item thread, {long} on a 206-item thread")
    tokens = make_users(max([*users, 1]))
    if args.scenarios:
        bench_scenarios(args.scenarios, args.tokens, tokens[0])
    for kind in ("daphne", "uvicorn") if args.server == "both" else (args.server,):
        if users:
            bench_server(kind, users, args.turns, args.tokens, tokens)


if __name__ == "__main__":
    main()
