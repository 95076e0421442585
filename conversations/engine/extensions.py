"""What other apps plug into the chat engine.

The engine sits below the apps that extend it (workflows, mcphub, tools, tasks, widgets,
vectorstores): they import it, never the reverse. Each registers its part here in its
``AppConfig.ready``; without one, the engine does without (the plain assistant, no MCP server,
the weather tool handed to the browser).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

# (server, thread, context, user_message, rewriter) → the turn's events, or None when no
# workflow runs this thread (the plain assistant answers).
MessageTurn = Callable[..., Any]
# (server, thread, action, sender, context, rewriter) → the events of a widget action that
# resumes a workflow, or None when the action is not one.
ActionTurn = Callable[..., Any]
# user → an async context manager giving the assistant's connected MCP servers and the
# stand-in tools of those that failed, for one turn.
AssistantToolbox = Callable[[Any], AbstractAsyncContextManager[tuple[list[Any], list[Any]]]]


@dataclass
class _Extensions:
    message_turn: MessageTurn | None = None
    action_turn: ActionTurn | None = None
    assistant_toolbox: AssistantToolbox | None = None
    server_weather_tool: Any = None
    # name → an SQL expression (a scalar subquery; the thread's row is ``conversations_thread``)
    # selected by the query that loads a thread; its value lands in
    # RequestContext.thread_extras[thread_id]. Raw SQL: this query runs every turn, and building
    # ORM subqueries cost more than the round trip they save.
    thread_annotations: dict[str, str] = field(default_factory=dict)


extensions = _Extensions()


def register_turns(*, message: MessageTurn, action: ActionTurn) -> None:
    """The workflow engine: it answers a thread's turns when a workflow runs the chat."""
    extensions.message_turn, extensions.action_turn = message, action


def register_thread_annotation(name: str, sql: str) -> None:
    """Read something of yours with the thread, in the same query (workflows: the thread's state)."""
    extensions.thread_annotations[name] = sql


def register_assistant_toolbox(toolbox: AssistantToolbox) -> None:
    """mcphub: the MCP servers of the default assistant, connected for a turn."""
    extensions.assistant_toolbox = toolbox


def register_server_weather_tool(tool: Any) -> None:
    """tools: the weather tool that looks the weather up on the server (CHATKIT_WEATHER_TOOL)."""
    extensions.server_weather_tool = tool


@asynccontextmanager
async def _no_toolbox(user: Any) -> AsyncIterator[tuple[list[Any], list[Any]]]:
    yield [], []


def assistant_toolbox(user: Any) -> AbstractAsyncContextManager[tuple[list[Any], list[Any]]]:
    return (extensions.assistant_toolbox or _no_toolbox)(user)
