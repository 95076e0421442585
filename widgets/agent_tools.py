"""Widgets in conversations: the show_widget tool and the rating action handlers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from agents import RunContextWrapper, function_tool
from chatkit.actions import Action
from chatkit.agents import AgentContext
from chatkit.types import ThreadItem, ThreadItemReplacedEvent, ThreadMetadata, ThreadStreamEvent, WidgetItem

from conversations.engine.context import RequestContext
from conversations.models import Feedback
from conversations.models import ThreadItem as ThreadItemRow
from core.db import db_call
from widgets.builtin import BUILTIN, rating_thanks_card
from widgets.models import WidgetTemplate
from widgets.validation import build_widget


async def widget_for(slug: str, data: dict[str, Any] | None) -> Any:
    widget = await db_call(WidgetTemplate.objects.filter(slug=slug).first)
    if widget is not None:
        # A template widget renders in a worker thread: its time budget never stalls the loop.
        return await asyncio.to_thread(build_widget, widget.definition, data)
    if slug in BUILTIN:
        return BUILTIN[slug](data)
    raise LookupError(slug)


@function_tool(
    name_override="show_widget",
    description_override=(
        "Show a widget from the widget library in the conversation. Pass its slug and, for template "
        "widgets, the data to fill it with as a JSON object. Built-in widgets: 'rating' (asks whether "
        "the answer helped) and 'weather' (a weather report)."
    ),
    strict_mode=False,
)
async def show_widget(
    ctx: RunContextWrapper[AgentContext], slug: str, data: dict[str, Any] | None = None
) -> str:
    try:
        widget = await widget_for(slug, data)
    except LookupError:
        return f"There is no widget {slug!r}."
    except ValueError as exc:
        return f"The data does not fit widget {slug!r}: {exc}"
    await ctx.context.stream_widget(widget, copy_text=json.dumps(data, ensure_ascii=False) if data else None)
    return f"The widget {slug!r} is now shown to the user."


async def _record_rating(
    thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> WidgetItem:
    if sender is None:
        raise ValueError("widget.rate needs the widget it comes from")
    rating = (action.payload or {}).get("rating")
    if rating not in ("positive", "negative"):
        raise ValueError('widget.rate takes a payload {"rating": "positive" | "negative"}')
    await db_call(_save_rating, thread.id, sender.id, context.user, rating)
    return sender.model_copy(update={"widget": rating_thanks_card(rating)})


def _save_rating(thread_id: str, item_id: str, user: Any, rating: str) -> None:
    row = ThreadItemRow.objects.get(thread_id=thread_id, item_id=item_id)
    Feedback.objects.update_or_create(item=row, user=user, defaults={"kind": rating})


async def rate_stream(
    thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> AsyncIterator[ThreadStreamEvent]:
    # Replaced items are saved by the SDK, so a reload shows the thanked card.
    yield ThreadItemReplacedEvent(item=await _record_rating(thread, action, sender, context))


async def rate_sync(
    thread: ThreadMetadata, action: Action[str, Any], sender: WidgetItem | None, context: RequestContext
) -> ThreadItem:
    return await _record_rating(thread, action, sender, context)
