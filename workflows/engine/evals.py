"""Test cases of a workflow, run by the dry-run engine (nothing written) and checked.

A case is user messages (and a start state) plus expectations; each expectation is one of
``KINDS``. The turns run like the editor's test console (``workflows.apis.console``), the state
carried from one message to the next as in a thread. A rubric is graded by a registry model with
a structured verdict; with no usable model it is skipped, with a note, never failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import regex
from chatkit.errors import CustomStreamError
from chatkit.store import Page
from chatkit.types import (
    AssistantMessageItem,
    InferenceOptions,
    ThreadItemDoneEvent,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)
from django.utils.translation import gettext as _

from conversations.engine.context import RequestContext, turn_user
from conversations.engine.converter import AttachmentAwareConverter
from conversations.engine.store import new_id
from workflows.engine.grading import rubric_grade
from workflows.engine.results import CaseResult, CheckResult
from workflows.graph import Graph
from workflows.models import ThreadWorkflow

KINDS = ("reaches", "status", "contains", "not_contains", "matches", "state_equals", "widget", "rubric")
MAX_MESSAGES = 20
MAX_EXPECTATIONS = 20
MAX_PATTERN_CHARS = 500
REGEX_SECONDS = 0.2


class _CaseStore:
    """What a turn asks of the store, in memory: the case's conversation so far."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def generate_item_id(self, item_type: str, thread: Any, context: Any) -> str:
        return new_id(item_type)

    async def load_thread_items(
        self, thread_id: str, after: Any, limit: int, order: str, context: Any
    ) -> Page:
        items = self.items[-limit:] if limit else list(self.items)
        return Page(data=list(reversed(items)) if order == "desc" else items, has_more=False)


@dataclass
class _Outcome:
    answers: list[str] = field(default_factory=list)
    widgets: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    thread_status: str = "active"
    error: str = ""


async def case_run(*, graph: Graph, case: Any, user: Any) -> CaseResult:
    """Run ``case`` (``messages``, ``state``, ``expectations``, ``name``, ``pk``) through ``graph``."""
    outcome = await _converse(
        graph=graph, messages=list(case.messages), state=dict(case.state or {}), user=user
    )
    checks = [await _check(expectation, outcome) for expectation in case.expectations]
    if outcome.error or any(c.outcome == "failed" for c in checks):
        verdict = "failed"
    elif checks and all(c.outcome == "skipped" for c in checks):
        verdict = "skipped"
    else:
        verdict = "passed"
    return CaseResult(
        case_id=getattr(case, "pk", None),
        name=case.name,
        outcome=verdict,
        checks=checks,
        answer=outcome.answers[-1] if outcome.answers else "",
        error=outcome.error,
        runs=outcome.runs,
    )


async def _converse(*, graph: Graph, messages: list[str], state: dict[str, Any], user: Any) -> _Outcome:
    from workflows.engine.turn import WorkflowTurn

    outcome = _Outcome(state=state)
    thread = ThreadMetadata(id=new_id("thread"), created_at=datetime.now())
    store = _CaseStore()
    server = SimpleNamespace(store=store, converter=AttachmentAwareConverter())
    context = RequestContext(user=user, base_url="http://testserver/")
    turn_user.set(user)
    row = ThreadWorkflow(thread_id=thread.id, state=state, resume={})
    for text in messages:
        if thread.status.type != "active":
            outcome.error = _("The thread was %(status)s before the message “%(text)s”.") % {
                "status": thread.status.type,
                "text": text[:80],
            }
            break
        item = UserMessageItem(
            id=new_id("message"), thread_id=thread.id, created_at=datetime.now(),
            content=[UserMessageTextContent(text=text)], attachments=[], inference_options=InferenceOptions(),
        )  # fmt: skip
        store.items.append(item)
        turn = WorkflowTurn(
            server=server,
            thread=thread,
            context=context,
            row=row,
            user_message=item,
            graph=graph,
            dry_run=True,
        )
        answer: list[str] = []
        try:
            async for event in turn.stream():
                if isinstance(event, ThreadItemDoneEvent):
                    store.items.append(event.item)
                    if isinstance(event.item, AssistantMessageItem):
                        answer.append(" ".join(part.text for part in event.item.content))
                    elif isinstance(event.item, WidgetItem):
                        outcome.widgets.append(str(getattr(event.item.widget, "type", "")))
        except CustomStreamError:
            pass  # the run records the failed step
        outcome.answers.append("\n".join(answer))
        outcome.runs.append(
            {"message": text, "status": turn.run.status, "error": turn.run.error, "steps": turn.run.steps,
             "state": turn.run.state_after}
        )  # fmt: skip
        outcome.state = turn.run.state_after if isinstance(turn.run.state_after, dict) else {}
        if turn.run.status == "failed":
            outcome.error = _("The turn for “%(text)s” failed: %(error)s") % {
                "text": text[:80],
                "error": turn.run.error,
            }
            break
    outcome.thread_status = thread.status.type
    return outcome


