"""A registered MCP server connected only when a turn calls one of its tools.

Connecting a streamable-HTTP server costs a session set-up (two round trips) and a tool listing
(one more), and a registered server's tools are offered to the model on every turn of the
agents that use it, called on few of them. ``LazyServer`` offers the tools from a list kept per
process (``TOOLS_TTL_SECONDS``, keyed on the entry and its last change, so an edited entry is
listed again at once), and opens the session the first time the model calls one of its tools —
then keeps it for the rest of the turn, and closes it when the turn ends. A turn that finds no
list connects up front, as before, so a server that is down becomes a stand-in tool the model
can explain (``mcphub.clients.connected``).

Sessions are not kept across turns: a streamable-HTTP session lives in the task group of the task
that opened it, and a turn's tools run on the turn's tasks; the SDK's ``MCPServerManager`` gives
the session a task of its own for the one turn, which is what makes opening it from whichever
task calls the tool safe.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from agents.mcp import MCPServer, MCPServerManager
from mcp.types import CallToolResult

TOOLS_TTL_SECONDS = 300.0
_tool_lists: dict[tuple[Any, ...], tuple[float, list[Any]]] = {}


def tool_lists_forget() -> None:
    _tool_lists.clear()


class NotConnected(Exception):
    pass


class LazyServer(MCPServer):
    def __init__(self, inner: MCPServer, *, key: tuple[Any, ...], timeout: float, **options: Any) -> None:
        super().__init__(**options)
        self.inner = inner
        self.key = key
        self.timeout = timeout
        self.connections = 0  # sessions opened this turn (0 or 1): what the bench counts
        self._manager: MCPServerManager | None = None
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def cached_tools(self) -> list[Any] | None:
        # The SDK's own property, answered from the per-process list.
        entry = _tool_lists.get(self.key)
        if entry is None or time.monotonic() >= entry[0]:
            return None
        return list(entry[1])

    async def connect(self) -> None:
        async with self._lock:
            if self._manager is not None:
                return
            manager = MCPServerManager(
                [self.inner],
                connect_timeout_seconds=self.timeout,
                connect_in_parallel=True,  # the session gets a task of its own (see above)
                drop_failed_servers=True,
            )
            await manager.__aenter__()
            self.connections += 1
            if self.inner not in manager.active_servers:
                error = manager.errors.get(self.inner)
                await manager.__aexit__(None, None, None)  # the next call tries again
                raise NotConnected(f"{type(error).__name__}: {error}" if error else "it did not answer")
            self._manager = manager

    async def cleanup(self) -> None:
        manager, self._manager = self._manager, None
        if manager is not None:
            await manager.__aexit__(None, None, None)

    async def list_tools(self, run_context: Any = None, agent: Any = None) -> list[Any]:
        cached = self.cached_tools
        if cached is not None:
            return cached
        await self.connect()
        tools = await self.inner.list_tools(run_context, agent)
        _tool_lists[self.key] = (time.monotonic() + TOOLS_TTL_SECONDS, list(tools))
        return tools

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> CallToolResult:
        await self.connect()
        return await self.inner.call_tool(tool_name, arguments, meta)

    async def list_prompts(self) -> Any:
        await self.connect()
        return await self.inner.list_prompts()

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        await self.connect()
        return await self.inner.get_prompt(name, arguments)
