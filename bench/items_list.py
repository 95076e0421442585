"""items.list latency on a 1k-item and a 100k-item thread (keyset pagination).

    .venv/bin/python bench/items_list.py [--requests 200]

Items are inserted with one SQL statement each thread; requests go through the real view
(JWT auth, request parsing, store, serialization) with anchors spread over the thread.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from common import setup_django, summary


def make_thread(owner_id: int, thread_id: str, size: int) -> list[str]:
    from django.db import connection

    payload = (
        "jsonb_build_object('id', 'msg_' || n, 'thread_id', %(thread)s, 'type', 'assistant_message', "
        "'created_at', to_char(now() + n * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "'content', jsonb_build_array(jsonb_build_object('type', 'output_text', 'text', 'message ' || n, "
        "'annotations', '[]'::jsonb)))"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM conversations_thread WHERE id = %s", [thread_id])
        cursor.execute(
            "INSERT INTO conversations_thread (id, owner_id, title, status, metadata, created_at, updated_at) "
            "VALUES (%s, %s, 'bench', '{\"type\": \"active\"}', '{}', now(), now())",
            [thread_id, owner_id],
        )
        cursor.execute(
            "INSERT INTO conversations_threaditem (thread_id, item_id, item_type, payload, created_at) "
            f"SELECT %(thread)s, 'msg_' || n, 'assistant_message', {payload}, now() + n * interval '1 second' "
            "FROM generate_series(1, %(size)s) AS n",
            {"thread": thread_id, "size": size},
        )
        cursor.execute("ANALYZE conversations_threaditem")
    return [f"msg_{n}" for n in range(1, size + 1)]


def measure(client, thread_id: str, item_ids: list[str], requests: int) -> list[float]:
    rng = random.Random(42)
    timings = []
    for n in range(requests):
        after = None if n % 10 == 0 else rng.choice(item_ids)
        order = "asc" if n % 2 else "desc"
        params = {"thread_id": thread_id, "limit": 20, "order": order}
        if after:
            params["after"] = after
        start = time.perf_counter()
        response = client.post(
            "/api/chatkit",
            data=json.dumps({"type": "items.list", "params": params}),
            content_type="application/json",
        )
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from accounts.models import User
    from accounts.tokens import token_pair_for

    user, _ = User.objects.get_or_create(email="bench-items@example.com")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    results = {}
    for size in (1_000, 100_000):
        thread_id = f"thr_bench_{size}"
        started = time.perf_counter()
        ids = make_thread(user.id, thread_id, size)
        print(f"inserted {size} items in {time.perf_counter() - started:.1f} s")
        measure(client, thread_id, ids, 20)  # warm-up
        timings = measure(client, thread_id, ids, args.requests)
        results[size] = sorted(timings)[len(timings) // 2]
        print(summary(f"items.list (limit 20) on a {size}-item thread", timings))
    print(f"p50 ratio 100k / 1k: {results[100_000] / results[1_000]:.2f}")


if __name__ == "__main__":
    main()
