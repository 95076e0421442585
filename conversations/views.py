from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    ChatKitReq,
    ErrorEvent,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
)
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from pydantic import TypeAdapter, ValidationError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User
from conversations.attachments import AttachmentRejected
from conversations.context import RequestContext
from conversations.models import Attachment
from conversations.server import NotSupported, get_server

logger = logging.getLogger("chatkit.conversations")

request_adapter: TypeAdapter[ChatKitReq] = TypeAdapter(ChatKitReq)


def ui_strings() -> dict[str, str]:
    """Texts the page scripts show, translated here so scripts need no catalogue of their own."""
    return {
        "fallbackNotice": _(
            "The ChatKit component could not be loaded, so a built-in chat client is "
            "shown instead. It speaks to the same server."
        ),
        "newChat": _("New chat"),
        "threads": _("Conversations"),
        "noThreads": _("No conversations yet."),
        "untitled": _("Untitled"),
        "send": _("Send"),
        "stop": _("Stop"),
        "attach": _("Attach a file"),
        "placeholder": _("Ask anything…"),
        "loadMore": _("Load earlier messages"),
        "you": _("You"),
        "assistant": _("Assistant"),
        "error": _("Something went wrong."),
        "stopped": _("Stopped."),
        "weatherLookup": _("Looking up the weather…"),
        "uploadFailed": _("The file could not be uploaded."),
        "toggleThreads": _("Show conversations"),
        "voiceConnecting": _("Connecting…"),
        "voiceListening": _("Listening"),
        "voiceSpeaking": _("Speaking"),
        "voiceIdle": _("Not connected"),
        "voiceError": _("Error"),
        "voiceMicDenied": _(
            "Microphone access was denied. Allow the microphone for this site and try again."
        ),
        "voiceUnavailable": _("Voice is not available on this server: it needs an OpenAI API key."),
        "voiceUnreachable": _("The realtime voice service cannot be reached right now."),
        "voiceStart": _("Start talking"),
        "voiceStop": _("Hang up"),
    }


def page_config(request: HttpRequest) -> dict[str, object]:
    language = (request.LANGUAGE_CODE or "en").split("-")[0]
    return {
        "apiUrl": "/api/chatkit",
        "domainKey": settings.CHATKIT_DOMAIN_KEY,
        "chatkitJsUrl": settings.CHATKIT_JS_URL,
        "loadTimeoutMs": settings.CHATKIT_LOAD_TIMEOUT_MS,
        "locale": "fr" if language == "fr" else "en",
        "strings": ui_strings(),
    }


@never_cache
@ensure_csrf_cookie  # page scripts need it to call /auth/token
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chat.html", {"page_config": page_config(request)})


@never_cache
@ensure_csrf_cookie
@login_required
def voice_page(request: HttpRequest) -> HttpResponse:
    return render(request, "voice.html", {"page_config": page_config(request)})


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def unauthorized() -> JsonResponse:
    response = error(_("Authentication credentials were not provided or are invalid."), 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


async def authenticate_jwt(request: HttpRequest) -> User | None:
    """The user of a Bearer token, or None. Runs before the body is even read."""
    try:
        result = await sync_to_async(JWTAuthentication().authenticate)(request)
    except AuthenticationFailed:
        return None
    return result[0] if result else None


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return _("Invalid ChatKit request: %(location)s: %(message)s") % {
        "location": location,
        "message": first["msg"],
    }


def _sse_error(message: str) -> bytes:
    event = ErrorEvent(code="custom", message=message, allow_retry=False)
    return b"data: " + event.model_dump_json(exclude_none=True).encode() + b"\n\n"


async def _guarded_stream(result: StreamingResult) -> AsyncIterator[bytes]:
    """Relay the SDK's SSE chunks as they are produced.

    Errors raised before the SDK's own handler is reached (a foreign thread id, an item that
    is not a user message) become an ``error`` event, since the 200 header is already sent.
    A client disconnect cancels this generator (Django's ASGI handler cancels the response
    task), and the cancellation reaches the SDK, which persists the partial answer.
    """
    try:
        async for chunk in result:
            yield chunk
    except NotFoundError as exc:
        yield _sse_error(str(exc))
    except (ValueError, NotSupported) as exc:
        yield _sse_error(str(exc))


async def _single(chunk: bytes) -> AsyncIterator[bytes]:
    yield chunk


def _event_stream(chunks: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies buffer responses unless told not to; SSE must flow as produced.
    response["X-Accel-Buffering"] = "no"
    return response


@csrf_exempt  # Bearer-token API: no cookies are used, so there is nothing to forge.
async def chatkit_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return error(_("Use POST."), 405)
    user = await authenticate_jwt(request)
    if user is None:
        return unauthorized()

    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.CHATKIT_MAX_REQUEST_BYTES:
        return error(_("The request body is too large."), 413)
    body = request.body
    try:
        parsed = request_adapter.validate_json(body)
    except ValidationError as exc:
        if not body.strip():
            return error(_("Invalid ChatKit request: the body is empty."), 400)
        try:
            json.loads(body)
        except ValueError:
            return error(_("Invalid ChatKit request: the body is not valid JSON."), 400)
        return error(describe_validation_error(exc), 400)

    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        attachment_ids = parsed.params.input.attachments
        if len(attachment_ids) > settings.CHATKIT_MAX_ATTACHMENTS:
            limit = settings.CHATKIT_MAX_ATTACHMENTS
            return error(_("A message may carry at most %(count)s attachments.") % {"count": limit}, 400)
        # Checked up front so that a bad id does not leave an empty new thread behind.
        owned = Attachment.objects.filter(id__in=attachment_ids, owner=user).values_list("id", flat=True)
        missing = set(attachment_ids) - {pk async for pk in owned}
        if missing:
            return _event_stream(_single(_sse_error(f"Attachment {sorted(missing)[0]} not found")))

    context = RequestContext(user=user, base_url=request.build_absolute_uri("/"))
    server = get_server()
    try:
        result = await server.process(body, context)
    except NotFoundError as exc:
        return error(str(exc), 404)
    except AttachmentRejected as exc:
        return error(str(exc), exc.status)
    except (NotSupported, NotImplementedError, ValueError) as exc:
        return error(str(exc), 400)

    if isinstance(result, StreamingResult):
        return _event_stream(_guarded_stream(result))
    return HttpResponse(result.json, content_type="application/json")
