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
RECHECK_TYPE = "events.recheck"  # handled by EventsConsumer.events_recheck


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def event_send(*, group: str, event: dict[str, Any]) -> None:
    # A lost event must never fail what it reports on (_group_send logs and drops it).
    await _group_send(group, {"type": MESSAGE_TYPE, "event": event, "staff": group == STAFF_GROUP})


async def user_event_send(*, user_id: int, event: dict[str, Any]) -> None:
    await event_send(group=user_group(user_id), event=event)


_pending: set[asyncio.Task] = set()


def _send_from_sync(group: str, message: dict[str, Any]) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no loop in this thread, wait for the send
        async_to_sync(_group_send)(group, message)
        return
    # Sync code called from a thread that runs a loop cannot block on it: send in the background.
    task = loop.create_task(_group_send(group, message))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, message)
    except Exception as exc:  # never fail the write it follows
        logger.warning("Live message %s to %s dropped: %s", message.get("type"), group, exc)


def staff_event_send(*, event: dict[str, Any]) -> None:
    """From sync code (admin views, the task worker, management commands)."""
    _send_from_sync(STAFF_GROUP, {"type": MESSAGE_TYPE, "event": event, "staff": True})


def credentials_recheck_send(*, user_id: int, **kwargs: Any) -> None:
    """Every open socket of the user, on every worker, checks its credential again (the
    receiver of accounts.signals.credentials_changed)."""
    _send_from_sync(user_group(user_id), {"type": RECHECK_TYPE})


async def thread_event_send(
    *, user_id: int, kind: str, thread: Any = None, thread_id: str | None = None
) -> None:
    """``thread.created`` / ``thread.renamed`` (with id, title, created_at) or ``thread.deleted``."""
    if thread is not None:
        payload = {"id": thread.id, "title": thread.title, "created_at": thread.created_at.isoformat()}
    else:
        payload = {"id": thread_id}
    await user_event_send(user_id=user_id, event={"type": kind, "thread": payload})
