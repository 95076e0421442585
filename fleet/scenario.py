"""What ``make scale-test`` proves, phase by phase; each phase adds its findings to the report.

1. load: U users x T turns through nginx, then every thread checked through items.list
   (exactly T user and T assistant messages; nothing lost or duplicated); figures at 1 user
   and at U users.
2. events: a socket on worker A receives the thread.created caused by a request on worker B
   (the Redis channel layer), and one through nginx (its WebSocket pass-through).
3. sigkill: the same load with one worker SIGKILLed midway: requests on it fail, nginx sends
   new ones to the others, every thread is consistent, and the unit restarts the worker.
4. graceful: a worker streaming slow answers gets SIGTERM: its open streams finish, new
   requests through nginx succeed meanwhile; migrations run while workers serve.
5. database: PostgreSQL stopped under load: 503s with a JSON detail (health too), then
   recovery once it is back, with the same worker processes.
6. redis: Redis stopped under load: turns go on (the cache degrades), health says degraded,
   then live events work again once it is back — same worker processes.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import websockets

from fleet.fleet import Fleet
from fleet.load import Run, check_threads, connect, load_run, new_client, steady_load, turn
from fleet.services import wait_for_port, wait_until_refused


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def figures(run: Run) -> dict[str, Any]:
    ok = [t for t in run.turns if t.ok]
    ttfb = [t.ttfb * 1000 for t in ok if t.ttfb is not None]
    total = [t.total * 1000 for t in ok]
    return {
        "turns": len(run.turns),
        "errors": len(run.errors),
        "seconds": round(run.seconds, 2),
        "turns_per_second": round(len(ok) / run.seconds, 1) if run.seconds else 0.0,
        "ttfb_ms_p50": round(statistics.median(ttfb), 1) if ttfb else None,
        "ttfb_ms_p95": round(percentile(ttfb, 95), 1) if ttfb else None,
        "turn_ms_p50": round(statistics.median(total), 1) if total else None,
        "turn_ms_p95": round(percentile(total, 95), 1) if total else None,
    }


async def phase_load(fleet: Fleet, tokens: list[str], turns: int) -> dict[str, Any]:
    single = await load_run(fleet.base, tokens[:1], turns * 4, "warm")
    run = await load_run(fleet.base, tokens, turns, "load")
    problems = await check_threads(fleet.base, tokens, run, strict=True)
    return {
        "one_user": figures(single),
        "all_users": figures(run),
        "threads": len(run.threads),
        "lost_or_duplicated": problems[:10],
        "lost_or_duplicated_count": len(problems),
        "error_samples": [t.error for t in run.errors[:5]],
        "ok": not run.errors and not problems and len(run.threads) == len(tokens),
    }


async def _socket(url: str, origin: str, token: str) -> websockets.ClientConnection:
    socket = await websockets.connect(url, origin=origin, open_timeout=10)
    await socket.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(await asyncio.wait_for(socket.recv(), 10))
    if ready.get("type") != "ready":
        raise RuntimeError(f"socket refused: {ready}")
    return socket


async def _next_thread_event(socket: websockets.ClientConnection) -> dict:
    while True:
        event = json.loads(await socket.recv())
        if event.get("type") == "thread.created":
            return event


async def cross_worker_event(fleet: Fleet, token: str, via_nginx: bool = False) -> dict[str, Any]:
    """A socket on worker 0 (or through nginx) sees thread.created from a request on worker 1."""
    base = fleet.base if via_nginx else fleet.worker_base(0)
    origin = fleet.base
    socket = await _socket(base.replace("http", "ws", 1) + "/ws/events", origin, token)
    try:
        connection = connect(fleet.worker_base(-1))
        result = await turn(connection, token, None, "cross-worker event")
        await connection.close()
        try:
            event = await asyncio.wait_for(_next_thread_event(socket), 10)
        except TimeoutError:
            return {"ok": False, "detail": "no thread.created event within 10 s", "turn_ok": result.ok}
        return {"ok": result.ok and event["thread"]["id"] == result.thread_id, "thread": result.thread_id}
    finally:
        await socket.close()


async def phase_events(fleet: Fleet, token: str) -> dict[str, Any]:
    direct = await cross_worker_event(fleet, token)
    proxied = await cross_worker_event(fleet, token, via_nginx=True)
    return {"worker_to_worker": direct, "through_nginx": proxied, "ok": direct["ok"] and proxied["ok"]}


async def phase_sigkill(fleet: Fleet, tokens: list[str], turns: int) -> dict[str, Any]:
    victim = fleet.web[0]
    pid_before, restarts_before = victim.pid, victim.restarts
    run = Run("kill")
    run_task = asyncio.create_task(load_run(fleet.base, tokens, turns, "kill", run))
    started = time.monotonic()
    while (
        not run_task.done() and len(run.turns) < len(tokens) * turns // 2 and time.monotonic() - started < 300
    ):
        await asyncio.sleep(0.01)
    victim.kill()
    killed_after = len(run.turns)
    await run_task
    deadline = time.monotonic() + 60
    while victim.restarts == restarts_before and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.to_thread(wait_for_port, fleet.worker_ports[0], 60)
    problems = await check_threads(fleet.base, tokens, run, strict=False)
    after = await load_run(fleet.worker_base(0), tokens[:5], 2, "after-kill")  # the new process itself
    return {
        "killed_after_turns": killed_after,
        "turns": len(run.turns),
        "failed_turns": len(run.errors),
        "threads": len(run.threads),
        "inconsistent": problems[:10],
        "inconsistent_count": len(problems),
        "restarted": victim.restarts > restarts_before and victim.pid != pid_before,
        "restarted_worker_errors": len(after.errors),
        "ok": not problems and victim.restarts > restarts_before and not after.errors,
    }


async def phase_graceful(fleet: Fleet, tokens: list[str]) -> dict[str, Any]:
    """SIGTERM on a worker with open streams; new requests go elsewhere; migrate meanwhile."""
    index = len(fleet.web) - 1
    await fleet.restart_worker(index, slow=True)  # a deploy: its answers now take ~1 s
    streams = Run("graceful-streams")
    in_flight = [
        asyncio.create_task(turn(connect(fleet.worker_base(index)), token, None, f"graceful {n}"))
        for n, token in enumerate(tokens[:5])
    ]
    await asyncio.sleep(0.4)
    stopped_at = time.monotonic()
    stop = asyncio.create_task(fleet.web[index].stop())
    finished: list[float] = []
    stop.add_done_callback(lambda _: finished.append(time.monotonic()))
    # New requests once the worker stopped listening (it closes its listener as SIGTERM arrives):
    # nginx must then send them to the others. How long that took is reported.
    listener_closed = await asyncio.to_thread(wait_until_refused, fleet.worker_ports[index])
    meanwhile = await load_run(fleet.base, tokens[5:15], 2, "graceful-new")
    migrate = await asyncio.to_thread(fleet.migrate)
    streams.turns = list(await asyncio.gather(*in_flight))
    exit_code = await stop
    stop_seconds = finished[0] - stopped_at
    fleet.web[index].env_file = fleet.env_file
    fleet.web[index].start()
    await asyncio.to_thread(wait_for_port, fleet.worker_ports[index], 60)
    return {
        "open_streams": len(streams.turns),
        "open_streams_finished": sum(1 for t in streams.turns if t.ok),
        "new_requests": len(meanwhile.turns),
        "new_request_errors": len(meanwhile.errors),
        "error_samples": [t.error[:160] for t in [*streams.errors, *meanwhile.errors][:3]],
        "worker_exit_code": exit_code,
        "stop_seconds": round(stop_seconds, 2),
        "listener_closed_seconds": round(listener_closed, 3),
        "migrate_while_serving": migrate,
        "ok": not streams.errors and not meanwhile.errors and migrate == "ok",
    }


async def _outage(
    fleet: Fleet,
    tokens: list[str],
    label: str,
    down: Callable[[], None],
    up: Callable[[], None],
    probe: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Steady load; ``down()``; ``probe`` during the outage; ``up()``; time to recover."""
    pids = [unit.pid for unit in fleet.web]
    stop = asyncio.Event()
    run = Run(label)
    load = asyncio.create_task(steady_load(fleet.base, tokens, stop, run))
    await asyncio.sleep(1.0)
    await asyncio.to_thread(down)
    down_at = time.monotonic()
    during = await probe()
    await asyncio.sleep(1.0)
    await asyncio.to_thread(up)
    up_at = time.monotonic()
    recovered_after = None
    while time.monotonic() - up_at < 60:
        status, body = await fleet.health()
        recent = [t for t in run.turns if t.at > time.monotonic() - 0.5]
        if status == 200 and body.get("status") == "ok" and recent and all(t.ok for t in recent):
            recovered_after = round(time.monotonic() - up_at, 2)
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    stop.set()
    await load
    statuses: dict[str, int] = {}
    for t in run.turns:
        key = "ok" if t.ok else str(t.status)
        statuses[key] = statuses.get(key, 0) + 1
    outage = [t for t in run.turns if down_at <= t.at <= up_at]
    return {
        "during": during,
        "turns": len(run.turns),
        "outcomes": statuses,
        "server_errors": sum(
            1 for t in run.turns if t.status is not None and t.status >= 500 and t.status != 503
        ),
        "turns_during_outage": len(outage),
        "recovered_seconds_after_restart": recovered_after,
        "same_worker_processes": [unit.pid for unit in fleet.web] == pids,
        "run": run,
    }


