"""Short-lived, single-use tickets that open a WebSocket without putting a token in its URL.

Pages signed in with a session (the admin) cannot send a JWT; they POST /api/events/ticket and
send the ticket as the socket's first message. A ticket is signed (SECRET_KEY, the same on
every worker) and carries its user and age, so issuing one stores nothing — a caller asking
for many cannot fill the cache. Redeeming one records it in the shared cache, so it opens one
socket, once, on whichever worker.

A ticket also carries the credential that asked for it — its login session (``sid``), a hash
of the password hash, when it was issued and when it expires — so the socket it opens is
checked like that credential (logout, a new password, "log out everywhere" end it) and lives
no longer than it.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "events.ticket"
USED_PREFIX = "events:ticket-used:"
MAX_TICKET_CHARS = 512  # a signed ticket with its claims is about 300 characters


@dataclass(frozen=True)
class Ticket:
    user_id: int
    claims: dict[str, Any]  # chatkit's credential claims: sid, password hash hash, iat
    expires_at: float  # when the issuing token or session expires (epoch seconds)


def ticket_issue(*, user_id: int, claims: dict[str, Any], expires_at: float) -> str:
    payload = {"u": user_id, "n": secrets.token_urlsafe(12), "c": claims, "x": int(expires_at)}
    return signing.dumps(payload, salt=SALT)


async def ticket_redeem(*, ticket: str) -> Ticket | None:
    """The ticket, once: a second redemption, an old or a forged ticket give None."""
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
        or not isinstance(claims.get("c"), dict)
        or not isinstance(claims.get("x"), int)
        or claims["x"] <= time.time()
    ):
        return None
    # Whoever records the nonce first owns the ticket; a replay (or a Redis outage) gets None.
    if not await cache.aadd(USED_PREFIX + claims["n"], 1, settings.EVENTS_TICKET_SECONDS + 5):
        return None
    return Ticket(user_id=claims["u"], claims=claims["c"], expires_at=float(claims["x"]))
