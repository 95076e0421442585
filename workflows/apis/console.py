"""The editor's test console: one message through an unsaved graph, touching no real thread.

``POST /api/workflows/{id}/test`` ``{graph, message, state?}`` (admins) answers server-sent
events: the ChatKit events of the turn as the chat would get them, then one
``{"type": "workflow.run", "run": {...}}`` event with every step (node, output, error, the state
after it). Nothing is written: the thread is made up, the run log and the state are not saved, and
a knowledge-base upsert is reported instead of done, and so is every MCP tool call (the
task tools and registered servers may write): the model is answered "not called", and the step
lists the calls under ``tool_calls_not_made``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from chatkit.errors import CustomStreamError
from chatkit.store import Page
from chatkit.types import InferenceOptions, ThreadMetadata, UserMessageItem, UserMessageTextContent
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.exceptions import PermissionDenied

from conversations.apis.chatkit import event_stream
from conversations.engine.context import RequestContext, turn_user
from conversations.engine.converter import AttachmentAwareConverter
from conversations.engine.store import new_id
from core.db import db_call
from core.http import api_endpoint
from core.openapi import error_responses
from core.validation import json_problem
from workflows.dialect import from_peer
from workflows.graph import GraphError, parse_graph
from workflows.models import ThreadWorkflow, Workflow

MAX_MESSAGE_CHARS = 20_000

TEST_OPERATION = {
    "POST": {
        "operationId": "workflows_test",
        "tags": ["workflows"],
        "summary": "Run one message through an unsaved graph (the editor's test console)",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "graph": {"type": "object", "additionalProperties": True},
                            "message": {"type": "string"},
                            "state": {"type": "object", "additionalProperties": True},
                        },
                        "required": ["graph", "message"],
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "ChatKit events, then a workflow.run event with the steps.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            **error_responses(400, 401, 403, 404, 405),
        },
    }
}


class ConsoleStore:
    """What a workflow turn asks of the store, in memory: ids, and the console's one message."""

    def __init__(self, message: UserMessageItem) -> None:
        self.message = message

    def generate_item_id(self, item_type: str, thread: Any, context: Any) -> str:
        return new_id(item_type)

    async def load_thread_items(
        self, thread_id: str, after: Any, limit: int, order: str, context: Any
    ) -> Page:
        return Page(data=[self.message], has_more=False)


def _input(request: HttpRequest) -> tuple[dict[str, Any], str, dict[str, Any]]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise exceptions.ParseError("The body is not JSON.") from None
    problem = json_problem(body)
    if problem is not None:
        raise exceptions.ParseError(f"The body {problem}.")
    if not isinstance(body, dict):
        raise exceptions.ParseError("The body must be a JSON object.")
    message, state = body.get("message"), body.get("state") or {}
    if not isinstance(message, str) or not message.strip() or len(message) > MAX_MESSAGE_CHARS:
        raise exceptions.ValidationError(
            {"message": [f"A non-empty text of at most {MAX_MESSAGE_CHARS} characters."]}
        )
    if not isinstance(state, dict):
        raise exceptions.ValidationError({"state": ["An object."]})
    return body.get("graph"), message, state


@api_endpoint(methods=("POST",), schema=TEST_OPERATION)
async def test_console(request: HttpRequest, workflow_id: int) -> HttpResponse:
    from workflows.engine.turn import WorkflowTurn

    if not request.user.is_admin:
        raise PermissionDenied()
    if not await db_call(Workflow.objects.filter(pk=workflow_id).exists):
        raise exceptions.NotFound("Workflow not found.")
    raw, message, state = _input(request)
    try:
        graph = parse_graph(from_peer(raw))  # either dialect (workflows.dialect)
    except GraphError as exc:
        raise exceptions.ValidationError(exc.errors[0]) from None

    thread = ThreadMetadata(id=new_id("thread"), created_at=datetime.now())
    item = UserMessageItem(
        id=new_id("message"),
        thread_id=thread.id,
        created_at=datetime.now(),
        content=[UserMessageTextContent(text=message)],
        attachments=[],
        inference_options=InferenceOptions(),
    )
    context = RequestContext(user=request.user, base_url=request.build_absolute_uri("/"))
    turn_user.set(request.user)
    server = SimpleNamespace(store=ConsoleStore(item), converter=AttachmentAwareConverter())
    row = ThreadWorkflow(thread_id=thread.id, state=state, resume={})
    turn = WorkflowTurn(
        server=server, thread=thread, context=context, row=row, user_message=item, graph=graph, dry_run=True
    )

    async def events() -> AsyncIterator[bytes]:
        try:
            async for event in turn.stream():
                yield b"data: " + event.model_dump_json(exclude_none=True).encode() + b"\n\n"
        except CustomStreamError as exc:
            yield b"data: " + json.dumps({"type": "error", "message": exc.message}).encode() + b"\n\n"
        run = {
            "status": turn.run.status,
            "error": turn.run.error,
            "steps": turn.run.steps,
            "state": turn.run.state_after,
        }
        yield b"data: " + json.dumps({"type": "workflow.run", "run": run}, default=str).encode() + b"\n\n"

    return event_stream(events())
