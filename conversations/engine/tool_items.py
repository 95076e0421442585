"""Every tool call of a turn, shown in the thread as a task of a ChatKit workflow item.

"Searched the knowledge base for …", "Called crm.lookup_customer": a loading task when the call
starts, complete (or the error) when it ends. The SDK's ``stream_agent_response`` closes the
workflow — collapsed — when the answer starts, and the store saves it with the thread.
Apps add what follows a tool (the tasks card after a task tool) with ``register_after_tool``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from agents import Agent, RunContextWrapper, RunHooks, Tool
from chatkit.agents import AgentContext
from chatkit.types import CustomTask
from django.utils.translation import gettext as _

logger = logging.getLogger("chatkit.conversations")

AfterTool = Callable[[AgentContext, str, str | None], Awaitable[None]]
_after: dict[str, AfterTool] = {}
ERROR_PREFIXES = ("The tool failed", "Error:", "An error occurred")
MAX_SHOWN = 80


def register_after_tool(tool_name: str, callback: AfterTool) -> None:
    """``callback(agent_context, tool_name, mcp_server_name)`` runs after each call of the tool."""
    _after[tool_name] = callback


def _short(value: Any) -> str:
    text = str(value or "").strip().replace("\n", " ")
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def server_of(tool: Tool) -> str | None:
    """The MCP server a tool comes from (the SDK marks the tools it makes from MCP tools)."""
    binding = getattr(tool, "_mcp_tool_binding", None)
    if isinstance(binding, tuple) and binding and isinstance(binding[0], str):
        return binding[0]
    origin = getattr(tool, "tool_origin", None)
    return getattr(origin, "mcp_server_name", None) if origin is not None else None


def title_for(name: str, arguments: dict[str, Any], server: str | None) -> tuple[str, str]:
    """What the user reads for a call, and its icon."""
    args = {key: _short(value) for key, value in arguments.items()}
    known: dict[str, tuple[str, str]] = {
        "search_knowledge_base": (_("Searched the knowledge base for “%(query)s”"), "search"),
        "get_weather": (_("Looked up the weather in %(city)s"), "globe"),
        "add_task": (_("Added the task “%(title)s”"), "check-circle"),
        "list_tasks": (_("Listed your tasks"), "check-circle"),
        "complete_task": (_("Completed task %(task_id)s"), "check-circle"),
        "update_task": (_("Updated task %(task_id)s"), "check-circle"),
        "delete_task": (_("Deleted task %(task_id)s"), "check-circle"),
        "show_widget": (_("Showed the widget %(slug)s"), "square-image"),
    }
    if name in known and (server is None or server == "tasks"):
        template, icon = known[name]
        try:
            return template % args, icon
        except (KeyError, TypeError, ValueError):
            pass
    if server:
        return _("Called %(server)s.%(tool)s") % {"server": server, "tool": name}, "bolt"
    return _("Called %(tool)s") % {"tool": name}, "bolt"


class ToolCallHooks(RunHooks[AgentContext]):
    def __init__(self) -> None:
        self._tasks: dict[str, int] = {}

    async def on_tool_start(
        self, context: RunContextWrapper[AgentContext], agent: Agent[Any], tool: Tool
    ) -> None:
        agent_context = context.context
        call_id = getattr(context, "tool_call_id", None) or f"call-{len(self._tasks)}"
        try:
            arguments = json.loads(getattr(context, "tool_arguments", None) or "{}")
        except json.JSONDecodeError:
            arguments = {}
        title, icon = title_for(tool.name, arguments if isinstance(arguments, dict) else {}, server_of(tool))
        task = CustomTask(title=title, icon=icon, status_indicator="loading")  # type: ignore[arg-type]
        await agent_context.add_workflow_task(task)
        if agent_context.workflow_item is not None:
            self._tasks[call_id] = len(agent_context.workflow_item.workflow.tasks) - 1

    async def on_tool_end(
        self, context: RunContextWrapper[AgentContext], agent: Agent[Any], tool: Tool, result: Any
    ) -> None:
        agent_context = context.context
        call_id = getattr(context, "tool_call_id", None)
        index = self._tasks.pop(call_id, None) if call_id else None
        workflow = agent_context.workflow_item
        if index is not None and workflow is not None and index < len(workflow.workflow.tasks):
            task = workflow.workflow.tasks[index].model_copy()
            task.status_indicator = "complete"
            text = str(result or "")
            if text.startswith(ERROR_PREFIXES):
                task.content = _short(text)  # type: ignore[union-attr]
            await agent_context.update_workflow_task(task, index)
        callback = _after.get(tool.name)
        if callback is not None:
            try:
                await callback(agent_context, tool.name, server_of(tool))
            except Exception:  # what follows a tool never fails the turn
                logger.exception("After-tool step of %s failed", tool.name)
