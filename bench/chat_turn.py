"""Chat turn latency over the real HTTP stack (daphne) and SQL queries per turn.

    .venv/bin/python bench/chat_turn.py [--turns 3] [--users 50] [--tokens 300]

Prints time to the first SSE byte and full-turn time for 1 and N concurrent users, and the
number of SQL queries of one turn on a short and on a long thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time

from common import ROOT, install_instant_model, setup_django, summary


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


async def one_turn(client, url: str, token: str, payload: str) -> tuple[float, float, str | None]:
    start = time.perf_counter()
    first = None
    thread_id = None
    buffer = b""
    async with client.stream(
        "POST",
        url,
        content=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    ) as response:
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            if first is None:
                first = time.perf_counter() - start
            buffer += chunk
            if thread_id is None and b"thread.created" in buffer:
                event = json.loads(buffer.split(b"\n\n", 1)[0].removeprefix(b"data: "))
                thread_id = event["thread"]["id"]
    return first or 0.0, time.perf_counter() - start, thread_id


async def load(url: str, tokens: list[str], turns: int) -> tuple[list[float], list[float]]:
    import httpx

    ttfb: list[float] = []
    total: list[float] = []
    limits = httpx.Limits(max_connections=len(tokens) + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def user(token: str) -> None:
            thread_id = None
            for turn in range(turns):
                first, full, created = await one_turn(client, url, token, body(f"turn {turn}", thread_id))
                thread_id = thread_id or created
                ttfb.append(first)
                total.append(full)

        await asyncio.gather(*(user(token) for token in tokens))
    return ttfb, total


def query_counts() -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.tokens import token_pair_for

    user, _ = User.objects.get_or_create(email="bench-queries@example.com")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")

    def turn(thread_id: str | None) -> tuple[int, str | None]:
        from asgiref.sync import async_to_sync

        async def drain(response) -> bytes:
            return b"".join([c async for c in response.streaming_content])

        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/chatkit", data=body("hi", thread_id), content_type="application/json"
            )
            raw = async_to_sync(drain)(response)
        created = None
        if thread_id is None:
            created = json.loads(raw.split(b"\n\n", 1)[0].removeprefix(b"data: "))["thread"]["id"]
        return len(queries), created

    _, thread_id = turn(None)
    short, _ = turn(thread_id)
    for _ in range(100):
        turn(thread_id)
    long, _ = turn(thread_id)
    return short, long


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=300)
    args = parser.parse_args()

    setup_django()
    install_instant_model(args.tokens)
    short, long = query_counts()
    print(f"SQL queries per turn: {short} on a 4-item thread, {long} on a 206-item thread")

    tokens = make_users(args.users)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), str(port), str(args.tokens)],
        cwd=ROOT / "bench",
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/chatkit"
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(load(url, tokens[:1], 2))  # warm-up
        for users in (1, args.users):
            ttfb, total = asyncio.run(load(url, tokens[:users], args.turns))
            print(summary(f"{users:>2} user(s), time to first SSE byte", ttfb))
            print(summary(f"{users:>2} user(s), full turn ({args.tokens} tokens)", total))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
