"""The tasks card: the user's to-do list in the chat, with complete and delete buttons.

Shown after each task tool call of the assistant; its buttons are widget actions
(``tasks.complete`` / ``tasks.delete`` with ``{"id": …}``) that change the task and redraw the card.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chatkit.actions import Action
from chatkit.agents import AgentContext
from chatkit.errors import CustomStreamError
from chatkit.types import ThreadItem, ThreadItemReplacedEvent, ThreadMetadata, ThreadStreamEvent, WidgetItem
from django.utils.translation import gettext as _

from conversations.engine.context import RequestContext
from core.db import db_call
from tasks import selectors, services
from tasks.models import Task
from widgets.validation import widget_root

COMPLETE_ACTION = "tasks.complete"
DELETE_ACTION = "tasks.delete"
SHOWN = 20
PRIORITY_COLORS = {"high": "danger", "medium": "warning", "low": "secondary"}


def _row(task: Task) -> dict[str, Any]:
    buttons = []
    if not task.completed:
        buttons.append(
            {
                "type": "Button", "label": _("Done"), "size": "sm", "style": "primary",
                "onClickAction": {"type": COMPLETE_ACTION, "payload": {"id": task.pk}},
            }
        )  # fmt: skip
    buttons.append(
        {
            "type": "Button", "label": _("Delete"), "size": "sm", "style": "secondary",
            "onClickAction": {"type": DELETE_ACTION, "payload": {"id": task.pk}},
        }
    )  # fmt: skip
    details = [task.get_priority_display()]
    if task.due_date:
        details.append(_("due %(date)s") % {"date": task.due_date.isoformat()})
    return {
        "type": "Row",
        "gap": 2,
        "align": "center",
        "children": [
            {
                "type": "Col",
                "flex": 1,
                "children": [
                    {
                        "type": "Text",
                        "value": task.title,
                        "lineThrough": task.completed,
                        "weight": "semibold",
                    },
                    {"type": "Caption", "value": " · ".join(details)},
                ],
            },
            {"type": "Spacer"},
            *buttons,
        ],
    }


def tasks_card(tasks: list[Task]) -> Any:
    open_count = sum(1 for task in tasks if not task.completed)
    children: list[dict[str, Any]] = [
        {"type": "Title", "value": _("Your tasks"), "size": "sm"},
        {"type": "Caption", "value": _("%(count)s open") % {"count": open_count}},
    ]
    if tasks:
        children += [_row(task) for task in tasks[:SHOWN]]
    else:
        children.append({"type": "Text", "value": _("No tasks yet."), "color": "secondary"})
    return widget_root({"type": "Card", "size": "md", "children": children})


def _current(user: Any) -> list[Task]:
    return list(selectors.task_list(user=user)[:SHOWN])


async def show_tasks_card(agent_context: AgentContext, tool_name: str, server: str | None) -> None:
    """After a task tool of this project (not a same-named tool of another MCP server)."""
    if server not in (None, "tasks"):
        return
    user = agent_context.request_context.user
    card = tasks_card(await db_call(_current, user))
    await agent_context.stream_widget(card, copy_text=None)


def _apply(user: Any, action_type: str, payload: dict[str, Any]) -> list[Task]:
    task_id = payload.get("id")
    task = selectors.task_get(user=user, task_id=task_id) if isinstance(task_id, int) else None
    if task is None:
        raise LookupError
    if action_type == COMPLETE_ACTION:
        services.task_update(task=task, completed=True)
    else:
        services.task_delete(task=task)
    return _current(user)


async def _redrawn(
    action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> WidgetItem:
    if sender is None:
        raise CustomStreamError(_("This action needs the card it comes from."), allow_retry=False)
    try:
        tasks = await db_call(_apply, context.user, action.type, action.payload or {})
    except LookupError:
        raise CustomStreamError(_("That task no longer exists."), allow_retry=False) from None
    return sender.model_copy(update={"widget": tasks_card(tasks)})


async def task_action_stream(
    thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> AsyncIterator[ThreadStreamEvent]:
    yield ThreadItemReplacedEvent(item=await _redrawn(action, sender, context))


async def task_action_sync(
    thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> ThreadItem:
    return await _redrawn(action, sender, context)
