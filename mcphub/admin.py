"""MCP servers in the admin: register, enable, and test the connection (lists the tools)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mcphub.clients import Unavailable, list_server_tools
from mcphub.models import McpServer


def connection_report(entry: McpServer) -> tuple[bool, str]:
    """Whether the server answered, and what to tell the admin."""
    try:
        tools = async_to_sync(list_server_tools)(entry)
    except Unavailable as exc:
        return False, str(exc)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return False, f"{type(exc).__name__}: {exc}"[:500]
    names = ", ".join(tool["name"] for tool in tools) or _("no tools")
    return True, names


@admin.register(McpServer)
class McpServerAdmin(admin.ModelAdmin):
    list_display = ("name", "transport", "target", "enabled", "in_assistant", "updated_at")
    list_filter = ("enabled", "in_assistant", "transport")
    search_fields = ("name", "description", "url")
    actions = ["test_connection"]
    fields = (
        "name", "description", "transport", "url", "command", "args", "headers", "timeout_seconds",
        "allowed_tools", "enabled", "in_assistant",
    )  # fmt: skip

    @admin.display(description=_("URL or command"))
    def target(self, entry: McpServer) -> str:
        return entry.url if entry.transport == McpServer.Transport.STREAMABLE_HTTP else entry.command

    @admin.action(description=_("Test the connection (lists the tools)"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[McpServer]) -> None:
        for entry in queryset[:10]:
            ok, report = connection_report(entry)
            if ok:
                self.message_user(
                    request, _("%(name)s answered. Tools: %(tools)s") % {"name": entry.name, "tools": report}
                )
            else:
                self.message_user(
                    request, _("%(name)s did not answer: %(error)s") % {"name": entry.name, "error": report},
                    messages.ERROR,
                )  # fmt: skip

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"args": [], "headers": {}, "allowed_tools": []}
