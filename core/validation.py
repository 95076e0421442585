"""Checks for text that reaches PostgreSQL: no NUL characters, bounded JSON nesting.

PostgreSQL refuses NUL (U+0000) in ``text`` and ``jsonb`` values, so a NUL that gets as far as
an INSERT turns a bad request into a server error. The rule of this project: NUL in anything a
client sends is refused with 400 at the edge (parsers, serializers, forms, the ChatKit endpoint);
text the server produces itself (model output, tool results) has its NULs stripped by the store,
so a turn never fails on one. JSON nesting is bounded so that recursive code (validation,
rendering, pydantic) never meets a tree deeper than it can walk.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
# Deep enough for any real document or widget tree, shallow enough for recursive walkers.
MAX_JSON_DEPTH = 64


def json_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """What is wrong with a parsed JSON value, or None. Iterative: deep input cannot overflow it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if NUL in node:
                return "contains a NUL character (\\u0000), which is not allowed"
        elif isinstance(node, float):
            if not math.isfinite(node):  # NaN and ±Infinity: JSON has no such number
                return "contains a number that is not finite (NaN or Infinity)"
        elif isinstance(node, dict | list):
            if depth > max_depth:
                return f"is nested more than {max_depth} levels deep"
            if isinstance(node, dict):
                for key, child in node.items():
                    if isinstance(key, str) and NUL in key:
                        return "contains a NUL character (\\u0000), which is not allowed"
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in node)
    return None


def validate_json_value(value: Any) -> None:
    """Model-field validator for JSONFields (admin forms run it through full_clean)."""
    problem = json_problem(value)
    if problem is not None:
        raise ValidationError(_("The JSON value %(problem)s.") % {"problem": problem}, code="unsafe_json")


def strip_nul(value: Any) -> Any:
    """A copy of a JSON value without NUL characters (for text the server itself produced)."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list):
        return [strip_nul(item) for item in value]
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    return value
