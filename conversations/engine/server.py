"""The ChatKit server: runs the agent for a thread and streams its events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from agents import Runner
from agents.models.interface import Model
from chatkit.actions import Action
from chatkit.agents import AgentContext, stream_agent_response
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageItem,
    AudioInput,
    ChatKitReq,
    ClientToolCallItem,
    ErrorEvent,
    FeedbackKind,
    SyncCustomActionResponse,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadsAddClientToolOutputReq,
    ThreadsAddUserMessageReq,
    ThreadsCustomActionReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    TranscriptionResult,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    is_streaming_req,
)
from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from conversations.engine import agent as agent_module
from conversations.engine.actions import handlers_for
from conversations.engine.attachments import DjangoAttachmentStore
from conversations.engine.citations import annotate, sources_collect
from conversations.engine.context import RequestContext, turn_user
from conversations.engine.converter import AttachmentAwareConverter
from conversations.engine.extensions import assistant_toolbox, extensions
from conversations.engine.pacing import PacedModel, PacedRun, StreamPace
from conversations.engine.store import DjangoStore, new_id
from conversations.engine.titles import title_for
from conversations.engine.tool_items import ToolCallHooks
from conversations.models import Feedback
from conversations.models import ThreadItem as ThreadItemRow
from core.db import db_call

logger = logging.getLogger("chatkit.conversations")

MODEL_ERROR_MESSAGE = gettext_noop("The assistant could not answer right now. Please try again.")


# Requests that start a turn on an existing thread.
TURN_REQUESTS = (
    ThreadsAddUserMessageReq,
    ThreadsAddClientToolOutputReq,
    ThreadsCustomActionReq,
    ThreadsRetryAfterItemReq,
)


class NotSupported(Exception):
    """A ChatKit request this server does not implement (answered with 400)."""


class _ItemIdRewriter:
    """Give model-made items ids from the store.

    Providers reuse message ids (chat-completions servers send ``__fake_id__`` for every
    message), and item ids are the natural key within a thread: without this, a second
    answer would overwrite the first.
    """

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def rewrite(self, event: ThreadStreamEvent) -> ThreadStreamEvent:
        if isinstance(event, ThreadItemAddedEvent) and isinstance(event.item, AssistantMessageItem):
            self._ids[event.item.id] = new_id("message")
            event.item.id = self._ids[event.item.id]
        elif isinstance(event, ThreadItemDoneEvent) and isinstance(
            event.item, AssistantMessageItem | ClientToolCallItem
        ):
            kind = "message" if isinstance(event.item, AssistantMessageItem) else "tool_call"
            event.item.id = self._ids.pop(event.item.id, None) or new_id(kind)
        elif isinstance(event, ThreadItemUpdatedEvent) and event.item_id in self._ids:
            event.item_id = self._ids[event.item_id]
        return event


def _first_text(item: UserMessageItem) -> str:
    return " ".join(part.text for part in item.content if isinstance(part, UserMessageTextContent)).strip()


class DjangoChatKitServer(ChatKitServer[RequestContext]):
    def __init__(self) -> None:
        super().__init__(store=DjangoStore(), attachment_store=DjangoAttachmentStore())
        self.converter = AttachmentAwareConverter()

    async def process_parsed(
        self, request: ChatKitReq, context: RequestContext
    ) -> StreamingResult | NonStreamingResult:
        """``process()`` for a request the endpoint has already parsed and checked.

        The SDK's ``process()`` takes raw bytes and parses them again; the endpoint parses once
        (it must, to check the request first) and routes here. Pinned SDK version: these are
        the two methods ``process()`` itself calls.
        """
        turn_user.set(context.user)
        if isinstance(request, TURN_REQUESTS):
            refusal = await self._refusal(request.params.thread_id, context)
            if refusal is not None:
                return StreamingResult(refusal)
        if is_streaming_req(request):
            return StreamingResult(self._process_streaming(request, context))
        return NonStreamingResult(await self._process_non_streaming(request, context))

    async def _refusal(self, thread_id: str, context: RequestContext) -> AsyncIterator[bytes] | None:
        """A closed or locked thread (a workflow's end step can close one) takes no new turn:
        one error event, nothing saved."""
        try:
            thread = await self.store.load_thread(thread_id, context)
        except NotFoundError:
            return None  # the SDK answers unknown (and foreign) ids itself
        context.preloaded_threads[thread_id] = thread
        if thread.status.type == "active":
            return None
        closed = thread.status.type == "closed"
        label = _("This conversation is closed.") if closed else _("This conversation is locked.")
        message = f"{label} {getattr(thread.status, 'reason', None) or ''}".strip()
        event = ErrorEvent(code="custom", message=message, allow_retry=False)

        async def refuse() -> AsyncIterator[bytes]:
            yield b"data: " + self._serialize(event) + b"\n\n"

        return refuse()

    def model(self) -> Model:
        return agent_module.build_model()

    def title_model(self) -> Model | None:
        return agent_module.build_title_model()

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        title_task: asyncio.Task[str] | None = None
        if input_user_message is not None and not thread.title:
            title_task = asyncio.create_task(title_for(_first_text(input_user_message), self.title_model()))

        try:
            async for event in self._answer(thread, input_user_message, context):
                if title_task is not None and title_task.done():
                    thread.title, title_task = title_task.result(), None
                yield event
        except asyncio.CancelledError:
            if title_task is not None:
                title_task.cancel()
                title_task = None
            raise
        finally:
            if title_task is not None:
                thread.title = await title_task

    async def _answer(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The thread's workflow when one runs the chat, else the plain assistant."""
        events = None
        if extensions.message_turn is not None:
            rewriter = _ItemIdRewriter()
            events = await extensions.message_turn(self, thread, context, input_user_message, rewriter)
        if events is None:
            events = self._assistant(thread, context)
        async for event in events:
            yield event

    async def _assistant(
        self, thread: ThreadMetadata, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        history = await self.store.load_thread_items(
            thread.id, after=None, limit=settings.CHATKIT_HISTORY_ITEMS, order="desc", context=context
        )
        agent_input = await self.converter.to_agent_input(list(reversed(history.data)))
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        pace = StreamPace()
        # The MCP servers the assistant uses (its task tools among them) are connected for the
        # turn and closed when it ends, whichever way it ends.
        async with assistant_toolbox(context.user) as (servers, stand_ins):
            agent = agent_module.build_agent(PacedModel(self.model(), pace), servers, stand_ins)
            sources = sources_collect(context.base_url)  # before the run: its tools add to it
            result = Runner.run_streamed(agent, agent_input, context=agent_context, hooks=ToolCallHooks())
            rewriter = _ItemIdRewriter()
            try:
                async for event in stream_agent_response(agent_context, PacedRun(result, pace)):  # type: ignore[arg-type]
                    yield rewriter.rewrite(annotate(event, sources))
            except asyncio.CancelledError:
                result.cancel()
                raise
            except CustomStreamError:
                raise
            except Exception as exc:
                # Upstream errors (network, rate limits, bad model output): full details go to
                # the log, the user gets a safe message and a thread that still works.
                logger.exception("Model run failed for thread %s: %s", thread.id, exc)
                raise CustomStreamError(_(MODEL_ERROR_MESSAGE), allow_retry=True) from exc

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: RequestContext
    ) -> None:
        await self.store.load_thread(thread_id, context)
        missing = await db_call(_record_feedback, thread_id, item_ids, feedback, context.user)
        if missing:
            raise NotFoundError(f"Item {missing} not found in thread {thread_id}")

    async def transcribe(self, audio_input: AudioInput, context: RequestContext) -> TranscriptionResult:
        raise NotSupported(_("input.transcribe is not supported by this server."))

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        if extensions.action_turn is not None:
            # A widget a workflow showed: its action resumes the workflow where the widget said.
            events = await extensions.action_turn(self, thread, action, sender, context, _ItemIdRewriter())
            if events is not None:
                async for event in events:
                    yield event
                return
        handlers = handlers_for(action.type)
        if handlers is None or handlers.stream is None:
            raise CustomStreamError(_("No handler for action %(type)s.") % {"type": action.type})
        async for event in handlers.stream(thread, action, sender, context):
            yield event

    async def sync_action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> SyncCustomActionResponse:
        handlers = handlers_for(action.type)
        if handlers is None or handlers.sync is None:
            raise NotSupported(_("No handler for action %(type)s.") % {"type": action.type})
        updated = await handlers.sync(thread, action, sender, context)
        if updated is not None:
            # The SDK returns the item without saving it; persist it so a reload shows it.
            await self.store.save_item(thread.id, updated, context)
        return SyncCustomActionResponse(updated_item=updated)


def _record_feedback(thread_id: str, item_ids: list[str], feedback: FeedbackKind, user: Any) -> str | None:
    """One feedback row per user and item (the latest kind wins); the first unknown id, if any."""
    rows = list(ThreadItemRow.objects.filter(thread_id=thread_id, item_id__in=item_ids))
    missing = set(item_ids) - {row.item_id for row in rows}
    if missing:
        return sorted(missing)[0]
    for row in rows:
        try:
            Feedback.objects.update_or_create(item=row, user=user, defaults={"kind": feedback})
        except IntegrityError:  # a concurrent identical submission won the race
            continue
    return None


_server: DjangoChatKitServer | None = None


def get_server() -> DjangoChatKitServer:
    global _server
    if _server is None:
        _server = DjangoChatKitServer()
    return _server
