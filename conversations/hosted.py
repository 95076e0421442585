"""Hosted ChatKit mode: session secrets for an Agent Builder workflow, and a streaming proxy.

``/api/chatkit/session`` mints a ChatKit client secret for the logged-in user;
``/api/chatkit/proxy/{path}`` relays calls to OpenAI's ChatKit API for browsers that cannot reach
it directly, streaming server-sent events through as they arrive. The user's JWT is checked here
and never sent upstream; the server's API key is used instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chatkit_site.upstream import http_client, openai_base, openai_headers
from conversations.views import authenticate_jwt, error, unauthorized

logger = logging.getLogger("chatkit.hosted")

BETA_HEADER = {"OpenAI-Beta": "chatkit_beta=v1"}
# Headers of the browser's request that may travel upstream; Authorization never does.
FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
FORWARDED_RESPONSE_HEADERS = ("content-type", "cache-control", "openai-request-id", "x-request-id")


def hosted_configured() -> bool:
    return bool(settings.OPENAI_API_KEY and settings.CHATKIT_WORKFLOW_ID)


def _not_configured() -> JsonResponse:
    return error(_("Hosted ChatKit mode needs OPENAI_API_KEY and CHATKIT_WORKFLOW_ID on the server."), 503)


async def _create_session(user_id: int) -> JsonResponse:
    payload = {"workflow": {"id": settings.CHATKIT_WORKFLOW_ID}, "user": str(user_id)}
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
    body = response.json() if response.content else {}
    if not body.get("client_secret"):
        return error(_("The ChatKit API returned no client secret."), 502)
    return JsonResponse({"client_secret": body["client_secret"], "expires_after": body.get("expires_after")})


async def _guard(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    """POST only, a valid JWT (checked before anything else), and hosted mode configured."""
    if request.method != "POST":
        return None, error(_("Use POST."), 405)
    user = await authenticate_jwt(request)
    if user is None:
        return None, unauthorized()
    if not hosted_configured():
        return None, _not_configured()
    return user, None


@csrf_exempt
async def session(request: HttpRequest) -> HttpResponse:
    user, refused = await _guard(request)
    return refused or await _create_session(user.pk)


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
    return await _create_session(user.pk)


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()


@csrf_exempt
async def proxy(request: HttpRequest, path: str) -> HttpResponse:
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "OPTIONS, POST"
        response["Access-Control-Allow-Methods"] = "OPTIONS, POST"
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept"
        return response
    _user, refused = await _guard(request)
    if refused:
        return refused
    headers: dict[str, Any] = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    headers.update(openai_headers())
    headers.update(BETA_HEADER)
    upstream_request = http_client().build_request(
        "POST",
        f"{openai_base()}/v1/chatkit/{path}",
        content=request.body,
        headers=headers,
        params=request.GET,
        timeout=httpx.Timeout(settings.UPSTREAM_TIMEOUT_SECONDS, read=None),
    )
    try:
        upstream = await http_client().send(upstream_request, stream=True)
    except httpx.HTTPError as exc:
        logger.warning("ChatKit proxy request to %s failed: %s", path, exc)
        return error(_("The ChatKit API could not be reached."), 502)
    # Status and error bodies pass through unchanged; chunks are relayed as they arrive.
    response = StreamingHttpResponse(_relay(upstream), status=upstream.status_code)
    for name in FORWARDED_RESPONSE_HEADERS:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    response["X-Accel-Buffering"] = "no"
    return response
