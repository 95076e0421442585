"""MCP servers as agent tools, through the Agents SDK: admin-registered servers and this
project's own /mcp endpoint (the task tools of the default assistant).

A turn's registered servers are connected at most once (``connected``), when the model first
calls one of their tools, and closed when the turn ends (``mcphub.lazy``); a server whose tools
this process has not listed yet is connected at the start of the turn instead, in parallel with
the others. A server that does not answer becomes a stand-in tool that says so — the model sees
the error, the turn goes on — and one log line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from agents import FunctionTool, RunContextWrapper
from agents.mcp import (
    MCPServer,
    MCPServerStdio,
    MCPServerStreamableHttp,
    create_static_tool_filter,
)
from django.conf import settings
from django.core.cache import cache
from mcp.types import CallToolResult, TextContent

from core.credentials import CredentialError
from core.db import db_call
from mcphub.lazy import LazyServer
from mcphub.models import McpServer

logger = logging.getLogger("chatkit.mcp")

SELF_NAME = "tasks"  # the project's own endpoint, as agents know it
TASK_TOOLS = ["add_task", "list_tasks", "complete_task", "update_task", "delete_task"]


class Unavailable(Exception):
    pass


def _tool_error(ctx: RunContextWrapper[Any], error: Exception) -> str:
    logger.warning("MCP tool call failed: %s", error)
    return f"The tool failed: {error}"


def sdk_server(entry: McpServer) -> MCPServer:
    """The Agents SDK server of an admin-registered entry (not connected yet)."""
    common: dict[str, Any] = {
        "name": entry.name,
        "cache_tools_list": True,
        "client_session_timeout_seconds": entry.timeout_seconds,
        "tool_filter": create_static_tool_filter(allowed_tool_names=entry.allowed_tools)
        if entry.allowed_tools
        else None,
        "failure_error_function": _tool_error,
    }
    if entry.transport == McpServer.Transport.STDIO:
        if not settings.MCP_ALLOW_STDIO:
            raise Unavailable("stdio MCP servers are disabled on this server (MCP_ALLOW_STDIO).")
        return MCPServerStdio(params={"command": entry.command, "args": list(entry.args)}, **common)
    try:
        headers = entry.request_headers()  # only ever for the URL they were entered for
    except CredentialError as exc:
        raise Unavailable(str(exc)) from None
    # The mcp SDK follows redirects only within the URL's origin (stream_within_origin), so
    # the headers never travel to another host either.
    params = {"url": entry.url, "headers": headers, "timeout": entry.timeout_seconds}
    return MCPServerStreamableHttp(params=params, **common)  # type: ignore[arg-type]


class OwnTools(MCPServer):
    """The project's own task tools for one turn's user, called in process.

    The same tools /mcp serves (mcphub.endpoint: one definition, validated the same way), but
    no HTTP, no MCP session and no per-turn tool listing: ``list_tools`` is read once per
    process from the endpoint's server, ``call_tool`` calls it directly as the user. To the
    Agents SDK it is an MCP server named "tasks", so tool calls look and behave as before.
    """

    _tools: list[Any] | None = None

    def __init__(self, user: Any) -> None:
        super().__init__(failure_error_function=_tool_error)
        self.user = user

    @property
    def name(self) -> str:
        return SELF_NAME

    async def connect(self) -> None:
        return None

    async def cleanup(self) -> None:
        return None

    async def list_tools(self, run_context: Any = None, agent: Any = None) -> list[Any]:
        if OwnTools._tools is None:
            from mcphub.endpoint import server

            OwnTools._tools = [tool for tool in await server.list_tools() if tool.name in TASK_TOOLS]
        return list(OwnTools._tools)

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> CallToolResult:
        from mcp.server.mcpserver.exceptions import ToolError

        from mcphub.endpoint import current_user, server

        if tool_name not in TASK_TOOLS:
            return _error_result(f"Unknown tool: {tool_name}")
        token = current_user.set(self.user)
        try:
            result = await server.call_tool(tool_name, arguments or {})
        except ToolError as exc:  # what /mcp answers as an error result
            return _error_result(str(exc))
        finally:
            current_user.reset(token)
        return result  # type: ignore[return-value]

    async def list_prompts(self) -> Any:
        from mcp.types import ListPromptsResult

        return ListPromptsResult(prompts=[])

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        raise Unavailable("the project's own tools have no prompts")


def _error_result(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], isError=True)


def self_server(user: Any) -> MCPServer:
    """The project's own task tools, as ``user``: in process (``OwnTools``), or over HTTP to
    MCP_SELF_URL with a short-lived JWT of the user when that is set."""
    if not settings.MCP_SELF_URL:
        return OwnTools(user)
    from rest_framework_simplejwt.tokens import AccessToken

    params: dict[str, Any] = {
        "url": settings.MCP_SELF_URL,
        "timeout": 30,
        "headers": {"Authorization": f"Bearer {AccessToken.for_user(user)}"},
    }
    remote = MCPServerStreamableHttp(
        params=params,  # type: ignore[arg-type]
        name=SELF_NAME,
        client_session_timeout_seconds=30,
        tool_filter=create_static_tool_filter(allowed_tool_names=TASK_TOOLS),
        failure_error_function=_tool_error,
    )
    return LazyServer(
        remote, key=(SELF_NAME, settings.MCP_SELF_URL), timeout=30, failure_error_function=_tool_error
    )


def stand_in(name: str, reason: str, tool_names: list[str]) -> list[FunctionTool]:
    """Tools that answer with the server's error: its allowed tools, or one named after it."""

    async def unavailable(ctx: Any, arguments: str) -> str:
        return f"Error: the MCP server {name} is unavailable ({reason}). Tell the user; do not retry."

    schema = {"type": "object", "properties": {}, "additionalProperties": True}
    return [
        FunctionTool(
            name=tool,
            description=f"(unavailable) {tool} of the MCP server {name}",
            params_json_schema=schema,
            on_invoke_tool=unavailable,
            strict_json_schema=False,
        )
        for tool in (tool_names or [f"{name.replace('-', '_')}_unavailable"])
    ]


