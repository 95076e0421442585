"""Workflow overhead per ChatKit turn: a 5-node graph against the plain assistant.

Both answer with the same instant 300-word model, in this process through Django's ASGI stack
(no HTTP server, so the difference is the workflow's own cost): full-turn time p50/p95 over
``--turns`` turns on one thread, and SQL statements per turn on a short and a long thread.

    .venv/bin/python bench/workflow_turn.py [--turns 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from common import install_instant_model, percentile, setup_django

GRAPH = {
    "nodes": [
        {"slug": "start", "kind": "start"},
        {"slug": "count", "kind": "state", "parameters": {
            "assignments": [{"target": "state.turns", "expression": "(state.turns or 0) + 1"}]}},
        {"slug": "first", "kind": "condition", "parameters": {"path": "state.turns", "operator": "greater_than",
                                                               "value": 0}},
        {"slug": "assistant", "kind": "agent"},
        {"slug": "end", "kind": "end"},
    ],
    "edges": [
        {"source": "start", "target": "count"},
        {"source": "count", "target": "first"},
        {"source": "first", "target": "assistant", "condition": "true"},
        {"source": "first", "target": "end", "condition": "false"},
        {"source": "assistant", "target": "end"},
    ],
}  # fmt: skip


def body(text: str, thread_id: str | None) -> str:
    message = {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}
    if thread_id is None:
        return json.dumps({"type": "threads.create", "params": {"input": message}})
    return json.dumps(
        {"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": message}}
    )


def measure(label: str, turns: int) -> tuple[float, float, int, int]:
    from asgiref.sync import async_to_sync
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.tokens import token_pair_for

    user, _ = User.objects.get_or_create(email=f"bench-workflow-{label}@example.com")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")

    async def drain(response) -> bytes:
        return b"".join([c async for c in response.streaming_content])

    @override_settings(DATABASE_CALLS_IN_REQUEST_THREAD=True)
    def turn(thread_id: str | None) -> tuple[float, int, str]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            raw = async_to_sync(drain)(
                client.post("/api/chatkit", data=body("hi", thread_id), content_type="application/json")
            )
            elapsed = time.perf_counter() - start
        assert b'"type":"error"' not in raw, raw[-300:]
        if thread_id is None:
            thread_id = json.loads(raw.split(b"\n\n", 1)[0].removeprefix(b"data: "))["thread"]["id"]
        return elapsed, len(queries), thread_id

    _, _, thread_id = turn(None)
    for _ in range(5):  # warm-up
        turn(thread_id)
    _, short, _ = turn(thread_id)
    times = [turn(thread_id)[0] for _ in range(turns)]
    _, long, _ = turn(thread_id)
    return statistics.median(times) * 1000, percentile(times, 95) * 1000, short, long


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    install_instant_model(300)

    from workflows import services
    from workflows.models import Workflow

    Workflow.objects.filter(slug="bench-five-nodes").delete()
    Workflow.objects.update(is_chatkit_default=False)
    plain = measure("plain", args.turns)
    version = services.workflow_create(slug="bench-five-nodes", display_name="Bench", graph=GRAPH)
    services.workflow_set_chatkit(workflow=version.workflow)
    workflow = measure("workflow", args.turns)
    services.workflow_set_chatkit(workflow=Workflow.objects.get(slug="assistant"))
    Workflow.objects.filter(slug="bench-five-nodes").delete()

    for label, (p50, p95, short, long) in (("plain assistant", plain), ("5-node workflow", workflow)):
        print(
            f"{label:>16}: full turn p50={p50:.1f} ms p95={p95:.1f} ms; SQL per turn {short} (short) / {long} (long)"
        )
    print(
        f"workflow overhead: p50 +{workflow[0] - plain[0]:.1f} ms, "
        f"SQL +{workflow[2] - plain[2]} (short) / +{workflow[3] - plain[3]} (long thread)"
    )


if __name__ == "__main__":
    main()
