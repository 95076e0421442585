from __future__ import annotations

from itertools import pairwise

from conversations.tests.helpers import events_of, post, user_input


def say(client, thread_id: str, text: str) -> list[dict]:
    """One user message on an existing thread; its events."""
    payload = {
        "type": "threads.add_user_message",
        "params": {"thread_id": thread_id, "input": user_input(text)},
    }
    return events_of(post(client, payload))


def linear_graph(*middle: dict) -> dict:
    """start → middle… → end, in that order."""
    nodes = [{"slug": "start", "kind": "start"}, *middle, {"slug": "end", "kind": "end"}]
    return {"nodes": nodes, "edges": [{"source": a["slug"], "target": b["slug"]} for a, b in pairwise(nodes)]}
