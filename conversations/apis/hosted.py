"""Hosted-mode endpoints: /api/chatkit/session, /session/refresh and /proxy/{path}.

The user's JWT is checked first (``api_endpoint``) and never sent upstream; what is sent, and
for whom, is decided in ``conversations.hosted``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions

from conversations.apis.schema import PROXY_OPERATION, SESSION_OPERATION, SESSION_REFRESH_OPERATION
from conversations.hosted import (
    CLIENT_SECRET_HEADER,
    hosted_check,
    match_route,
    relay_chunks,
    relay_open,
    session_create,
    session_owned,
    upstream_credentials,
)
from core.http import api_endpoint

# Headers of the browser's request that may travel upstream; Authorization never does.
FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
FORWARDED_RESPONSE_HEADERS = ("content-type", "cache-control", "openai-request-id", "x-request-id")


@api_endpoint(methods=("POST",), schema=SESSION_OPERATION)
async def session(request: HttpRequest) -> HttpResponse:
    hosted_check()
    return JsonResponse(await session_create(user=request.user))


@api_endpoint(methods=("POST",), schema=SESSION_REFRESH_OPERATION)
async def session_refresh(request: HttpRequest) -> HttpResponse:
    hosted_check()
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise exceptions.ParseError(_("The body must be JSON.")) from None
    if not isinstance(body, dict) or not isinstance(body.get("current_client_secret", ""), str | type(None)):
        raise exceptions.ParseError(_("current_client_secret must be a string."))
    # ChatKit secrets cannot be extended: a refresh is a new session for the same user.
    return JsonResponse(await session_create(user=request.user))


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = "OPTIONS, POST"
    response["Access-Control-Allow-Methods"] = "OPTIONS, POST"
    response["Access-Control-Allow-Headers"] = f"Authorization, Content-Type, Accept, {CLIENT_SECRET_HEADER}"
    return response


@api_endpoint(methods=("OPTIONS", "POST"), anonymous_methods=("OPTIONS",), schema=PROXY_OPERATION)
async def proxy(request: HttpRequest, path: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    hosted_check()
    route, item_id = match_route(path)
    if route.auth == "session":
        return JsonResponse(await session_create(user=request.user))
    if route.auth == "cancel" and not await session_owned(user=request.user, session_id=item_id or ""):
        raise exceptions.NotFound(_("ChatKit session not found."))
    headers: dict[str, Any] = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    headers.update(upstream_credentials(route, request.headers.get(CLIENT_SECRET_HEADER, "")))
    upstream = await relay_open(route=route, item_id=item_id, headers=headers, body=request.body)
    # Status and error bodies pass through unchanged; chunks are relayed as they arrive.
    response = StreamingHttpResponse(relay_chunks(upstream), status=upstream.status_code)
    for name in FORWARDED_RESPONSE_HEADERS:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    response["X-Accel-Buffering"] = "no"
    return response
