"""Short-lived, single-use tickets that open a WebSocket without putting a token in its URL.

Pages signed in with a session (the admin) cannot send a JWT; they POST /api/events/ticket and
send the ticket as the socket's first message. Tickets live in the shared cache, so a ticket
from one worker opens a socket on another.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache

PREFIX = "events:ticket:"


def ticket_issue(*, user_id: int) -> str:
    ticket = secrets.token_urlsafe(24)
    cache.set(PREFIX + ticket, user_id, settings.EVENTS_TICKET_SECONDS)
    return ticket


async def ticket_redeem(*, ticket: str) -> int | None:
    """The ticket's user id, once: a second redemption (or an unknown ticket) gives None."""
    if not isinstance(ticket, str) or not 16 <= len(ticket) <= 64:
        return None
    key = PREFIX + ticket
    user_id = await cache.aget(key)
    # Whoever deletes the key first owns the ticket; a concurrent redeemer gets False.
    if user_id is None or not await cache.adelete(key):
        return None
    return int(user_id)
