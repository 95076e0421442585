"""Hosted ChatKit mode: session secrets for an Agent Builder workflow, and a streaming proxy.

``/api/chatkit/session`` mints a ChatKit client secret for the logged-in user;
``/api/chatkit/proxy/{path}`` relays calls to OpenAI's ChatKit API for browsers that cannot reach
it directly, streaming server-sent events through as they arrive. The user's JWT is checked here
and never sent upstream.

The proxy is an allow-list, not a pass-through: each relayed path is a fixed URL template whose
only variable parts are ids matching ``ID``, so no client-chosen path ever reaches the upstream
URL. Who acts upstream is fixed per path too:

* ``sessions``: a session for the logged-in user and the configured workflow (the server's key;
  the client's body cannot name another user or workflow);
* ``sessions/{id}/cancel``: only a session this server minted for the same user (server's key);
* ``conversation``, ``files``: the user's own ChatKit client secret, sent in
  ``X-ChatKit-Client-Secret``, so OpenAI scopes the call to that user; the server's key is never
  used for them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.authentication import authenticate_bearer
from accounts.models import User
from chatkit_site.upstream import http_client, openai_base, openai_headers
from conversations.views import error, unauthorized

logger = logging.getLogger("chatkit.hosted")

BETA_HEADER = {"OpenAI-Beta": "chatkit_beta=v1"}
CLIENT_SECRET_HEADER = "X-ChatKit-Client-Secret"
# Headers of the browser's request that may travel upstream; Authorization never does.
FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
FORWARDED_RESPONSE_HEADERS = ("content-type", "cache-control", "openai-request-id", "x-request-id")
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


def match_route(path: str) -> tuple[Route, str | None] | None:
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict().get("id")
    return None


def hosted_configured() -> bool:
    return bool(settings.OPENAI_API_KEY and settings.CHATKIT_WORKFLOW_ID)


def _not_configured() -> JsonResponse:
    return error(_("Hosted ChatKit mode needs OPENAI_API_KEY and CHATKIT_WORKFLOW_ID on the server."), 503)


def _session_owner_key(session_id: str) -> str:
    return f"chatkit-session-owner:{session_id}"


async def _create_session(user: User) -> JsonResponse:
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
        return error(_("The ChatKit API could not be reached."), 502)
    if response.status_code >= 400:
        logger.warning("ChatKit session request answered %s: %s", response.status_code, response.text[:500])
        return error(
            _("The ChatKit API refused the session (status %(status)s).") % {"status": response.status_code},
            502,
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
        return error(_("The ChatKit API returned no client secret."), 502)
    session_id = body.get("id")
    if isinstance(session_id, str) and re.fullmatch(ID, session_id):
        await cache.aset(_session_owner_key(session_id), user.pk, SESSION_OWNER_SECONDS)
    return JsonResponse({"client_secret": body["client_secret"], "expires_after": body.get("expires_after")})


async def _guard(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    """POST only, a valid JWT (checked before anything else), and hosted mode configured."""
    if request.method != "POST":
        return None, error(_("Use POST."), 405)
    user = await authenticate_bearer(request)
    if user is None:
        return None, unauthorized()
    if not hosted_configured():
        return None, _not_configured()
    return user, None


@csrf_exempt
async def session(request: HttpRequest) -> HttpResponse:
    user, refused = await _guard(request)
    return refused or await _create_session(user)


@csrf_exempt
async def session_refresh(request: HttpRequest) -> HttpResponse:
    user, refused = await _guard(request)
    if refused:
        return refused
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return error(_("The body must be JSON."), 400)
    if not isinstance(body, dict) or not isinstance(body.get("current_client_secret", ""), str | type(None)):
        return error(_("current_client_secret must be a string."), 400)
    # ChatKit secrets cannot be extended: a refresh is a new session for the same user.
    return await _create_session(user)


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()


def _upstream_credentials(request: HttpRequest, route: Route) -> dict[str, str] | JsonResponse:
    if route.auth == "client_secret":
        secret = request.headers.get(CLIENT_SECRET_HEADER, "").strip()
        if not secret or len(secret) > 2048 or not secret.isprintable():
            return error(
                _("Send your ChatKit client secret in the %(header)s header.")
                % {"header": CLIENT_SECRET_HEADER},
                400,
            )
        return {"Authorization": f"Bearer {secret}"}
    return openai_headers()


@csrf_exempt
async def proxy(request: HttpRequest, path: str) -> HttpResponse:
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "OPTIONS, POST"
        response["Access-Control-Allow-Methods"] = "OPTIONS, POST"
        response["Access-Control-Allow-Headers"] = (
            f"Authorization, Content-Type, Accept, {CLIENT_SECRET_HEADER}"
        )
        return response
    user, refused = await _guard(request)
    if refused:
        return refused
    matched = match_route(path)
    if matched is None:
        return error(_("This ChatKit API path is not relayed by this server."), 404)
    route, item_id = matched
    if route.auth == "session":
        return await _create_session(user)
    if route.auth == "cancel" and await cache.aget(_session_owner_key(item_id or "")) != user.pk:
        return error(_("ChatKit session not found."), 404)
    credentials = _upstream_credentials(request, route)
    if isinstance(credentials, JsonResponse):
        return credentials

    headers: dict[str, Any] = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    headers.update(credentials)
    headers.update(BETA_HEADER)
    url = httpx.URL(f"{openai_base()}/v1/chatkit/" + route.template.format(id=item_id))
    upstream_request = http_client().build_request(
        "POST",
        url,
        content=request.body,
        headers=headers,
        timeout=httpx.Timeout(settings.UPSTREAM_TIMEOUT_SECONDS, read=None),
    )
    try:
        upstream = await http_client().send(upstream_request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        logger.warning("ChatKit proxy request to %s failed: %s", route.template, exc)
        return error(_("The ChatKit API could not be reached."), 502)
    # Status and error bodies pass through unchanged; chunks are relayed as they arrive.
    response = StreamingHttpResponse(_relay(upstream), status=upstream.status_code)
    for name in FORWARDED_RESPONSE_HEADERS:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    response["X-Accel-Buffering"] = "no"
    return response
