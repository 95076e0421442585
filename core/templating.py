"""Admin-provided Jinja templates and expressions, run in a sandbox with limits.

Widget templates (and, later, workflow expressions) are written by admins of the chat, and
being an admin of the chat must not mean running code on the host or stalling a worker. So:

* Jinja's ``ImmutableSandboxedEnvironment``: no private or internal attributes (the
  ``cycler.__init__.__globals__`` route to ``os`` is closed), no mutation of lists and dicts;
  string and container methods are an allow-list (``str.format``, ``center`` and other
  methods that allocate on request are not on it).
* Size limits: every string or list an operator, ``~`` or filter produces is checked, and the
  operators and filters that multiply sizes (``*``, ``**``, ``%``, ``center``, ``replace``,
  ``join``, ``batch``…) are checked *before* they allocate. The rendered output is cut off
  at ``TEMPLATE_MAX_OUTPUT_CHARS``.
* Loop limits: ``range`` and every ``for`` loop count their iterations against one budget
  per render (``TEMPLATE_MAX_ITERATIONS``).
* A time budget (``TEMPLATE_TIME_BUDGET_MS``), checked on every loop iteration, attribute
  access, call, operator, filter and output chunk.
* What a value *produces*, not its length: a list of 4,000 references to one 100,000-character
  string has length 4,000 but prints (or serialises) as 400 MB. Every value is measured as
  the text it would become (``produced_size``, with a budget, so measuring stops early)
  before it is printed, concatenated, formatted, passed to a filter or a method, and when an
  expression's value leaves the sandbox — so nothing large is ever allocated.

Callers on an event loop run templates in a worker thread (``render_template_async``,
``evaluate_expression_async``): a template that uses its whole time budget must not stall
the other requests of the process.

Any breach raises ``TemplateLimitError`` (a ``jinja2.TemplateError``) with a readable message.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from django.conf import settings
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_CHARS = 100_000
MAX_RANGE_ITEMS = 10_000
MAX_EXPONENT = 1_000
MAX_INT_BITS = 4_096

_STR_METHODS = frozenset(
    "capitalize casefold count endswith find index isalnum isalpha isdecimal isdigit islower "
    "isnumeric isspace istitle isupper lower lstrip partition removeprefix removesuffix rfind "
    "rindex rpartition rsplit rstrip split splitlines startswith strip swapcase title upper".split()
)
_DICT_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})
_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateLimitError(jinja2.TemplateError):
    """A template went over one of the sandbox's limits."""


@dataclass
class _Budget:
    deadline: float
    iterations: int = 0


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def _tick(iterations: int = 0) -> None:
    budget = _budget.get()
    if budget is None:
        return
    if time.monotonic() > budget.deadline:
        raise TemplateLimitError(f"the template took longer than {settings.TEMPLATE_TIME_BUDGET_MS} ms")
    if iterations:
        budget.iterations += iterations
        if budget.iterations > settings.TEMPLATE_MAX_ITERATIONS:
            raise TemplateLimitError(
                f"the template looped more than {settings.TEMPLATE_MAX_ITERATIONS} times"
            )


def _check_size(size: int, what: str = "a value") -> None:
    limit = settings.TEMPLATE_MAX_OUTPUT_CHARS
    if size > limit:
        raise TemplateLimitError(f"{what} would be longer than {limit} characters")


def produced_size(value: Any, limit: int) -> int:
    """About how many characters ``value`` becomes as text or JSON; stops once past ``limit``.

    Iterative and counting every reference again (aliasing is exactly how a small template
    builds a huge value), so its cost is bounded by ``limit``, not by the value.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            if total > limit:  # before the children are even looked at
                return total
            for key, child in item.items():
                stack.append(key)
                stack.append(child)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += max(1, item.bit_length() // 3)
        else:
            total += 8
        if total > limit:
            return total
    return total


def _check_produced(value: Any, what: str = "a value") -> None:
    if isinstance(value, str | bytes):
        _check_size(len(value), what)
    elif isinstance(value, list | tuple | dict | set | frozenset):
        limit = settings.TEMPLATE_MAX_OUTPUT_CHARS
        if produced_size(value, limit) > limit:
            raise TemplateLimitError(f"{what} would be longer than {limit} characters as text")


def _checked(value: Any) -> Any:
    _check_produced(value)
    return value


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Before a filter or method runs: what it is given is within the limits, so what it
    allocates from it (``tojson``, ``string``, ``pprint``…) is bounded too."""
    for value in (*args, *kwargs.values()):
        _check_produced(value)


