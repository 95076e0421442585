"""Templates and expressions are limited by what they *produce*, not by the length of a value.

The audit's bomb: ``['a'*100000]*4000`` is a list of length 4,000, but 400 MB as text or JSON.
Each case below must fail with a limit error, allocating little; tracemalloc measures the peak.
"""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from core.templating import (
    TemplateLimitError,
    evaluate_expression,
    produced_size,
    render_template,
    render_template_async,
)

MEMORY_LIMIT = 50 * 1024 * 1024
BIG = "{% set x = 'a' * 100000 %}"

EXPRESSION_BOMBS = [
    "['a' * 100000] * 4000",
    "[['a' * 100000] * 1] * 4000",
    "{'k': ['a' * 100000] * 4000}",
    "(['a' * 100000] * 2) + (['a' * 100000] * 2)",
    "dict(a=['a' * 100000] * 4000)",
]

TEMPLATE_BOMBS = [
    "{{ ['a' * 100000] * 4000 }}",
    BIG + "{{ [" + ", ".join(["x"] * 3000) + "] }}",
    BIG + "{{ [" + ", ".join(["x"] * 3000) + "] | tojson }}",
    BIG + "{{ [" + ", ".join(["x"] * 3000) + "] | string | length }}",
    BIG + "{{ 'y' ~ [" + ", ".join(["x"] * 3000) + "] }}",
    BIG + "{{ '%s' % ([" + ", ".join(["x"] * 3000) + "],) }}",
    "{% for i in range(20000) %}{{ 'a' * 100000 }}{% endfor %}",
]


def _peak_while(function) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(TemplateLimitError):
            function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("expression", EXPRESSION_BOMBS)
def test_a_state_expression_bomb_fails_without_allocating_what_it_would_produce(expression):
    assert _peak_while(lambda: evaluate_expression(expression, {})) < MEMORY_LIMIT


@pytest.mark.parametrize("template", TEMPLATE_BOMBS)
def test_an_end_message_bomb_fails_without_allocating_what_it_would_produce(template):
    assert _peak_while(lambda: render_template(template, {})) < MEMORY_LIMIT


def test_a_value_is_measured_as_the_text_it_becomes_and_measuring_stops_early():
    shared = "a" * 100_000
    assert produced_size([shared, shared], 10**9) > 200_000
    assert 300_000 < produced_size([shared] * 10**6, 300_000) < 10**7  # stopped, not 100 GB counted
    assert produced_size({"k": [1, 2, "xy"]}, 10**9) < 50


def test_ordinary_values_still_pass():
    assert evaluate_expression("[state.name] * 3", {"state": {"name": "Ada"}}) == ["Ada"] * 3
    assert render_template("{{ items | tojson }}", {"items": list(range(100))}).startswith("[0, 1")


async def test_rendering_runs_off_the_event_loop(settings):
    """A template using its whole time budget must not stall the other requests of the process."""
    settings.TEMPLATE_TIME_BUDGET_MS = 300
    settings.TEMPLATE_MAX_ITERATIONS = 10**9
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    running = asyncio.create_task(ticker())
    slow = (
        "{% for a in range(10000) %}{% for b in range(10000) %}{{ b|string|length }}{% endfor %}{% endfor %}"
    )
    with pytest.raises(TemplateLimitError, match="took longer than"):
        await render_template_async(slow, {})
    running.cancel()
    assert ticks > 5  # the loop kept running while the template used its budget
