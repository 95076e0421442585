"""Running a workflow for one ChatKit turn.

The walk starts at the start node (or, for a widget action, at the node the widget named),
runs each step, and follows the edges until an end node (or ``MAX_STEPS``). Visible agents
stream through the ChatKit SDK as the plain assistant does; hidden ones only feed later steps.
The workflow's state is loaded once and saved once per turn with the turn's run log
(``WorkflowRun``): which version ran, each step with its timing, input, output and error, and
the state before and after. A failed step ends the turn with one error event and a failed run;
the thread stays usable. A cancelled turn (the client left) keeps what was streamed and is
recorded as cancelled.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agents import Runner
from chatkit.agents import AgentContext, stream_agent_response
from chatkit.errors import CustomStreamError
from chatkit.server import stream_widget
from chatkit.types import (
    ActiveStatus,
    AssistantMessageContent,
    AssistantMessageItem,
    ClosedStatus,
    LockedStatus,
    ThreadItemDoneEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
)
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from jinja2 import ChainableUndefined, Undefined

from conversations.engine.citations import annotate, sources_collect
from conversations.engine.pacing import PacedModel, PacedRun, StreamPace
from conversations.engine.store import new_id
from conversations.engine.tool_items import ToolCallHooks
from core.db import db_call
from core.templating import evaluate_expression_async, render_template_async
from core.validation import strip_nul
from events.publish import STAFF_GROUP, event_send
from mcphub.clients import connected
from workflows.engine.agents import build_agents, mcp_servers_by_node
from workflows.graph import Graph, Node, parse_graph
from workflows.models import ThreadWorkflow, Workflow, WorkflowRun, WorkflowVersion
from workflows.selectors import run_summary

logger = logging.getLogger("chatkit.workflows")

MAX_STEPS = 50
MAX_STATE_BYTES = 64 * 1024
SUMMARY_CHARS = 500
# The plain assistant's message: a failed step reads the same to the user.
STEP_FAILED = gettext_noop("The assistant could not answer right now. Please try again.")

_graphs: dict[int, Graph] = {}


def graph_of(version_id: int, raw: Callable[[], dict[str, Any]]) -> Graph:
    # Versions that run are immutable (activated once), so their parsed graph is kept.
    if version_id not in _graphs:
        _graphs[version_id] = parse_graph(raw())
    return _graphs[version_id]


# Read with the thread itself (conversations.engine.extensions.register_thread_annotation): the
# thread's workflow row, and the version that runs the chat for a thread that has none yet.
THREAD_ROW, DEFAULT_VERSION = "workflow_row", "workflow_default_version"


THREAD_ROW_SQL = """
    SELECT json_build_object(
        'version_id', tw.version_id, 'state', tw.state, 'resume', tw.resume,
        'apply', w.apply_to_running_threads, 'active', w.active_version_id)
      FROM workflows_threadworkflow tw
      JOIN workflows_workflowversion v ON v.id = tw.version_id
      JOIN workflows_workflow w ON w.id = v.workflow_id
     WHERE tw.thread_id = conversations_thread.id
"""
DEFAULT_VERSION_SQL = """
    SELECT active_version_id FROM workflows_workflow
     WHERE is_chatkit_default AND active_version_id IS NOT NULL LIMIT 1
"""


def _row_from(thread_id: str, extras: dict[str, Any]) -> ThreadWorkflow | None:
    """The row ``thread_workflow`` would read, from what the thread's query brought along."""
    data = extras[THREAD_ROW]
    if data is not None:
        version_id = data["active"] if data["apply"] and data["active"] is not None else data["version_id"]
        row = ThreadWorkflow(
            thread_id=thread_id, version_id=version_id, state=data["state"], resume=data["resume"]
        )
    elif extras[DEFAULT_VERSION] is not None:
        row = ThreadWorkflow(thread_id=thread_id, version_id=extras[DEFAULT_VERSION], state={}, resume={})
    else:
        return None
    if row.version_id not in _graphs:  # the graph is needed once per version and process
        row.version = WorkflowVersion.objects.get(pk=row.version_id)
    return row


def thread_workflow(thread_id: str, extras: dict[str, Any] | None = None) -> ThreadWorkflow | None:
    """The thread's workflow row (unsaved for a new thread), or None when no workflow runs the chat.

    ``extras``: what the thread's own query read (no query here, then)."""
    if extras is not None and THREAD_ROW in extras and DEFAULT_VERSION in extras:
        return _row_from(thread_id, extras)
    row = (
        ThreadWorkflow.objects.select_related("version__workflow__active_version")
        .filter(thread_id=thread_id)
        .first()
    )
    if row is not None:
        workflow = row.version.workflow
        if workflow.apply_to_running_threads and workflow.active_version is not None:
            row.version = workflow.active_version
        return row
    workflow = Workflow.objects.select_related("active_version").filter(is_chatkit_default=True).first()
    if workflow is None or workflow.active_version is None:
        return None
    return ThreadWorkflow(thread_id=thread_id, version=workflow.active_version, state={}, resume={})