@dataclass
class Toolbox:
    """The connected servers of a turn, by name, and stand-in tools for those that failed."""

    servers: dict[str, MCPServer] = field(default_factory=dict)
    stand_ins: dict[str, list[FunctionTool]] = field(default_factory=dict)

    def pick(self, names: list[str]) -> tuple[list[MCPServer], list[FunctionTool]]:
        servers = [self.servers[name] for name in names if name in self.servers]
        tools = [tool for name in names for tool in self.stand_ins.get(name, [])]
        return servers, tools

    def report_calls_instead(self, calls: list[dict[str, Any]]) -> None:
        """A dry run (the editor's test console): the model sees every tool and may call them,
        but no MCP tool is called — an MCP tool may write (add a task, update a CRM), and which
        ones do cannot be known. Each call is recorded in ``calls`` and answered with a note."""
        for server in self.servers.values():

            async def reported(
                tool_name: str,
                arguments: dict[str, Any] | None,
                meta: dict[str, Any] | None = None,
                server_name: str = server.name,
            ) -> CallToolResult:
                calls.append({"server": server_name, "tool": tool_name, "arguments": arguments or {}})
                text = f"(test console) {server_name}.{tool_name} was not called: this is a dry run."
                return CallToolResult(content=[TextContent(type="text", text=text)], isError=False)

            server.call_tool = reported  # type: ignore[method-assign]


ASSISTANT_CACHE_KEY = "mcphub:assistant-servers"
# Read on every turn: kept MEMO_SECONDS in the process too (no Redis round trip per turn).
MEMO_SECONDS = 5.0
_memo: dict[str, tuple[float, list[str]]] = {}


