"""The harness's users: ChatKit turns streamed through nginx, timed, and checked afterwards."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from fleet.rawhttp import Connection, HTTPError


def user_input(text: str) -> dict[str, Any]:
    return {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}


@dataclass
class Turn:
    ok: bool
    status: int | None
    ttfb: float | None  # seconds to the first streamed event
    total: float
    thread_id: str | None
    error: str = ""
    at: float = 0.0  # when it ended (steady load)


@dataclass
class Run:
    """What one load run saw: every turn, per user, and each user's thread."""

    label: str
    turns: list[Turn] = field(default_factory=list)
    threads: dict[str, int] = field(default_factory=dict)  # thread id -> user index
    sent: dict[str, int] = field(default_factory=dict)  # thread id -> turns attempted in it
    answered: dict[str, int] = field(default_factory=dict)  # thread id -> turns answered in it
    seconds: float = 0.0

    @property
    def errors(self) -> list[Turn]:
        return [turn for turn in self.turns if not turn.ok]


def connect(base: str) -> Connection:
    """A keep-alive connection to ``http://host:port``."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return Connection(host, int(port))


async def turn(connection: Connection, token: str, thread_id: str | None, text: str) -> Turn:
    if thread_id is None:
        body = {"type": "threads.create", "params": {"input": user_input(text)}}
    else:
        body = {
            "type": "threads.add_user_message",
            "params": {"thread_id": thread_id, "input": user_input(text)},
        }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    ttfb = None
    answered = False
    try:
        status, chunks = await connection.post("/api/chatkit", json.dumps(body).encode(), headers)
        if status != 200:
            detail = b"".join([chunk async for chunk in chunks])[:200].decode(errors="replace")
            return Turn(False, status, None, time.perf_counter() - started, thread_id, detail)
        buffer = ""
        async for chunk in chunks:
            if ttfb is None:
                ttfb = time.perf_counter() - started
            buffer += chunk.decode()
            while "\n\n" in buffer:
                frame, buffer = buffer.split("\n\n", 1)
                if not frame.startswith("data: "):
                    continue
                event = json.loads(frame[6:])
                if event["type"] == "thread.created":
                    thread_id = event["thread"]["id"]
                elif event["type"] == "error":
                    await connection.close()
                    return Turn(False, 200, ttfb, time.perf_counter() - started, thread_id, str(event))
                elif event["type"] == "thread.item.done" and event["item"]["type"] == "assistant_message":
                    answered = True
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, HTTPError, ValueError) as exc:
        await connection.close()
        return Turn(
            False, None, ttfb, time.perf_counter() - started, thread_id, f"{type(exc).__name__}: {exc}"
        )
    total = time.perf_counter() - started
    if not answered:
        return Turn(False, 200, ttfb, total, thread_id, "the stream ended without an answer")
    return Turn(True, 200, ttfb, total, thread_id)


async def user_session(base: str, token: str, index: int, turns: int, run: Run) -> None:
    """``turns`` turns in one thread; a failed turn ends the session (the user gives up)."""
    thread_id = None
    connection = connect(base)
    for number in range(turns):
        result = await turn(connection, token, thread_id, f"{run.label} user {index} turn {number}")
        run.turns.append(result)
        thread_id = result.thread_id or thread_id
        if thread_id:
            run.threads[thread_id] = index
            run.sent[thread_id] = number + 1
            run.answered[thread_id] = run.answered.get(thread_id, 0) + result.ok
        if not result.ok:
            break
    await connection.close()


def new_client(users: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=users + 20, max_keepalive_connections=users + 20)
    return httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=10.0), limits=limits)


async def load_run(base: str, tokens: list[str], turns: int, label: str, run: Run | None = None) -> Run:
    """Every user's session at once; ``run`` (when given) fills in while it goes."""
    run = run or Run(label)
    started = time.perf_counter()
    await asyncio.gather(
        *(user_session(base, token, index, turns, run) for index, token in enumerate(tokens))
    )
    run.seconds = time.perf_counter() - started
    return run


async def thread_items(
    client: httpx.AsyncClient, base: str, token: str, thread_id: str
) -> list[dict[str, Any]] | None:
    """The thread's items, oldest first; None when there is no such thread."""
    items: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"thread_id": thread_id, "limit": 100, "order": "asc"}
        if after:
            params["after"] = after
        response = await client.post(
            f"{base}/api/chatkit",
            json={"type": "items.list", "params": params},
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code == 404 and not items:
            return None
        response.raise_for_status()
        page = response.json()
        items += page["data"]
        if not page.get("has_more"):
            return items
        after = page["after"]


def _texts(item: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in item.get("content", []))


async def check_threads(base: str, tokens: list[str], run: Run, strict: bool) -> list[str]:
    """Problems found in the run's threads, through items.list.

    strict (no faults): every thread holds exactly one user and one assistant message per turn
    sent. Otherwise (faults injected): messages alternate user/assistant, no text twice, and
    a user message without its answer can only be the last item (the turn a fault cut).
    """
    problems: list[str] = []
    semaphore = asyncio.Semaphore(50)

    async def check(thread_id: str, index: int) -> None:
        async with semaphore:
            items = await thread_items(client, base, tokens[index], thread_id)
        if items is None:
            # Announced (thread.created) but never written: its first turn failed before its
            # first message was stored — nothing half-written. Lost if any turn was answered.
            if strict or run.answered.get(thread_id):
                problems.append(f"{thread_id}: the thread is gone")
            return
        messages = [item for item in items if item["type"] in ("user_message", "assistant_message")]
        kinds = [item["type"] for item in messages]
        users = [_texts(item) for item in messages if item["type"] == "user_message"]
        ids = [item["id"] for item in items]
        if len(set(ids)) != len(ids):
            problems.append(f"{thread_id}: duplicated item ids")
        if len(set(users)) != len(users):
            problems.append(f"{thread_id}: a user message stored twice")
        if strict:
            expected = run.sent.get(thread_id, 0)
            counts = Counter(kinds)
            if counts["user_message"] != expected or counts["assistant_message"] != expected:
                problems.append(f"{thread_id}: {dict(counts)} for {expected} turns")
        for position, kind in enumerate(kinds):
            wanted = "user_message" if position % 2 == 0 else "assistant_message"
            if kind != wanted:
                problems.append(f"{thread_id}: {kinds} do not alternate")
                break
        if kinds and kinds[-1] == "user_message" and strict:
            problems.append(f"{thread_id}: the last user message has no answer")
        if not kinds:
            problems.append(f"{thread_id}: a thread without messages (half-written)")

    async with new_client(50) as client:
        await asyncio.gather(*(check(thread_id, index) for thread_id, index in run.threads.items()))
    return problems


async def steady_load(base: str, tokens: list[str], stop: asyncio.Event, run: Run) -> None:
    """Users taking turns in new threads until ``stop``; every turn is kept with its time."""

    async def one(index: int, token: str) -> None:
        number = 0
        connection = connect(base)
        while not stop.is_set():
            result = await turn(connection, token, None, f"{run.label} user {index} turn {number}")
            result.at = time.monotonic()
            run.turns.append(result)
            if result.thread_id:
                run.threads[result.thread_id] = index
                run.sent[result.thread_id] = 1
                run.answered[result.thread_id] = int(result.ok)
            number += 1
            await asyncio.sleep(0.05 if result.ok else 0.25)
        await connection.close()

    await asyncio.gather(*(one(index, token) for index, token in enumerate(tokens)))