async def phase_database(fleet: Fleet, tokens: list[str]) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        await asyncio.sleep(0.5)
        status, body = await fleet.health()
        async with new_client(1) as client:
            answer = await client.post(
                f"{fleet.base}/api/chatkit",
                json={"type": "threads.list", "params": {"limit": 5}},
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
        try:
            detail = answer.json().get("detail")
        except ValueError:
            detail = None
        return {"health_status": status, "health": body.get("database"), "chatkit_status": answer.status_code,
                "chatkit_detail": detail}  # fmt: skip

    result = await _outage(fleet, tokens, "database", fleet.postgres.stop, fleet.postgres.start, probe)
    run = result.pop("run")
    problems = await check_threads(fleet.base, tokens, run, strict=False)
    during = result["during"]
    result["inconsistent"] = problems[:10]
    result["ok"] = (
        during["health_status"] == 503
        and during["chatkit_status"] == 503
        and bool(during["chatkit_detail"])
        and result["server_errors"] == 0
        and result["recovered_seconds_after_restart"] is not None
        and result["same_worker_processes"]
        and not problems
    )
    return result


async def phase_redis(fleet: Fleet, tokens: list[str]) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        await asyncio.sleep(0.5)
        status, body = await fleet.health()
        return {"health_status": status, "health": body.get("status"), "redis": body.get("redis")}

    result = await _outage(fleet, tokens, "redis", fleet.redis.stop, fleet.redis.start, probe)
    run = result.pop("run")
    outage_errors = [t for t in run.turns if not t.ok]
    events_after = {"ok": False}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not events_after["ok"]:
        try:
            events_after = await cross_worker_event(fleet, tokens[0])
        except (OSError, RuntimeError, websockets.WebSocketException) as exc:
            events_after = {"ok": False, "detail": str(exc)}
            await asyncio.sleep(1)
    during = result["during"]
    result["failed_turns"] = len(outage_errors)
    result["events_after_restart"] = events_after
    result["ok"] = (
        during["health_status"] == 200
        and during["redis"] == "unreachable"
        and not outage_errors
        and result["recovered_seconds_after_restart"] is not None
        and result["same_worker_processes"]
        and events_after["ok"]
    )
    return result


PHASES = ("load", "events", "sigkill", "graceful", "database", "redis")


async def scenario(fleet: Fleet, users: int, turns: int, phases: tuple[str, ...] = PHASES) -> dict[str, Any]:
    tokens = await asyncio.to_thread(fleet.tokens, max(users, 15))
    report: dict[str, Any] = {"workers": len(fleet.web), "users": users, "turns": turns}
    async with httpx.AsyncClient(timeout=10) as client:
        static = await client.get(f"{fleet.base}/static/conversations/chat.js")
    status, body = await fleet.health()
    report["nginx"] = {"static": static.status_code, "health": status, "redis": body.get("redis")}
    report["rss_mb_before"] = [round(size, 1) for size in fleet.rss_mb()]
    runs = {
        "load": lambda: phase_load(fleet, tokens[:users], turns),
        "events": lambda: phase_events(fleet, tokens[0]),
        "sigkill": lambda: phase_sigkill(fleet, tokens[:users], turns),
        "graceful": lambda: phase_graceful(fleet, tokens),
        "database": lambda: phase_database(fleet, tokens[:10]),
        "redis": lambda: phase_redis(fleet, tokens[:10]),
    }
    for name in phases:
        report[name] = await runs[name]()
        if name == "load":
            report["rss_mb_after_load"] = [round(size, 1) for size in fleet.rss_mb()]
    report["rss_mb_after"] = [round(size, 1) for size in fleet.rss_mb()]
    report["ok"] = report["nginx"]["static"] == 200 and all(report[name]["ok"] for name in phases)
    return report