def assistant_server_names() -> list[str]:
    """The servers of the default assistant, without a query per turn.

    Cached 60 s in the shared cache, and MEMO_SECONDS in each process. mcphub.signals clears
    both when an entry changes: the process that changed it sees it at once, the other
    workers (sharing the cache through Redis) within MEMO_SECONDS.
    """
    memo = _memo.get(ASSISTANT_CACHE_KEY)
    if memo is not None and time.monotonic() < memo[0]:
        names = memo[1]
    else:
        names = cache.get(ASSISTANT_CACHE_KEY)
        if names is None:
            names = list(
                McpServer.objects.filter(enabled=True, in_assistant=True).values_list("name", flat=True)
            )
            cache.set(ASSISTANT_CACHE_KEY, names, 60)
        _memo[ASSISTANT_CACHE_KEY] = (time.monotonic() + MEMO_SECONDS, names)
    return [*names, SELF_NAME] if settings.CHATKIT_TASK_TOOLS else list(names)


def assistant_servers_forget() -> None:
    _memo.clear()
    cache.delete(ASSISTANT_CACHE_KEY)


@asynccontextmanager
async def connected(names: list[str], *, user: Any) -> AsyncIterator[Toolbox]:
    """The servers ``names`` (SELF_NAME: the project's own) for one turn.

    Registered servers are ``LazyServer``s: a server whose tool list this process knows is not
    connected until the model calls one of its tools; the others are connected (in parallel)
    and listed now, so that one that is down becomes a stand-in tool. All are closed when the
    turn ends.
    """
    toolbox = Toolbox()
    wanted = [name for name in dict.fromkeys(names) if name != SELF_NAME]
    entries = {entry.name: entry for entry in await db_call(_entries, wanted)}
    lazy: list[LazyServer] = []
    allowed: dict[str, list[str]] = {}
    for name in wanted:
        entry = entries.get(name)
        if entry is None:
            reason = "it is not registered or is disabled"
        else:
            allowed[name] = list(entry.allowed_tools)
            try:
                lazy.append(lazy_server(entry))
                continue
            except Unavailable as exc:
                reason = str(exc)
        logger.warning("MCP server %s unavailable: %s", name, reason)
        toolbox.stand_ins[name] = stand_in(name, reason, allowed.get(name, []))
    if SELF_NAME in names and user is not None:
        own = self_server(user)
        if isinstance(own, LazyServer):
            lazy.append(own)
        else:
            toolbox.servers[own.name] = own
    try:
        await _list_unknown(lazy, allowed, toolbox)
        yield toolbox
    finally:
        await asyncio.gather(*(server.cleanup() for server in lazy), return_exceptions=True)


async def _list_unknown(lazy: list[LazyServer], allowed: dict[str, list[str]], toolbox: Toolbox) -> None:
    """Connect and list, in parallel, the servers whose tools this process does not know yet."""
    unknown = [server for server in lazy if server.cached_tools is None]
    results = await asyncio.gather(*(server.list_tools() for server in unknown), return_exceptions=True)
    failed = {
        server: result
        for server, result in zip(unknown, results, strict=True)
        if isinstance(result, BaseException)
    }
    for server in lazy:
        error = failed.get(server)
        if error is None:
            toolbox.servers[server.name] = server
            continue
        logger.warning("MCP server %s unreachable: %s: %s", server.name, type(error).__name__, error)
        toolbox.stand_ins[server.name] = stand_in(server.name, "unreachable", allowed.get(server.name, []))


def lazy_server(entry: McpServer) -> LazyServer:
    key = (entry.pk, entry.updated_at.isoformat() if entry.updated_at else "")
    return LazyServer(
        sdk_server(entry), key=key, timeout=entry.timeout_seconds, failure_error_function=_tool_error
    )


def _entries(names: list[str]) -> list[McpServer]:
    return list(McpServer.objects.filter(name__in=names, enabled=True)) if names else []


async def list_server_tools(entry: McpServer) -> list[dict[str, Any]]:
    """Connect once and list the tools (the admin's "test connection"); raises on failure."""
    server = sdk_server(entry)
    async with server:
        tools = await server.list_tools()
    return [{"name": tool.name, "description": tool.description or ""} for tool in tools]


@asynccontextmanager
async def assistant_toolbox(user: Any) -> AsyncIterator[tuple[list[MCPServer], list[FunctionTool]]]:
    """The default assistant's MCP servers, connected for one turn (the chat engine's hook)."""
    names = await db_call(assistant_server_names)
    async with connected(names, user=user) as toolbox:
        yield toolbox.pick(names)