# The thread's state and the turn's run log in one statement (atomic by itself, one round trip):
# the state row is inserted or replaced, and the run is inserted only if that succeeded.
_SAVE_SQL = """
WITH saved AS (
    INSERT INTO workflows_threadworkflow (thread_id, version_id, state, resume, updated_at)
    VALUES (%(thread)s, %(version)s, %(state)s::jsonb, %(resume)s::jsonb, %(now)s)
    ON CONFLICT (thread_id) DO UPDATE SET version_id = EXCLUDED.version_id, state = EXCLUDED.state,
        resume = EXCLUDED.resume, updated_at = EXCLUDED.updated_at
    RETURNING thread_id
)
INSERT INTO workflows_workflowrun
    (thread_id, version_id, trigger, status, steps, state_before, state_after, error, started_at, ended_at)
SELECT thread_id, %(run_version)s, %(trigger)s, %(status)s, %(steps)s::jsonb, %(before)s::jsonb,
       %(after)s::jsonb, %(error)s, %(started)s, %(ended)s
  FROM saved
RETURNING id, (SELECT workflow_id FROM workflows_workflowversion WHERE id = %(run_version)s),
          (SELECT version FROM workflows_workflowversion WHERE id = %(run_version)s)
"""


def _json(value: Any) -> str:
    # Text the model produced may hold NUL, which PostgreSQL refuses: stripped, as the store does.
    return json.dumps(strip_nul(value), default=str)


