"""MCP servers in the admin: register, enable, and test the connection (lists the tools)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.usage import RefuseDeletingWhatIsUsed
from mcphub.clients import Unavailable, list_server_tools
from mcphub.models import McpServer, header_problems

logger = logging.getLogger("chatkit.mcp")


# One answer for every network failure: refused, reset, timed out, TLS, not MCP… Telling them
# apart would turn "Test the connection" into a port scanner of the server's own network.
NO_ANSWER = _("it could not be reached, or did not answer as an MCP server.")


def connection_report(entry: McpServer) -> tuple[bool, str]:
    """Whether the server answered, and what to tell the admin."""
    try:
        tools = async_to_sync(list_server_tools)(entry)
    except Unavailable as exc:  # this entry's own configuration: safe to say
        return False, str(exc)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        logger.info("MCP server %s: test connection failed (%s)", entry.name, type(exc).__name__)
        return False, str(NO_ANSWER)
    names = ", ".join(tool["name"] for tool in tools) or _("no tools")
    return True, names


class WriteOnlyTextarea(forms.Textarea):
    """Never renders a value back, not even the one just posted with an error elsewhere."""

    def format_value(self, value: Any) -> None:
        return None


class McpServerForm(forms.ModelForm):
    """Headers are write-only: entered here, sealed, never shown again (only their names)."""

    new_headers = forms.JSONField(
        label=_("Set headers"),
        required=False,
        widget=WriteOnlyTextarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            'Header name → value, e.g. {"Authorization": "Bearer …"}. Replaces the stored headers; '
            "leave empty to keep them. Stored encrypted, sent only to this server's URL, never shown "
            "again. Changing the URL to another server clears them."
        ),
    )
    clear_headers = forms.BooleanField(label=_("Clear the stored headers"), required=False)

    class Meta:
        model = McpServer
        fields = (
            "name", "description", "transport", "url", "command", "args", "timeout_seconds",
            "allowed_tools", "enabled", "in_assistant",
        )  # fmt: skip

    def clean_new_headers(self) -> Any:
        value = self.cleaned_data.get("new_headers")
        if value in (None, "", {}):
            return None
        problems = header_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def save(self, commit: bool = True) -> McpServer:
        entry = super().save(commit=False)
        if self.cleaned_data.get("clear_headers"):
            entry.headers_clear()
        elif self.cleaned_data.get("new_headers"):
            entry.headers_set(self.cleaned_data["new_headers"])
        if commit:
            entry.save()
        return entry


@admin.register(McpServer)
class McpServerAdmin(RefuseDeletingWhatIsUsed, admin.ModelAdmin):
    usage_kind = "mcp_server"  # a published workflow's mcp_server is listed as protected

    def usage_name(self, obj: Any) -> str:
        return obj.name

    list_display = ("name", "transport", "target", "enabled", "in_assistant", "updated_at")
    list_filter = ("enabled", "in_assistant", "transport")
    search_fields = ("name", "description", "url")
    actions = ["test_connection"]
    form = McpServerForm
    fields = (
        "name", "description", "transport", "url", "command", "args", "headers_stored", "new_headers",
        "clear_headers", "timeout_seconds", "allowed_tools", "enabled", "in_assistant",
    )  # fmt: skip
    readonly_fields = ("headers_stored",)

    @admin.display(description=_("Headers set"))
    def headers_stored(self, entry: McpServer) -> str:
        return ", ".join(entry.header_names) or "—"

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
        return {"args": [], "allowed_tools": []}
