"""Widget actions (``threads.custom_action`` / ``sync_custom_action``) dispatched by type.

Apps register handlers with ``register_action(type, handler, sync_handler)``. A streaming
handler is an async generator of ChatKit events; a sync handler returns the updated item.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from chatkit.actions import Action
from chatkit.types import ThreadItem, ThreadMetadata, ThreadStreamEvent, WidgetItem

from conversations.engine.context import RequestContext

StreamHandler = Callable[
    [ThreadMetadata, Action[str, Any], WidgetItem | None, RequestContext], AsyncIterator[ThreadStreamEvent]
]
SyncHandler = Callable[
    [ThreadMetadata, Action[str, Any], WidgetItem | None, RequestContext], Awaitable[ThreadItem | None]
]


@dataclass(frozen=True)
class ActionHandlers:
    stream: StreamHandler | None
    sync: SyncHandler | None


_registry: dict[str, ActionHandlers] = {}


def register_action(
    action_type: str, *, stream: StreamHandler | None = None, sync: SyncHandler | None = None
) -> None:
    _registry[action_type] = ActionHandlers(stream=stream, sync=sync)


def handlers_for(action_type: str) -> ActionHandlers | None:
    return _registry.get(action_type)
