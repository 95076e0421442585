"""Sending live events to the users they concern, over the channel layer.

Each connected user's sockets join ``user.<id>``; admins' sockets also join ``staff``. A
publisher never fails the write it reports on: with the channel layer down (Redis restarting)
the event is dropped and logged — clients that missed it catch up by reading the API, which is
also what they do when they have no socket at all (they poll).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger("chatkit.events")

STAFF_GROUP = "staff"
MESSAGE_TYPE = "events.event"  # handled by EventsConsumer.events_event


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def event_send(*, group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, {"type": MESSAGE_TYPE, "event": event})
    except Exception as exc:  # a lost event must never fail what it reports on
        logger.warning("Live event %s to %s dropped: %s", event.get("type"), group, exc)


async def user_event_send(*, user_id: int, event: dict[str, Any]) -> None:
    await event_send(group=user_group(user_id), event=event)


_pending: set[asyncio.Task] = set()


def staff_event_send(*, event: dict[str, Any]) -> None:
    """From sync code (admin views, the task worker, management commands)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no loop in this thread, wait for the send
        async_to_sync(event_send)(group=STAFF_GROUP, event=event)
        return
    # Sync code called from a thread that runs a loop cannot block on it: send in the background.
    task = loop.create_task(event_send(group=STAFF_GROUP, event=event))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def thread_event_send(
    *, user_id: int, kind: str, thread: Any = None, thread_id: str | None = None
) -> None:
    """``thread.created`` / ``thread.renamed`` (with id, title, created_at) or ``thread.deleted``."""
    if thread is not None:
        payload = {"id": thread.id, "title": thread.title, "created_at": thread.created_at.isoformat()}
    else:
        payload = {"id": thread_id}
    await user_event_send(user_id=user_id, event={"type": kind, "thread": payload})
