"""POST /api/chatkit: the self-hosted ChatKit endpoint.

The token is checked first (``api_endpoint``), the body parsed once and checked
(``conversations.engine.checks``), then the engine's server answers: JSON for plain requests,
server-sent events for streaming ones.
"""

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
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from pydantic import TypeAdapter, ValidationError
from rest_framework import exceptions

from accounts.models import User
from conversations.apis.schema import CHATKIT_OPERATION
from conversations.engine.attachments import AttachmentRejected
from conversations.engine.checks import RequestRejected, body_problem, normalize_request
from conversations.engine.context import RequestContext
from conversations.engine.server import MODEL_ERROR_MESSAGE, NotSupported, get_server
from conversations.models import Attachment, Thread, ThreadItem
from core.db import db_call
from core.exceptions import PayloadTooLarge
from core.http import api_endpoint
from core.sse import coalesced
from events.publish import thread_event_send

logger = logging.getLogger("chatkit.conversations")

request_adapter: TypeAdapter[ChatKitReq] = TypeAdapter(ChatKitReq)


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return _("Invalid ChatKit request: %(location)s: %(message)s") % {
        "location": location,
        "message": first["msg"],
    }


def parse_chatkit_body(body: bytes) -> ChatKitReq:
    """The request, or a ParseError (400) naming what is wrong with the body."""
    problem = body_problem(body)
    if problem is not None:
        raise exceptions.ParseError(problem)
    try:
        parsed = request_adapter.validate_json(body)
    except ValidationError as exc:
        if not body.strip():
            raise exceptions.ParseError(_("Invalid ChatKit request: the body is empty.")) from None
        try:
            json.loads(body)
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("Invalid ChatKit request: the body is not valid JSON.")) from None
        raise exceptions.ParseError(describe_validation_error(exc)) from None
    try:
        return normalize_request(parsed)
    except RequestRejected as exc:
        raise exceptions.ParseError(str(exc)) from None


def sse_error(message: str, allow_retry: bool = False) -> bytes:
    event = ErrorEvent(code="custom", message=message, allow_retry=allow_retry)
    return b"data: " + event.model_dump_json(exclude_none=True).encode() + b"\n\n"


async def _single(chunk: bytes) -> AsyncIterator[bytes]:
    yield chunk


def event_stream(chunks: AsyncIterator[bytes]) -> StreamingHttpResponse:
    # One socket write per batch of ready events rather than per event (core/sse.py).
    response = StreamingHttpResponse(coalesced(chunks), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies buffer responses unless told not to; SSE must flow as produced.
    response["X-Accel-Buffering"] = "no"
    return response


async def _roll_back_empty_thread(context: RequestContext) -> None:
    """A thread created by this request that got no item is removed with the failed turn."""
    empty = context.created_threads - context.threads_with_items
    if empty:
        await db_call(Thread.objects.filter(id__in=empty, owner=context.user).delete)
        for thread_id in empty:
            await thread_event_send(user_id=context.user.pk, kind="thread.deleted", thread_id=thread_id)


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
        yield sse_error(str(exc))
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
        yield sse_error(message, allow_retry=True)


async def _refusal_before_streaming(parsed: ChatKitReq, user: User) -> str | None:
    """Problems found before a streaming request starts, answered as a single error event.

    Checked up front so that a bad attachment id does not leave an empty new thread behind,
    and so that a retry naming an unknown item says so instead of streaming nothing.
    """
    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        attachment_ids = set(parsed.params.input.attachments)
        if attachment_ids:
            owned = Attachment.objects.filter(id__in=attachment_ids, owner=user).values_list("id", flat=True)
            missing = attachment_ids - set(await db_call(list, owned))
            if missing:
                return f"Attachment {sorted(missing)[0]} not found"
    elif isinstance(parsed, ThreadsRetryAfterItemReq):
        item_type = await db_call(
            ThreadItem.objects.filter(
                thread_id=parsed.params.thread_id, thread__owner=user, item_id=parsed.params.item_id
            )
            .values_list("item_type", flat=True)
            .first
        )
        if item_type is None:
            return f"Item {parsed.params.item_id} not found in thread {parsed.params.thread_id}"
        if item_type != "user_message":
            return f"Item {parsed.params.item_id} is not a user message"
    return None


def _resume_thread_id(body: bytes) -> str | None:
    """The thread of a ``threads.resume`` request (the replaced system's front end sends it when
    it opens a thread whose answer is still running), else None. Not an openai-chatkit request."""
    if b"threads.resume" not in body:
        return None
    try:
        request = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(request, dict) or request.get("type") != "threads.resume":
        return None
    params = request.get("params")
    thread_id = params.get("thread_id") if isinstance(params, dict) else None
    if not isinstance(thread_id, str) or not thread_id:
        raise exceptions.ParseError(_("Invalid ChatKit request: params.thread_id: Field required"))
    return thread_id


async def _resume(thread_id: str, user: User) -> HttpResponse:
    """Nothing to resume: a turn runs to its end in the request that started it, saving as it
    goes, so the thread as stored is current. An empty stream (the SDK's own default), or 404."""
    # A NUL cannot be in a thread id (nor in a PostgreSQL text value): such an id names no thread.
    if "\x00" in thread_id or not await Thread.objects.filter(id=thread_id, owner=user).aexists():
        raise exceptions.NotFound(_("Thread %(id)s not found") % {"id": thread_id})
    return event_stream(_empty())


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # an async generator that yields nothing


@api_endpoint(methods=("POST",), schema=CHATKIT_OPERATION)
async def chatkit_endpoint(request: HttpRequest) -> HttpResponse:
    # The ASGI layer already cut the body off at this size; this covers other callers.
    body = request.body
    if len(body) > settings.CHATKIT_MAX_REQUEST_BYTES:
        raise PayloadTooLarge(_("The request body is too large."))
    resume = _resume_thread_id(body)
    if resume is not None:
        return await _resume(resume, request.user)
    parsed = parse_chatkit_body(body)

    if isinstance(parsed, ThreadsCreateReq | ThreadsAddUserMessageReq):
        if len(parsed.params.input.attachments) > settings.CHATKIT_MAX_ATTACHMENTS:
            limit = settings.CHATKIT_MAX_ATTACHMENTS
            raise exceptions.ParseError(
                _("A message may carry at most %(count)s attachments.") % {"count": limit}
            )
    if is_streaming_req(parsed):
        refusal = await _refusal_before_streaming(parsed, request.user)
        if refusal is not None:
            return event_stream(_single(sse_error(refusal)))

    context = RequestContext(
        user=request.user,
        base_url=request.build_absolute_uri("/"),
        # threads.create through this endpoint: the thread is written with its first message.
        write_new_threads_with_first_item=parsed.type == "threads.create",
    )
    try:
        result = await get_server().process_parsed(parsed, context)
    except NotFoundError as exc:
        raise exceptions.NotFound(str(exc)) from None
    except AttachmentRejected as exc:
        if exc.status == 413:
            raise PayloadTooLarge(str(exc)) from None
        raise exceptions.ParseError(str(exc)) from None
    except (NotSupported, NotImplementedError, ValueError) as exc:
        raise exceptions.ParseError(str(exc)) from None

    if isinstance(result, StreamingResult):
        return event_stream(_guarded_stream(result, context))
    return HttpResponse(result.json, content_type="application/json")
