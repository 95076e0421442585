"""``/ws/events``: each signed-in user's live events (threads, ingestion jobs, widget index).

The protocol, in JSON text frames:

* the client's first message authenticates: ``{"type": "auth", "token": "<access JWT>"}`` or
  ``{"type": "auth", "ticket": "<from POST /api/events/ticket>"}`` — never a token in the URL
  (URLs end up in proxy logs). The server answers ``{"type": "ready"}``, or ``{"type": "error",
  "detail": ...}`` and closes with code 4401. A socket silent for EVENTS_AUTH_TIMEOUT_SECONDS
  is closed the same way.
* then the server sends events — ``{"type": "thread.created", "thread": {...}}``,
  ``thread.renamed``, ``thread.deleted``, ``ingestion.job`` (admins), ``widget.index``
  (admins) — and answers ``{"type": "ping"}`` with ``{"type": "pong"}``.
* a socket is closed (4401) when the credential that opened it expires (the JWT, or the
  token or session a ticket came from); the client reconnects with a fresh one.
* revocation reaches open sockets: a logout, a new password, a deactivation or "log out
  everywhere" sends ``credentials_changed`` (accounts.signals); events.publish turns it into
  a message to the user's group on the channel layer, so every worker's sockets of that user
  check their credential again and close when it no longer holds. A demoted admin's sockets
  leave the staff group (no more staff events).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import JWTAuthentication
from accounts.models import User
from accounts.tokens import SID_CLAIM, credential_user
from core.db import db_call
from events.publish import STAFF_GROUP, user_group
from events.tickets import ticket_redeem

UNAUTHORIZED = 4401
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class Credential:
    """What opened a socket, kept to check it again: its user, login session and claims."""

    user_id: int
    claims: dict[str, Any]
    expires_at: float

    def user(self) -> User | None:
        return credential_user(user_id=self.user_id, sid=self.claims.get(SID_CLAIM), claims=self.claims)


def _credential_by_token(token: str) -> Credential:
    authentication = JWTAuthentication()
    validated = authentication.get_validated_token(token.encode())
    user = authentication.get_user(validated)
    return Credential(user_id=user.pk, claims=dict(validated.payload), expires_at=float(validated["exp"]))


class EventsConsumer(AsyncWebsocketConsumer):
    user: User | None = None
    credential: Credential | None = None
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        await self.accept()
        self.auth_timer = asyncio.get_running_loop().call_later(
            settings.EVENTS_AUTH_TIMEOUT_SECONDS, lambda: asyncio.ensure_future(self._auth_timed_out())
        )
        self.expiry_timer: asyncio.TimerHandle | None = None

    async def disconnect(self, code: int) -> None:
        self.auth_timer.cancel()
        if self.expiry_timer is not None:
            self.expiry_timer.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = self._parse(text_data)
        if message is None:
            await self._send({"type": "error", "detail": "Send JSON objects as text frames."})
            return
        kind = message.get("type")
        if self.user is None:
            if kind != "auth":
                await self._refuse('Authenticate first: {"type": "auth", "token": ...}.')
                return
            await self._authenticate(message)
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "auth":
            await self._send({"type": "error", "detail": "Already authenticated."})
        else:
            await self._send({"type": "error", "detail": "Unknown message type."})

    async def events_event(self, message: dict[str, Any]) -> None:
        if self.credential is None or time.time() >= self.credential.expires_at:
            await self._refuse("The token has expired; reconnect with a fresh one.")
            return
        if message.get("staff") and STAFF_GROUP not in self.groups_joined:
            return  # left the staff group (demoted) while this event was on its way
        await self._send(message["event"])

    async def events_recheck(self, message: dict[str, Any]) -> None:
        """The user's credentials changed somewhere: does this socket's still hold?"""
        if self.credential is None:
            return
        user = await db_call(self.credential.user)
        if user is None:
            await self._refuse("Your session has ended (logged out, new password, or account disabled).")
            return
        self.user = user
        if not user.is_admin and STAFF_GROUP in self.groups_joined:
            await self.channel_layer.group_discard(STAFF_GROUP, self.channel_name)
            self.groups_joined.remove(STAFF_GROUP)

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _parse(text: str | None) -> dict[str, Any] | None:
        if text is None or len(text) > MAX_MESSAGE_CHARS:
            return None
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
            return None
        return message if isinstance(message, dict) else None

    async def _authenticate(self, message: dict[str, Any]) -> None:
        token, ticket = message.get("token"), message.get("ticket")
        credential: Credential | None = None
        if isinstance(token, str) and token:
            try:
                credential = await db_call(_credential_by_token, token)
            except AuthenticationFailed:
                credential = None
        elif isinstance(ticket, str) and ticket:
            redeemed = await ticket_redeem(ticket=ticket)
            if redeemed is not None:
                credential = Credential(redeemed.user_id, redeemed.claims, redeemed.expires_at)
        user = await db_call(credential.user) if credential is not None else None
        if user is None or credential is None:
            await self._refuse("Invalid, expired or revoked credentials.")
            return
        self.auth_timer.cancel()
        self.user, self.credential = user, credential
        # Closed when the credential expires, even if no event comes to notice it.
        self.expiry_timer = asyncio.get_running_loop().call_later(
            max(0.0, credential.expires_at - time.time()),
            lambda: asyncio.ensure_future(self._refuse("The token has expired; reconnect with a fresh one.")),
        )
        groups = [user_group(user.pk)] + ([STAFF_GROUP] if user.is_admin else [])
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self._send({"type": "ready", "user": {"id": user.pk, "email": user.email}})

    async def _auth_timed_out(self) -> None:
        if self.user is None:
            await self._refuse("Authentication timed out.")

    async def _refuse(self, detail: str) -> None:
        await self._send({"type": "error", "detail": detail})
        await self.close(code=UNAUTHORIZED)

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload))


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Any other WebSocket path: refused at the handshake."""

    async def connect(self) -> None:
        await self.close(code=4404)
