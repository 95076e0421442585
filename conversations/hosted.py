"""Hosted ChatKit mode: session secrets for an Agent Builder workflow, and the proxy's routes.

A session is minted for the logged-in user and the configured workflow only. The proxy is an
allow-list, not a pass-through: each relayed path is a fixed URL template whose only variable
parts are ids matching ``ID``, so no client-chosen path ever reaches the upstream URL. Who acts
upstream is fixed per path too:

* ``sessions``: a session for the logged-in user and the configured workflow (the server's key;
  the client's body cannot name another user or workflow);
* ``sessions/{id}/cancel``: only a session this server minted for the same user (server's key);
* ``conversation``, ``files``: the user's own ChatKit client secret, sent in
  ``X-ChatKit-Client-Secret``, so OpenAI scopes the call to that user; the server's key is never
  used for them.

The endpoints are in ``conversations.apis.hosted``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions

from accounts.models import User
from core.exceptions import ServiceUnavailable, UpstreamError
from core.upstream import http_client, openai_base, openai_headers

logger = logging.getLogger("chatkit.hosted")

BETA_HEADER = {"OpenAI-Beta": "chatkit_beta=v1"}
CLIENT_SECRET_HEADER = "X-ChatKit-Client-Secret"
ID = r"[A-Za-z0-9_-]{1,128}"
SESSION_OWNER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    template: str  # the upstream path under /v1/chatkit/, with {id} for the matched id
    auth: str  # "session" (create), "cancel" (own session), "client_secret"


ROUTES = (
    Route(re.compile(r"^sessions$"), "sessions", "session"),
    Route(re.compile(rf"^sessions/(?P<id>{ID})/cancel$"), "sessions/{id}/cancel", "cancel"),
    Route(re.compile(r"^conversation$"), "conversation", "client_secret"),
    Route(re.compile(r"^files$"), "files", "client_secret"),
)


def match_route(path: str) -> tuple[Route, str | None]:
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict().get("id")
    raise exceptions.NotFound(_("This ChatKit API path is not relayed by this server."))


def hosted_configured() -> bool:
    return bool(settings.OPENAI_API_KEY and settings.CHATKIT_WORKFLOW_ID)


def hosted_check() -> None:
    if not hosted_configured():
        raise ServiceUnavailable(
            _("Hosted ChatKit mode needs OPENAI_API_KEY and CHATKIT_WORKFLOW_ID on the server.")
        )


def _session_owner_key(session_id: str) -> str:
    return f"chatkit-session-owner:{session_id}"


async def session_create(*, user: User) -> dict[str, Any]:
    """A new ChatKit session for ``user`` and the configured workflow: {client_secret, expires_after}."""
    payload = {"workflow": {"id": settings.CHATKIT_WORKFLOW_ID}, "user": str(user.pk)}
    try:
        response = await http_client().post(
            f"{openai_base()}/v1/chatkit/sessions",
            json=payload,
            headers={**openai_headers(), **BETA_HEADER},
            timeout=settings.UPSTREAM_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        logger.warning("ChatKit session request failed: %s", exc)
        raise UpstreamError(_("The ChatKit API could not be reached.")) from exc
    if response.status_code >= 400:
        logger.warning("ChatKit session request answered %s: %s", response.status_code, response.text[:500])
        raise UpstreamError(
            _("The ChatKit API refused the session (status %(status)s).") % {"status": response.status_code}
        )
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("client_secret"), str)
        or not body["client_secret"]
    ):
        raise UpstreamError(_("The ChatKit API returned no client secret."))
    session_id = body.get("id")
    if isinstance(session_id, str) and re.fullmatch(ID, session_id):
        await cache.aset(_session_owner_key(session_id), user.pk, SESSION_OWNER_SECONDS)
    return {"client_secret": body["client_secret"], "expires_after": body.get("expires_after")}


async def session_owned(*, user: User, session_id: str) -> bool:
    return await cache.aget(_session_owner_key(session_id)) == user.pk


def upstream_credentials(route: Route, client_secret: str) -> dict[str, str]:
    if route.auth != "client_secret":
        return openai_headers()
    secret = client_secret.strip()
    if not secret or len(secret) > 2048 or not secret.isprintable():
        raise exceptions.ParseError(
            _("Send your ChatKit client secret in the %(header)s header.") % {"header": CLIENT_SECRET_HEADER}
        )
    return {"Authorization": f"Bearer {secret}"}


async def relay_open(
    *, route: Route, item_id: str | None, headers: dict[str, str], body: bytes
) -> httpx.Response:
    """Send the request upstream and return the (streaming) response."""
    url = httpx.URL(f"{openai_base()}/v1/chatkit/" + route.template.format(id=item_id))
    upstream_request = http_client().build_request(
        "POST",
        url,
        content=body,
        headers={**headers, **BETA_HEADER},
        timeout=httpx.Timeout(settings.UPSTREAM_TIMEOUT_SECONDS, read=None),
    )
    try:
        return await http_client().send(upstream_request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        logger.warning("ChatKit proxy request to %s failed: %s", route.template, exc)
        raise UpstreamError(_("The ChatKit API could not be reached.")) from exc


async def relay_chunks(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()
