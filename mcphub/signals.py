"""A changed MCP server entry clears the default assistant's cached list of servers, and the
tool lists this process keeps (mcphub.lazy)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from mcphub.clients import assistant_servers_forget
from mcphub.lazy import tool_lists_forget
from mcphub.models import McpServer


@receiver([post_save, post_delete], sender=McpServer)
def forget_assistant_servers(**kwargs: Any) -> None:
    assistant_servers_forget()
    # Other workers see the change through the entry's updated_at, part of the list's key.
    tool_lists_forget()
