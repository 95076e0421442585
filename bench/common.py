"""Shared set-up for the benchmarks: a separate database, Django, and an instant model."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Benchmarks never touch the real data: they use their own database in the embedded server.
os.environ.setdefault("CHATKIT_DB_NAME", "chatkit_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def install_instant_model(tokens: int = 300) -> None:
    """Answer every turn at once with ``tokens`` words, streamed one word per event.

    A message "call TOOL {json arguments}" makes the model call TOOL first (when the turn offers
    it), then answer the same way: the cost of a turn that uses a task tool or an MCP server.
    """
    import json

    from conversations.engine import agent as agent_module
    from conversations.engine.offline_model import OfflineModel, _function_call, _last_user_text, _message

    text = " ".join(f"token{n}" for n in range(tokens))

    class InstantModel(OfflineModel):
        async def _decide(self, input: Any, tools: list[Any], output_schema: Any = None) -> list[Any]:
            if isinstance(input, str):
                input = [{"role": "user", "content": input}]
            items = [item if isinstance(item, dict) else item.model_dump() for item in input]
            if items and items[-1].get("type") == "function_call_output":
                return [_message(text)]
            question = _last_user_text(items)
            if question.startswith("call "):
                name, _, arguments = question.removeprefix("call ").partition(" ")
                if name in {getattr(tool, "name", "") for tool in tools}:
                    return [_function_call(name, json.loads(arguments or "{}"))]
            return [_message(text)]

    agent_module.build_model = lambda: InstantModel()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{label}: n={len(ms)} p50={statistics.median(ms):.1f} ms p95={percentile(ms, 95):.1f} ms "
        f"max={max(ms):.1f} ms"
    )
