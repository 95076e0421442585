from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    ChatKitReq,
    ErrorEvent,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsRetryAfterItemReq,
    is_streaming_req,
)
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from pydantic import TypeAdapter, ValidationError

from accounts.authentication import authenticate_bearer
from accounts.models import User
from conversations.attachments import AttachmentRejected
from conversations.checks import RequestRejected, body_problem, normalize_request
from conversations.context import RequestContext
from conversations.models import Attachment, Thread, ThreadItem
from conversations.server import MODEL_ERROR_MESSAGE, NotSupported, get_server

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


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return _("Invalid ChatKit request: %(location)s: %(message)s") % {
        "location": location,
        "message": first["msg"],
    }


def _sse_error(message: str, allow_retry: bool = False) -> bytes:
    event = ErrorEvent(code="custom", message=message, allow_retry=allow_retry)
    return b"data: " + event.model_dump_json(exclude_none=True).encode() + b"\n\n"


async def _roll_back_empty_thread(context: RequestContext) -> None:
    """A thread created by this request that got no item is removed with the failed turn."""
    for thread_id in context.created_threads:
        if thread_id not in context.threads_with_items:
            await Thread.objects.filter(id=thread_id, owner=context.user).adelete()


async def _guarded_stream(result: StreamingResult, context: RequestContext) -> AsyncIterator[bytes]:
    """Relay the SDK's SSE chunks as they are produced; any failure ends with one error event.

    Errors raised outside the SDK's own handler (a foreign thread id, an item that is not a
    user message, the database going away, a bug) cannot become an HTTP status once the 200
    went out: they become an ``error`` event, what was half-written is rolled back, and the
    stream ends normally so the request's database connection is released. A client
    disconnect cancels this generator (CancelledError is not caught), and the cancellation
    reaches the SDK, which persists the partial answer.
    """
    try:
        async for chunk in result:
            yield chunk
    except (NotFoundError, NotSupported, ValueError) as exc:
        await _roll_back_empty_thread(context)
        yield _sse_error(str(exc))
    except Exception as exc:
        logger.exception("ChatKit stream failed for user %s", context.user.pk)
        try:
            await _roll_back_empty_thread(context)
        except Exception:
            logger.exception("Could not roll back the thread of a failed ChatKit stream")
        message = (
            _("The database is unavailable right now. Please try again shortly.")
            if isinstance(exc, OperationalError | InterfaceError)
            else _(MODEL_ERROR_MESSAGE)
        )
        yield _sse_error(message, allow_retry=True)


async def _single(chunk: bytes) -> AsyncIterator[bytes]:
    yield chunk


def _event_stream(chunks: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies buffer responses unless told not to; SSE must flow as produced.
    response["X-Accel-Buffering"] = "no"
    return response


def parse_chatkit_body(body: bytes) -> ChatKitReq | JsonResponse:
    """The request, or a 400 naming what is wrong with the body."""
    problem = body_problem(body)
    if problem is not None:
        return error(problem, 400)
    try:
        parsed = request_adapter.validate_json(body)
    except ValidationError as exc:
        if not body.strip():
            return error(_("Invalid ChatKit request: the body is empty."), 400)
        try:
            json.loads(body)
        except (ValueError, RecursionError):
            return error(_("Invalid ChatKit request: the body is not valid JSON."), 400)
        return error(describe_validation_error(exc), 400)
    try:
        return normalize_request(parsed)
    except RequestRejected as exc:
        return error(str(exc), 400)


async def _refusal_before_streaming(parsed: ChatKitReq, user: User) -> str | None:
    """Problems found before a streaming request starts, answered as a single error event.

    Checked up front so that a bad attachment id does not leave an empty new thread behind,
    and so that a retry naming an unknown item says so instead of streaming nothing.
    """
    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        attachment_ids = parsed.params.input.attachments
        owned = Attachment.objects.filter(id__in=attachment_ids, owner=user).values_list("id", flat=True)
        missing = set(attachment_ids) - {pk async for pk in owned}
        if missing:
            return f"Attachment {sorted(missing)[0]} not found"
    elif isinstance(parsed, ThreadsRetryAfterItemReq):
        row = await ThreadItem.objects.filter(
            thread_id=parsed.params.thread_id, thread__owner=user, item_id=parsed.params.item_id
        ).afirst()
        if row is None:
            return f"Item {parsed.params.item_id} not found in thread {parsed.params.thread_id}"
        if row.item_type != "user_message":
            return f"Item {parsed.params.item_id} is not a user message"
    return None


@csrf_exempt  # Bearer-token API: no cookies are used, so there is nothing to forge.
async def chatkit_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return error(_("Use POST."), 405)
    user = await authenticate_bearer(request)
    if user is None:
        return unauthorized()

    # The ASGI layer already cut the body off at this size; this covers other callers.
    body = request.body
    if len(body) > settings.CHATKIT_MAX_REQUEST_BYTES:
        return error(_("The request body is too large."), 413)
    parsed = parse_chatkit_body(body)
    if isinstance(parsed, JsonResponse):
        return parsed

    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        if len(parsed.params.input.attachments) > settings.CHATKIT_MAX_ATTACHMENTS:
            limit = settings.CHATKIT_MAX_ATTACHMENTS
            return error(_("A message may carry at most %(count)s attachments.") % {"count": limit}, 400)
    if is_streaming_req(parsed):
        refusal = await _refusal_before_streaming(parsed, user)
        if refusal is not None:
            return _event_stream(_single(_sse_error(refusal)))

    context = RequestContext(user=user, base_url=request.build_absolute_uri("/"))
    try:
        result = await get_server().process_parsed(parsed, context)
    except NotFoundError as exc:
        return error(str(exc), 404)
    except AttachmentRejected as exc:
        return error(str(exc), exc.status)
    except (NotSupported, NotImplementedError, ValueError) as exc:
        return error(str(exc), 400)

    if isinstance(result, StreamingResult):
        return _event_stream(_guarded_stream(result, context))
    return HttpResponse(result.json, content_type="application/json")
