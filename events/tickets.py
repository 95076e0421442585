"""Short-lived, single-use tickets that open a WebSocket without putting a token in its URL.

Pages signed in with a session (the admin) cannot send a JWT; they POST /api/events/ticket and
send the ticket as the socket's first message. A ticket is signed (SECRET_KEY, the same on
every worker) and carries its user and age, so issuing one stores nothing — a caller asking
for many cannot fill the cache. Redeeming one records it in the shared cache, so it opens one
socket, once, on whichever worker.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "events.ticket"
USED_PREFIX = "events:ticket-used:"
MAX_TICKET_CHARS = 256


def ticket_issue(*, user_id: int) -> str:
    return signing.dumps({"u": user_id, "n": secrets.token_urlsafe(12)}, salt=SALT)


async def ticket_redeem(*, ticket: str) -> int | None:
    """The ticket's user id, once: a second redemption, an old or a forged ticket give None."""
    if not isinstance(ticket, str) or len(ticket) > MAX_TICKET_CHARS:
        return None
    try:
        claims = signing.loads(ticket, salt=SALT, max_age=settings.EVENTS_TICKET_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if (
        not isinstance(claims, dict)
        or not isinstance(claims.get("u"), int)
        or not isinstance(claims.get("n"), str)
    ):
        return None
    # Whoever records the nonce first owns the ticket; a replay (or a Redis outage) gets None.
    if not await cache.aadd(USED_PREFIX + claims["n"], 1, settings.EVENTS_TICKET_SECONDS + 5):
        return None
    return claims["u"]
