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
* a socket authenticated with a JWT is closed (4401) when the token expires; the client
  reconnects with a fresh one.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import JWTAuthentication
from accounts.models import User
from chatkit_site.db import db_call
from events.publish import STAFF_GROUP, user_group
from events.tickets import ticket_redeem

UNAUTHORIZED = 4401
MAX_MESSAGE_CHARS = 4096


def _user_by_token(token: str) -> tuple[User, float | None]:
    authentication = JWTAuthentication()
    validated = authentication.get_validated_token(token.encode())
    return authentication.get_user(validated), validated.get("exp")


def _active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


class EventsConsumer(AsyncWebsocketConsumer):
    user: User | None = None
    expires_at: float | None = None
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        await self.accept()
        self.auth_timer = asyncio.get_running_loop().call_later(
            settings.EVENTS_AUTH_TIMEOUT_SECONDS, lambda: asyncio.ensure_future(self._auth_timed_out())
        )

    async def disconnect(self, code: int) -> None:
        self.auth_timer.cancel()
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
        if self.expires_at is not None and time.time() >= self.expires_at:
            await self._refuse("The token has expired; reconnect with a fresh one.")
            return
        await self._send(message["event"])

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
        user: User | None = None
        expires_at: float | None = None
        if isinstance(token, str) and token:
            try:
                user, expires_at = await db_call(_user_by_token, token)
            except AuthenticationFailed:
                user = None
        elif isinstance(ticket, str) and ticket:
            user_id = await ticket_redeem(ticket=ticket)
            user = await db_call(_active_user, user_id) if user_id is not None else None
        if user is None or not user.is_active:
            await self._refuse("Invalid, expired or revoked credentials.")
            return
        self.auth_timer.cancel()
        self.user, self.expires_at = user, expires_at
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
