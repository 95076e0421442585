"""This project and the system it replaces, side by side on one machine, over the same model.

    .venv/bin/python bench/side_by_side.py --theirs http://127.0.0.1:18901 --their-token TOKEN
                                           [--model-port 18900] [--rounds 8] [--batch 20]
                                           [--users 10] [--concurrent-turns 10]

Starts the instant model server (bench/fake_openai.py, 300 deltas per answer) on --model-port
unless one already answers there, and this project (``chatkit_site.serve``: uvicorn, one
worker, the bench database) pointed at it with OPENAI_BASE_URL. The replaced system must already
run, pointed at the same model — for fpoisson2/test-chatkit's backend, one uvicorn worker:

    DATABASE_URL=postgresql+psycopg://…  AUTH_SECRET_KEY=…  OPENAI_API_KEY=sk-bench \\
    CHATKIT_API_BASE=http://127.0.0.1:18900  ADMIN_EMAIL=…  ADMIN_PASSWORD=…  ENVIRONMENT=production \\
    uvicorn server:app --host 127.0.0.1 --port 18901 --log-level warning --no-access-log

with its default workflow set to start → one agent step → end (PUT /api/workflows/current), and
--their-token an access token of its admin (POST /api/auth/login).

Then, with the same client code for both: ``--rounds`` rounds of ``--batch`` sequential turns of
one user per system, alternating which system goes first; ``--users`` concurrent users doing
``--concurrent-turns`` turns each (turns per second); and 200 unauthenticated POST /api/chatkit
(the 401). Prints p50/p95 of the first byte and the whole turn, the ratio of the p50s, and the
median of the per-round ratios (paired: both systems measured under the same conditions).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

from chat_turn import free_port, load, make_users, ms, unauthorized_latency
from common import ROOT, percentile, setup_django


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_for(port: int, what: str) -> None:
    for _ in range(300):
        if listening(port):
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start on port {port}")


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL)


def sequential(url: str, token: str, turns: int) -> tuple[list[float], list[float]]:
    run = asyncio.run(load(url, [token], turns))
    if run.errors:
        print(f"   errors at {url}: {run.errors[:2]}")
    return run.ttfb, run.total


def concurrent(url: str, tokens: list[str], turns: int) -> tuple[float, int, int]:
    started = time.perf_counter()
    run = asyncio.run(load(url, tokens, turns))
    return len(run.total) / (time.perf_counter() - started), len(run.total), len(run.errors)


def line(name: str, first: list[float], whole: list[float]) -> str:
    return (
        f"{name:<10} first byte p50 {ms(first, 50):>6} ms  p95 {ms(first, 95):>6} ms   "
        f"whole turn p50 {ms(whole, 50):>6} ms  p95 {ms(whole, 95):>6} ms   (n={len(whole)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--theirs", required=True, help="base URL of the replaced system")
    parser.add_argument("--their-token", required=True)
    parser.add_argument("--model-port", type=int, default=18900)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--concurrent-turns", type=int, default=10)
    args = parser.parse_args()

    setup_django()
    processes = []
    if not listening(args.model_port):
        processes.append(start([sys.executable, "bench/fake_openai.py", str(args.model_port)], {}))
        wait_for(args.model_port, "the instant model")
    port = free_port()
    model_env = {"OPENAI_BASE_URL": f"http://127.0.0.1:{args.model_port}/v1", "OPENAI_API_KEY": "sk-bench"}
    serve = [sys.executable, "-m", "chatkit_site.serve", "--host=127.0.0.1", f"--port={port}"]
    processes.append(start([*serve, "--no-access-log", "--log-level=warning"], model_env))
    try:
        wait_for(port, "this project")
        ours = f"http://127.0.0.1:{port}"
        our_tokens = make_users(args.users)
        systems = {
            "ours": (f"{ours}/api/chatkit", our_tokens[0], our_tokens),
            "theirs": (f"{args.theirs}/api/chatkit", args.their_token, [args.their_token] * args.users),
        }
        for name, (url, token, _) in systems.items():
            sequential(url, token, 5)  # warm-up: first threads, imports, connections
            print(f"{name}: warmed up")

        first = {name: [] for name in systems}
        whole = {name: [] for name in systems}
        ratios: list[float] = []
        first_ratios: list[float] = []
        for round_ in range(args.rounds):
            order = list(systems) if round_ % 2 == 0 else list(reversed(systems))
            p50 = {}
            for name in order:
                url, token, _ = systems[name]
                f, w = sequential(url, token, args.batch)
                first[name] += f
                whole[name] += w
                p50[name] = (statistics.median(f), statistics.median(w))
            ratios.append(p50["ours"][1] / p50["theirs"][1])
            first_ratios.append(p50["ours"][0] / p50["theirs"][0])
            print(
                f"round {round_ + 1}: whole-turn p50 ratio {ratios[-1]:.2f}, first byte {first_ratios[-1]:.2f}"
            )

        print(f"\n{args.rounds} rounds x {args.batch} sequential turns per system (1 user):")
        for name in systems:
            print(line(name, first[name], whole[name]))
        print(
            f"whole turn: p50 ratio {percentile(whole['ours'], 50) / percentile(whole['theirs'], 50):.2f}, "
            f"paired (median of rounds) {statistics.median(ratios):.2f}; first byte: p50 ratio "
            f"{percentile(first['ours'], 50) / percentile(first['theirs'], 50):.2f}, "
            f"paired {statistics.median(first_ratios):.2f}"
        )

        print(f"\n{args.users} concurrent users x {args.concurrent_turns} turns (twice, alternating):")
        rates: dict[str, list[float]] = {name: [] for name in systems}
        for order in (list(systems), list(reversed(systems))):
            for name in order:
                url, _, tokens = systems[name]
                rate, done, errors = concurrent(url, tokens, args.concurrent_turns)
                rates[name].append(rate)
                print(f"{name:<10} {rate:6.1f} turns/s ({done} turns, {errors} errors)")
        print(
            f"turns/s ratio (ours/theirs, mean of both passes): "
            f"{statistics.mean(rates['ours']) / statistics.mean(rates['theirs']):.2f}"
        )

        print("\n401 without credentials (POST /api/chatkit, 200 requests):")
        unauthorized = {
            name: unauthorized_latency(base) for name, base in (("ours", ours), ("theirs", args.theirs))
        }
        for name, times in unauthorized.items():
            print(f"{name:<10} p50 {ms(times, 50)} ms  p95 {ms(times, 95)} ms")
        print(
            f"401 p50 ratio: {percentile(unauthorized['ours'], 50) / percentile(unauthorized['theirs'], 50):.2f}"
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