class _CountedIterator:
    """Wraps what a ``for`` loop (or ``range``) iterates over: each item costs one iteration."""

    def __init__(self, iterable: Iterable[Any]) -> None:
        self._iterator = iter(iterable)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = next(self._iterator)
        _tick(1)
        return item


class _BudgetRange:
    """``range`` in templates: bounded in length, and every item iterated costs one iteration."""

    def __init__(self, *args: int) -> None:
        self._range = range(*args)
        if len(self._range) > MAX_RANGE_ITEMS:
            raise TemplateLimitError(f"range() may produce at most {MAX_RANGE_ITEMS} items")

    def __iter__(self) -> Iterator[int]:
        return _CountedIterator(self._range)

    def __len__(self) -> int:
        return len(self._range)

    def __contains__(self, item: object) -> bool:
        return item in self._range


def _loop_over(iterable: Any) -> Any:
    return _CountedIterator(iterable) if isinstance(iterable, Iterable) else iterable


class _Generator(CodeGenerator):
    """``a ~ b`` builds its string through the environment, so its size is checked."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_multiply(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            _check_size(len(seq) * max(times, 0))
    if isinstance(left, int) and isinstance(right, int) and _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
        raise TemplateLimitError(f"a number would be larger than {MAX_INT_BITS} bits")


def _check_power(left: Any, right: Any) -> None:
    if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
        raise TemplateLimitError(f"exponents are limited to {MAX_EXPONENT}")
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        if _int_bits(left) * right > MAX_INT_BITS:
            raise TemplateLimitError(f"a number would be larger than {MAX_INT_BITS} bits")


def _check_printf(template: str) -> None:
    for match in _PRINTF_SPEC.finditer(template):
        for number in match.groups():
            if number == "*" or (number and int(number) > 1000):
                raise TemplateLimitError("format widths and precisions are limited to 1000")


def _filter_center(value: Any, width: int = 80) -> str:
    _check_size(int(width) if isinstance(width, int) else 0)
    return str(value).center(width)


def _filter_indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    pad = len(width) if isinstance(width, str) else int(width)
    text = str(value)
    _check_size(len(text) + (text.count("\n") + 1) * max(pad, 0))
    return jinja2.filters.do_indent(text, width, first, blank)


def _filter_replace(eval_ctx: Any, value: Any, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    _check_size(len(text) + occurrences * max(len(new) - len(old), 0))
    return jinja2.filters.do_replace(eval_ctx, text, old, new, count)


def _filter_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    items = list(value) if not isinstance(value, str) else [value]
    _check_size(sum(len(str(item)) for item in items) + len(str(d)) * max(len(items) - 1, 0))
    return jinja2.filters.sync_do_join(eval_ctx, items, d, attribute)


def _filter_wordwrap(environment: Any, s: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
    wrapstring = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or "\n"
    _check_size(len(s) + (len(s) // max(int(width), 1) + 1) * len(str(wrapstring)))
    return jinja2.filters.do_wordwrap(environment, s, width, *args, **kwargs)


def _filter_format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_printf(str(value))
    return jinja2.filters.do_format(value, *args, **kwargs)


def _filter_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    if not isinstance(start, int | float):
        raise TemplateLimitError("sum() adds numbers only")
    return jinja2.filters.sync_do_sum(environment, iterable, attribute, start)


def _filter_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
    if int(linecount) > MAX_RANGE_ITEMS:
        raise TemplateLimitError(f"batch() sizes are limited to {MAX_RANGE_ITEMS}")
    return jinja2.filters.do_batch(value, linecount, fill_with)


def _filter_slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    if int(slices) > MAX_RANGE_ITEMS:
        raise TemplateLimitError(f"slice() counts are limited to {MAX_RANGE_ITEMS}")
    return jinja2.filters.sync_do_slice(value, slices, fill_with)


_GUARDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _filter_center,
    "indent": _filter_indent,
    "replace": jinja2.pass_eval_context(_filter_replace),
    "join": jinja2.pass_eval_context(_filter_join),
    "wordwrap": jinja2.pass_environment(_filter_wordwrap),
    "format": _filter_format,
    "sum": jinja2.pass_environment(_filter_sum),
    "batch": _filter_batch,
    "slice": _filter_slice,
}


def _budgeted_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """Every filter ticks the clock and has its result's size checked."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_arguments(args, kwargs)
        return _checked(function(*args, **kwargs))

    # Keep Jinja's pass_context / pass_environment marker.
    if hasattr(function, "jinja_pass_arg"):
        wrapper.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return wrapper


class LimitedSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False, cache_size=0, finalize=_checked)
        self.globals.pop("lipsum", None)
        self.globals["range"] = _BudgetRange
        filters = {**self.filters, **_GUARDED_FILTERS}
        self.filters = {name: _budgeted_filter(function) for name, function in filters.items()}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        # Every for loop counts its iterations, whatever it iterates over.
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name("_loop_over", "load"), [loop.iter], [], None, None)
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        _tick()
        if isinstance(obj, str | bytes):
            return attr in _STR_METHODS
        if isinstance(obj, dict):
            return attr in _DICT_METHODS
        if isinstance(obj, list | tuple):
            return attr in _SEQUENCE_METHODS
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format / format_map are not allowed (widths allocate on request)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_arguments(args, kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_arguments((left, right), {})
        if operator == "*":
            _check_multiply(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        elif (
            operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
        ):
            _check_size(len(left) + len(right))
        return _checked(super().call_binop(context, operator, left, right))

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        _tick()
        _check_arguments(parts, {})
        strings = [str(part) for part in parts]
        _check_size(sum(len(part) for part in strings))
        return "".join(strings)


_environment = LimitedSandbox()
_environment.globals["_loop_over"] = _loop_over


@lru_cache(maxsize=256)
def compile_template(source: str) -> jinja2.Template:
    """Parse and compile once per distinct source. Raises TemplateSyntaxError / TemplateLimitError."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateLimitError(f"templates are limited to {MAX_TEMPLATE_CHARS} characters")
    try:
        return _environment.from_string(source)
    except RecursionError:
        raise TemplateLimitError("the template is nested too deeply") from None


def _run(produce: Callable[[], Any]) -> Any:
    seconds = settings.TEMPLATE_TIME_BUDGET_MS / 1000
    token = _budget.set(_Budget(deadline=time.monotonic() + seconds))
    try:
        return produce()
    except RecursionError:
        raise TemplateLimitError("the template recurses too deeply") from None
    except MemoryError:
        raise TemplateLimitError("the template needs too much memory") from None
    except (OverflowError, ZeroDivisionError, ValueError, TypeError, KeyError, IndexError) as exc:
        # Errors of the template's own logic: report them like Jinja's own.
        raise jinja2.TemplateRuntimeError(f"{type(exc).__name__}: {exc}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise jinja2.TemplateRuntimeError(f"not allowed in templates: {exc}") from None
    finally:
        _budget.reset(token)


def render_template(source: str, context: dict[str, Any]) -> str:
    """Render ``source`` with ``context`` inside the sandbox, within the limits above."""
    template = compile_template(source)
    max_output = settings.TEMPLATE_MAX_OUTPUT_CHARS

    def produce() -> str:
        parts: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > max_output:
                raise TemplateLimitError(f"the template produced more than {max_output} characters")
            _tick()
            parts.append(chunk)
        return "".join(parts)

    return _run(produce)


@lru_cache(maxsize=256)
def _compile_expression(expression: str) -> Any:
    if len(expression) > MAX_TEMPLATE_CHARS:
        raise TemplateLimitError(f"expressions are limited to {MAX_TEMPLATE_CHARS} characters")
    try:
        return _environment.compile_expression(expression, undefined_to_none=False)
    except RecursionError:
        raise TemplateLimitError("the expression is nested too deeply") from None


def evaluate_expression(expression: str, context: dict[str, Any]) -> Any:
    """The value of a sandboxed Jinja expression (``state.count + 1``) within the same limits."""
    compiled = _compile_expression(expression)
    return _run(lambda: _checked(compiled(**context)))


async def render_template_async(source: str, context: dict[str, Any]) -> str:
    """``render_template`` off the event loop (in a worker thread, within the same budget)."""
    return await asyncio.to_thread(render_template, source, context)


async def evaluate_expression_async(expression: str, context: dict[str, Any]) -> Any:
    """``evaluate_expression`` off the event loop."""
    return await asyncio.to_thread(evaluate_expression, expression, context)


def check_syntax(source: str) -> str | None:
    """A readable syntax error of a template, or None."""
    try:
        compile_template(source)
    except jinja2.TemplateSyntaxError as exc:
        return f"line {exc.lineno}: {exc.message}"
    except TemplateLimitError as exc:
        return str(exc)
    return None


def compile_expression_or_error(expression: str) -> str | None:
    """A readable syntax error of an expression, or None."""
    try:
        _compile_expression(expression)
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or "invalid expression"
    except TemplateLimitError as exc:
        return str(exc)
    return None