def _path_value(state: dict[str, Any], key: str) -> tuple[bool, Any]:
    value: Any = state
    for part in key.removeprefix("state.").split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _visited(outcome: _Outcome) -> list[str]:
    return [step["node"] for run in outcome.runs for step in run["steps"]]


async def _check(expectation: dict[str, Any], outcome: _Outcome) -> CheckResult:
    kind = expectation.get("type")
    answer = outcome.answers[-1] if outcome.answers else ""

    def result(ok: bool, failed: str) -> CheckResult:
        return CheckResult(expectation, "passed" if ok else "failed", "" if ok else failed)

    if kind == "reaches":
        path = " → ".join(_visited(outcome)) or "—"
        return result(
            expectation["step"] in _visited(outcome),
            _("Step “%(step)s” was not reached (path: %(path)s).")
            % {"step": expectation["step"], "path": path},
        )
    if kind == "status":
        last = outcome.runs[-1]["status"] if outcome.runs else ""
        actual = {last, outcome.thread_status}
        return result(
            expectation["value"] in actual,
            _("Expected status “%(want)s”, got run “%(run)s” and thread “%(thread)s”.")
            % {"want": expectation["value"], "run": last, "thread": outcome.thread_status},
        )
    if kind in ("contains", "not_contains"):
        found = expectation["text"].casefold() in answer.casefold()
        wanted = kind == "contains"
        message = (
            _("The answer does not contain “%(text)s”: “%(answer)s”.")
            if wanted
            else _("The answer contains “%(text)s”: “%(answer)s”.")
        )
        return result(found == wanted, message % {"text": expectation["text"], "answer": answer[:200]})
    if kind == "matches":
        try:
            ok = regex.search(expectation["pattern"], answer, timeout=REGEX_SECONDS) is not None
        except TimeoutError:
            return CheckResult(expectation, "failed", _("The pattern took too long to match."))
        return result(ok, _("The answer does not match /%(p)s/: “%(answer)s”.") % {
            "p": expectation["pattern"], "answer": answer[:200]})  # fmt: skip
    if kind == "state_equals":
        present, value = _path_value(outcome.state, expectation["key"])
        shown = json.dumps(value, ensure_ascii=False)[:200] if present else _("not set")
        return result(
            present and value == expectation.get("value"),
            _("State “%(key)s” is %(value)s, expected %(want)s.")
            % {"key": expectation["key"], "value": shown,
               "want": json.dumps(expectation.get("value"), ensure_ascii=False)[:200]},
        )  # fmt: skip
    if kind == "widget":
        want = expectation["kind"].casefold()
        return result(
            any(kind_.casefold() == want for kind_ in outcome.widgets),
            _("No “%(kind)s” widget was shown (shown: %(shown)s).")
            % {"kind": expectation["kind"], "shown": ", ".join(outcome.widgets) or "—"},
        )
    if kind == "rubric":
        return await rubric_grade(expectation, answer=answer, conversation=outcome.answers)
    return CheckResult(expectation, "failed", _("Unknown expectation type “%(type)s”.") % {"type": kind})
