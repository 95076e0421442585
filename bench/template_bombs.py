"""Template and expression bombs against a real server: how long a bomb takes to fail its step,
how much the server's memory grows, and how long /api/health takes to answer meanwhile.

Serves the project with uvicorn (the production server) on its own bench database, then runs
each bomb through the editor's test console and through a chat turn of a saved workflow, while
another thread asks /api/health every 20 ms.

    .venv/bin/python bench/template_bombs.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time

import httpx
import psutil
from common import ROOT, percentile, setup_django

BOMBS = {
    "state expression ['a'*100000]*4000": {
        "slug": "bomb", "kind": "state",
        "parameters": {"assignments": [{"target": "state.x", "expression": "['a' * 100000] * 4000"}]},
    },
    "end message {{ ['a'*100000]*4000 }}": {
        "slug": "bomb", "kind": "end", "parameters": {"message": "{{ ['a' * 100000] * 4000 }}"},
    },
    "end message, a loop of 100 KB strings": {
        "slug": "bomb", "kind": "end",
        "parameters": {"message": "{% for i in range(20000) %}{{ 'a' * 100000 }}{% endfor %}"},
    },
    "end message that works for its whole time budget": {
        "slug": "bomb", "kind": "end",
        "parameters": {"message": "{% for a in range(10000) %}{{ ('x' * 150000).upper() | length }}{% endfor %}"},
    },
}  # fmt: skip


def graph_with(bomb: dict) -> dict:
    if bomb["kind"] == "end":
        return {
            "nodes": [{"slug": "start", "kind": "start"}, bomb],
            "edges": [{"source": "start", "target": "bomb"}],
        }
    return {
        "nodes": [{"slug": "start", "kind": "start"}, bomb, {"slug": "end", "kind": "end"}],
        "edges": [{"source": "start", "target": "bomb"}, {"source": "bomb", "target": "end"}],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HealthProbe(threading.Thread):
    """Asks /api/health every 20 ms; keeps each answer's latency and when it was asked."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.samples, self.stopped = base, [], threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stopped.is_set():
                started = time.perf_counter()
                client.get(f"{self.base}/api/health")
                self.samples.append((started, time.perf_counter() - started))
                time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from accounts.tests.factories import UserFactory
    from accounts.tokens import token_pair_for
    from workflows import services
    from workflows.models import Workflow

    admin = UserFactory(email=f"bomb-bench-{time.time_ns()}@example.com", is_admin=True)
    token = token_pair_for(user=admin).access_token
    assistant = Workflow.objects.get(slug="assistant")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), str(port), "10", "uvicorn"]
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        process = psutil.Process(server.pid)
        headers = {"Authorization": f"Bearer {token}"}
        print(f"uvicorn (1 worker) on 127.0.0.1:{port}; TEMPLATE_TIME_BUDGET_MS=500; instant model")
        for label, bomb in BOMBS.items():
            graph = graph_with(bomb)
            for where in ("test console", "chat turn"):
                if where == "chat turn":
                    Workflow.objects.filter(slug="bomb-bench").delete()
                    version = services.workflow_create(slug="bomb-bench", display_name="Bomb", graph=graph)
                    services.workflow_set_chatkit(workflow=version.workflow)
                times, growth, errors = [], [], []
                probe = HealthProbe(base)
                probe.start()
                rss_before = process.memory_info().rss
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    if where == "test console":
                        body = {"graph": graph, "message": "hi"}
                        url = f"{base}/api/workflows/{assistant.pk}/test"
                    else:
                        message = {"content": [{"type": "input_text", "text": "hi"}], "attachments": [],
                                   "inference_options": {}}  # fmt: skip
                        body = {"type": "threads.create", "params": {"input": message}}
                        url = f"{base}/api/chatkit"
                    answer = httpx.post(url, content=json.dumps(body), headers={
                        **headers, "Content-Type": "application/json"}, timeout=60).text  # fmt: skip
                    times.append(time.perf_counter() - started)
                    growth.append(process.memory_info().rss - rss_before)
                    errors.append('"error"' in answer or '"failed"' in answer)
                probe.stopped.set()
                probe.join()
                during = [latency for asked, latency in probe.samples]
                print(
                    f"{label} [{where}]: failed its step {sum(errors)}/{len(errors)}; "
                    f"p50 {percentile(times, 50) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
                    f"server RSS growth max {max(growth) / 2**20:.1f} MB; "
                    f"health meanwhile: {len(during)} answers, p50 {percentile(during, 50) * 1000:.1f} ms, "
                    f"max {max(during) * 1000:.1f} ms"
                )
        services.workflow_set_chatkit(workflow=assistant)
        Workflow.objects.filter(slug="bomb-bench").delete()
    finally:
        server.terminate()
        server.wait(30)
        admin.delete()


if __name__ == "__main__":
    main()