def _save(row: ThreadWorkflow, run: WorkflowRun) -> tuple[int, int] | None:
    """Keep the thread's state and log the run; the run's workflow id and version number."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_SQL,
            {
                "thread": row.thread_id, "version": row.version_id, "state": _json(row.state),
                "resume": _json(row.resume), "now": now, "run_version": run.version_id,
                "trigger": run.trigger, "status": run.status, "steps": _json(run.steps),
                "before": _json(run.state_before), "after": _json(run.state_after),
                "error": strip_nul(run.error), "started": run.started_at, "ended": run.ended_at,
            },
        )  # fmt: skip
        saved = cursor.fetchone()
    row.updated_at = now
    if saved is None:
        return None
    run.pk = saved[0]
    return saved[1], saved[2]


def _summary(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def _plain(value: Any) -> Any:
    """A JSON value (Jinja's Undefined is None; anything else unknown becomes its text)."""
    return json.loads(json.dumps(value, default=lambda v: None if isinstance(v, Undefined) else str(v)))


class _Lenient(dict):
    """A dict whose missing keys read as Jinja's undefined: ``state.name`` before anything set
    it renders as nothing, ``state.count | default(0)`` gives 0 and ``state.x is defined`` is
    false, as every Jinja user expects; deeper paths (``state.a.b``) stay undefined instead of
    failing. Stored, an undefined value is null (``_plain``)."""

    def __missing__(self, key: Any) -> Any:
        return ChainableUndefined(name=str(key))


def _lenient(value: Any) -> Any:
    if isinstance(value, dict):
        return _Lenient({key: _lenient(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_lenient(item) for item in value]
    return value


def resolve(path: str, scope: dict[str, Any]) -> Any:
    value: Any = scope
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def assign(state: dict[str, Any], target: str, value: Any) -> None:
    parts = target.split(".")[1:]  # "state.a.b" → a, b
    place = state
    for part in parts[:-1]:
        if not isinstance(place.get(part), dict):
            place[part] = {}
        place = place[part]
    place[parts[-1]] = value


def compare(operator: str, value: Any, expected: Any) -> bool:
    if operator == "truthy":
        return bool(value)
    if operator == "falsy":
        return not value
    if operator == "equals":
        return value == expected
    if operator == "not_equals":
        return value != expected
    if operator == "contains":
        try:
            return expected in value
        except TypeError:
            return False
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None:
        return False
    return number > expected if operator == "greater_than" else number < expected


def _text_of(item: UserMessageItem | None) -> str:
    if item is None:
        return ""
    return " ".join(part.text for part in item.content if isinstance(part, UserMessageTextContent)).strip()


@dataclass(frozen=True)
class Next:
    """Yielded by a step: the node to run next (None: the turn is over)."""

    slug: str | None


class WorkflowTurn:
    def __init__(
        self,
        *,
        server: Any,
        thread: ThreadMetadata,
        context: Any,
        row: ThreadWorkflow,
        user_message: UserMessageItem | None,
        action: dict[str, Any] | None = None,
        resume_at: str | None = None,
        rewriter: Any = None,
        graph: Graph | None = None,
        dry_run: bool = False,
    ) -> None:
        self.server = server
        self.thread = thread
        self.context = context
        self.row = row
        # A dry run (the editor's test console) runs a graph that is not saved, writes nothing
        # (no run log, no state, no knowledge-base document) and records the state after each step.
        self.dry_run = dry_run
        self.graph = graph if graph is not None else graph_of(row.version_id, lambda: row.version.graph)
        self.state: dict[str, Any] = copy.deepcopy(row.state or {})
        self.input: dict[str, Any] = {"text": _text_of(user_message), "action": action}
        self.resume_at = resume_at
        self.rewriter = rewriter
        self.run = WorkflowRun(
            thread_id=thread.id,
            version_id=row.version_id,
            trigger="action" if action else "message",
            state_before=copy.deepcopy(self.state),
            started_at=timezone.now(),
        )

    @property
    def scope(self) -> dict[str, Any]:
        user = self.context.user
        return {
            "state": _lenient(self.state),
            "input": _lenient(self.input),
            "user": {"id": user.pk, "email": user.email},
        }

    async def stream(self) -> AsyncIterator[ThreadStreamEvent]:
        slug: str | None = self.resume_at or self.graph.start.slug
        self.row.resume = {}
        try:
            for _count in range(MAX_STEPS):
                if slug is None:
                    break
                node = self.graph.nodes[slug]
                step = {"node": slug, "kind": node.kind, "started_at": timezone.now().isoformat()}
                step["input"] = _summary(_plain({k: v for k, v in self.input.items() if v is not None}))
                before = _plain(self.state)
                self.run.steps.append(step)
                try:
                    slug = None
                    async for event in self._step(node, step):
                        if isinstance(event, Next):
                            slug = event.slug
                        else:
                            yield event
                except (asyncio.CancelledError, CustomStreamError):
                    raise
                except Exception as exc:
                    step["error"] = f"{type(exc).__name__}: {exc}"[:SUMMARY_CHARS]
                    raise
                finally:
                    step["ended_at"] = timezone.now().isoformat()
                    after = _plain(self.state)
                    changes = {
                        k: after.get(k) for k in after.keys() | before.keys() if after.get(k) != before.get(k)
                    }
                    if changes:
                        step["state_changes"] = (
                            json.loads(json.dumps(changes))
                            if len(json.dumps(changes)) <= 4000
                            else {k: _summary(v) for k, v in changes.items()}
                        )
                    if self.dry_run:
                        step["state"] = after
            else:
                raise RuntimeError(f"the workflow took more than {MAX_STEPS} steps")
        except asyncio.CancelledError:
            await asyncio.shield(self._finish(WorkflowRun.Status.CANCELLED))
            raise
        except CustomStreamError as exc:
            await self._finish(WorkflowRun.Status.FAILED, exc.message)
            raise
        except Exception as exc:
            logger.exception("Workflow step failed in thread %s", self.thread.id)
            await self._finish(WorkflowRun.Status.FAILED, f"{type(exc).__name__}: {exc}")
            raise CustomStreamError(_(STEP_FAILED), allow_retry=True) from exc
        await self._finish(WorkflowRun.Status.COMPLETED)

    async def _finish(self, status: str, error: str = "") -> None:
        state = _plain(self.state)
        if len(json.dumps(state)) > MAX_STATE_BYTES:
            status, error, state = (
                WorkflowRun.Status.FAILED,
                "the workflow state grew past 64 KB",
                self.row.state,
            )
        self.run.status = status
        self.run.error = error[:2000]
        self.run.state_after = state
        self.run.ended_at = timezone.now()
        if status != WorkflowRun.Status.FAILED or not self.row.state:
            self.row.state = state
        if not self.dry_run:
            saved = await db_call(_save, self.row, self.run)
            if saved is not None:
                # Admins' editors list runs as they happen (the Runs panel, over /ws/events).
                workflow_id, number = saved
                summary = {**run_summary(self.run, user_email=self.context.user.email), "version": number}
                await event_send(
                    group=STAFF_GROUP,
                    event={"type": "workflow.run", "workflow_id": workflow_id, "run": summary},
                )

    async def _evaluate(self, expression: str) -> Any:
        # In a worker thread: a runaway expression uses its time budget without stalling the loop.
        return await evaluate_expression_async(expression, self.scope)

    async def _step(self, node: Node, step: dict[str, Any]) -> AsyncIterator[ThreadStreamEvent | str]:
        if not node.is_enabled:
            step["skipped"] = True
            yield Next(self.graph.next_after(node.slug, "false" if node.kind == "condition" else None))
            return
        handler = getattr(self, f"_{node.kind}")
        async for event in handler(node, step):
            yield event

    async def _start(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        yield Next(self.graph.next_after(node.slug))

    async def _condition(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        p = node.parameters
        value = resolve(p["path"], self.scope)
        outcome = compare(p["operator"], value, p.get("value"))
        step["input"], step["output"] = _summary(value), outcome
        yield Next(self.graph.next_after(node.slug, "true" if outcome else "false"))

    async def _state(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        changed = {}
        for assignment in node.parameters["assignments"]:
            value = _plain(await self._evaluate(assignment["expression"]))
            assign(self.state, assignment["target"], value)
            changed[assignment["target"]] = value
        step["output"] = _summary(changed)
        yield Next(self.graph.next_after(node.slug))

    async def _json_vector_store(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        p = node.parameters
        if p["operation"] == "upsert":
            from vectorstores.services import document_ingest

            doc_id = str(await self._evaluate(p["doc_id"]))
            document = _plain(await self._evaluate(p["document"]))
            metadata = _plain(await self._evaluate(p["metadata"])) if "metadata" in p else {}
            if self.dry_run:
                step["output"] = _summary(
                    {"store": p["store"], "doc_id": doc_id, "document": document, "stored": False}
                )
                yield Next(self.graph.next_after(node.slug))
                return
            # A record a user's turn writes is that user's: it may only replace their own
            # documents, unless the admin marked the step as writing shared documents.
            await db_call(
                document_ingest,
                store_slug=p["store"],
                doc_id=doc_id,
                document=document,
                metadata=metadata if isinstance(metadata, dict) else {},
                owner=None if p.get("shared") else self.context.user,
            )
            step["output"] = _summary({"store": p["store"], "doc_id": doc_id})
        else:
            from vectorstores.selectors import store_readable, store_search_async

            query = str(await self._evaluate(p["query"]) or "")
            # The step searches as the turn's user: a store they may not read is a missing one.
            store = await db_call(store_readable, user=self.context.user, slug=p["store"])
            hits = []
            if store is not None and query:
                hits = await store_search_async(
                    store=store, query=query, top_k=int(p.get("top_k", 5)), metadata_filters=p.get("filters")
                )
            # With each passage, its document's metadata (a place's coordinates, a quiz's questions…).
            results = [
                {
                    "doc_id": hit.doc_id,
                    "text": hit.text,
                    "score": round(float(hit.score), 4),
                    "metadata": hit.document_metadata or {},
                }
                for hit in hits
            ]
            assign(self.state, p.get("target", "state.search_results"), results)
            step["input"], step["output"] = query, _summary([r["doc_id"] for r in results])
            if store is None:
                step["output"] = f"no store {p['store']!r} readable by this user"
        yield Next(self.graph.next_after(node.slug))

    async def _widget(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        from widgets.agent_tools import widget_for

        p = node.parameters
        data = {name: _plain(await self._evaluate(expr)) for name, expr in p.get("variables", {}).items()}
        widget = await widget_for(p["widget"], data)
        async for event in stream_widget(self.thread, widget, generate_id=lambda kind: new_id(kind)):
            if isinstance(event, ThreadItemDoneEvent) and p.get("resume_at"):
                self.row.resume = {"item_id": event.item.id, "node": p["resume_at"]}
            yield event
        step["output"] = _summary(data)
        yield Next(self.graph.next_after(node.slug))

    async def _end(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        p = node.parameters
        if p.get("message"):
            text = await render_template_async(p["message"], self.scope)
            step["output"] = _summary(text)
            yield ThreadItemDoneEvent(
                item=AssistantMessageItem(
                    id=new_id("message"),
                    thread_id=self.thread.id,
                    created_at=datetime.now(),
                    content=[AssistantMessageContent(text=text)],
                )
            )
        status = p.get("status")
        if status:
            reason = status.get("reason")
            reason = await render_template_async(reason, self.scope) if reason else None
            kinds = {"closed": ClosedStatus, "locked": LockedStatus}
            self.thread.status = (
                kinds[status["type"]](reason=reason) if status["type"] in kinds else ActiveStatus()
            )
        yield Next(None)  # an end node ends the walk

    async def _agent(self, node: Node, step: dict[str, Any]) -> AsyncIterator[Any]:
        p = node.parameters
        output = p.get("output", {"type": "text"})
        visible = p.get("show_in_chat", True) and output["type"] == "text"
        pace = StreamPace()
        by_node = await db_call(mcp_servers_by_node, self.graph, node.slug)
        names = [name for names in by_node.values() for name in names]
        # The MCP servers of this step's agents are connected for the step and closed after it.
        async with connected(names, user=self.context.user) as toolbox:
            if self.dry_run:
                toolbox.report_calls_instead(step.setdefault("tool_calls_not_made", []))
            agent = await build_agents(
                self.graph, node.slug, self.scope, lambda model: PacedModel(model, pace), toolbox, by_node
            )
            async for event in self._run_agent(agent, node, step, pace, visible):
                yield event

    async def _run_agent(
        self, agent: Any, node: Node, step: dict[str, Any], pace: StreamPace, visible: bool
    ) -> AsyncIterator[Any]:
        p = node.parameters
        output = p.get("output", {"type": "text"})
        agent_input = await self._agent_input(p)
        agent_context = AgentContext(
            thread=self.thread, store=self.server.store, request_context=self.context
        )
        # The step's search tools add what they found; the answer carries it unless the step says not.
        sources = sources_collect(self.context.base_url) if p.get("show_sources", True) else None
        result = Runner.run_streamed(agent, agent_input, context=agent_context, hooks=ToolCallHooks())
        step["input"] = _summary(self.input.get("text") or self.input.get("action"))
        try:
            if visible:
                async for event in stream_agent_response(agent_context, PacedRun(result, pace)):  # type: ignore[arg-type]
                    event = annotate(event, sources)
                    yield self.rewriter.rewrite(event) if self.rewriter else event
            else:
                pace.close()  # nobody reads a hidden agent's stream: never hold its model
                async for _event in result.stream_events():
                    pass
        except asyncio.CancelledError:
            result.cancel()
            raise
        final = result.final_output
        if output["type"] == "widget":
            from widgets.agent_tools import widget_for

            widget = await widget_for(output["widget"], final if isinstance(final, dict) else {})
            async for event in stream_widget(self.thread, widget, generate_id=lambda kind: new_id(kind)):
                yield event
        if isinstance(final, str):
            self.input["output_text"], self.input["output_parsed"] = final, None
        else:
            self.input["output_text"] = json.dumps(final, ensure_ascii=False)
            self.input["output_parsed"] = _plain(final)
        if result.last_agent is not agent:
            step["handed_off_to"] = result.last_agent.name
        step["output"] = _summary(final)
        yield Next(self.graph.next_after(node.slug))

    async def _agent_input(self, p: dict[str, Any]) -> Any:
        if not p.get("include_history", True) or self.input.get("action"):
            text = self.input.get("text") or json.dumps(self.input.get("action"), ensure_ascii=False)
            return [{"role": "user", "content": text or "…"}]
        limit = int(p.get("history_items", settings.CHATKIT_HISTORY_ITEMS))
        history = await self.server.store.load_thread_items(
            self.thread.id, after=None, limit=limit, order="desc", context=self.context
        )
        return await self.server.converter.to_agent_input(list(reversed(history.data)))


# --- The chat engine's entry points (registered in conversations.engine.extensions) -----------


async def message_turn(
    server: Any, thread: ThreadMetadata, context: Any, user_message: UserMessageItem | None, rewriter: Any
) -> AsyncIterator[ThreadStreamEvent] | None:
    """The events of a user message when a workflow runs the thread, else None."""
    row = await db_call(thread_workflow, thread.id, context.thread_extras.get(thread.id))
    if row is None:
        return None
    turn = WorkflowTurn(
        server=server, thread=thread, context=context, row=row, user_message=user_message, rewriter=rewriter
    )
    return turn.stream()


async def action_turn(
    server: Any, thread: ThreadMetadata, action: Any, sender: Any, context: Any, rewriter: Any
) -> AsyncIterator[ThreadStreamEvent] | None:
    """The events of a widget action that resumes the thread's workflow, else None."""
    row = await db_call(thread_workflow, thread.id, context.thread_extras.get(thread.id))
    if row is None or sender is None or row.resume.get("item_id") != sender.id:
        return None
    turn = WorkflowTurn(
        server=server, thread=thread, context=context, row=row, user_message=None,
        action={"type": action.type, "payload": action.payload or {}},
        resume_at=row.resume["node"], rewriter=rewriter,
    )  # fmt: skip
    return turn.stream()
