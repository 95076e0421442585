"""A deterministic ``agents`` Model used when no language model is configured.

It is honest about what it is ("offline mode: no language model configured"), streams its
answer word by word like a real provider, and can still use the agent's tools: a message
such as "weather in Lyon" becomes a ``get_weather`` call. Other apps add answers through
``register_offline_answerer`` (the knowledge base answers with retrieved passages).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from agents import ModelResponse, Usage
from agents.models.interface import Model, ModelTracing
from django.conf import settings
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)

OFFLINE_NOTICE = "Offline mode: no language model configured."

# Answerers get (question, tool names) and return Markdown, or None to pass.
OfflineAnswerer = Callable[[str, list[str]], Awaitable[str | None]]
_answerers: list[OfflineAnswerer] = []

# Structurers make a structured output by rule: they get (the output's name, the agent's
# instructions, the last user text or action) and return a value of that output, or None to pass
# (the value is then sampled from the schema). Apps register them for the outputs they know.
OfflineStructurer = Callable[[str, str, str], Awaitable[Any | None]]
_structurers: list[OfflineStructurer] = []
_instructions: contextvars.ContextVar[str] = contextvars.ContextVar("offline_instructions", default="")


# Tool planners let a structured step call one of its tools first, as a model would: they get
# (the output's name, the agent's instructions, the step's tool names) and return the call to
# make, (tool, arguments), or None. The structurers then get the tool's answer as their text.
OfflineToolPlanner = Callable[[str, str, list[str]], Awaitable[tuple[str, dict[str, Any]] | None]]
_planners: list[OfflineToolPlanner] = []


def register_offline_structurer(structurer: OfflineStructurer) -> None:
    if structurer not in _structurers:
        _structurers.append(structurer)


def register_offline_tool_planner(planner: OfflineToolPlanner) -> None:
    if planner not in _planners:
        _planners.append(planner)


_WEATHER = re.compile(
    r"\b(?:weather|temperature|forecast|m[ée]t[ée]o|temps)\s+(?:in|for|at|à|a|de|pour)\s+"
    r"(?P<city>[^,?!.;]+?)(?:\s*,\s*(?P<country>[^?!.;]+?))?\s*[?!.;]*$",
    re.IGNORECASE,
)


_TASK_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "add_task",
        re.compile(
            r"^(?:please\s+)?(?:add|create|new|ajoute[rz]?|cr[ée]e[rz]?)\s+(?:a\s+|une\s+)?"
            r"(?:new\s+|nouvelle\s+)?(?:task|todo|to-do|t[âa]che)\s*(?::|to|called|named|pour)?\s*(?P<title>.+?)[.!]?$",
            re.IGNORECASE,
        ),
    ),
    (
        "complete_task",
        re.compile(
            r"\b(?:complete|finish|done with|termine[rz]?)\s+(?:the\s+)?(?:task|t[âa]che)"
            r"\s+#?(?P<task_id>\d+)",
            re.IGNORECASE,
        ),
    ),
    (
        "delete_task",
        re.compile(
            r"\b(?:delete|remove|supprime[rz]?)\s+(?:the\s+)?(?:task|t[âa]che)\s+#?(?P<task_id>\d+)",
            re.IGNORECASE,
        ),
    ),
    (
        "list_tasks",
        re.compile(
            r"\b(?:(?:show|list|see|what are)\b.*\b(?:tasks|to-?dos?)|mes\s+t[âa]ches"
            r"|my\s+(?:tasks|to-?dos?))\b",
            re.IGNORECASE,
        ),
    ),
]
TASK_TOOL_NAMES = {name for name, _pattern in _TASK_PATTERNS}


def parse_task_request(text: str) -> tuple[str, dict[str, Any]] | None:
    """A to-do request ("add a task buy bread", "show my tasks") as a task tool call."""
    for name, pattern in _TASK_PATTERNS:
        match = pattern.search(text.strip())
        if match:
            arguments: dict[str, Any] = {
                key: int(value) if key == "task_id" else value.strip()
                for key, value in match.groupdict().items()
                if value
            }
            return name, arguments
    return None


def _called_tool(items: list[dict[str, Any]], call_id: Any) -> str | None:
    for item in reversed(items):
        if item.get("type") == "function_call" and item.get("call_id") == call_id:
            return item.get("name")
    return None


def _function_call(name: str, arguments: dict[str, Any]) -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(
        id=f"fc_{uuid.uuid4().hex}",
        call_id=f"call_{uuid.uuid4().hex}",
        type="function_call",
        name=name,
        arguments=json.dumps(arguments, ensure_ascii=False),
        status="completed",
    )


def register_offline_answerer(answerer: OfflineAnswerer) -> None:
    if answerer not in _answerers:
        _answerers.append(answerer)


def parse_weather_request(text: str) -> dict[str, str] | None:
    match = _WEATHER.search(text.strip())
    if not match:
        return None
    arguments = {"city": match.group("city").strip()}
    if match.group("country"):
        arguments["country"] = match.group("country").strip()
    return arguments


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        # The first text part is what the user typed; later parts are attachments.
        for part in content:
            if isinstance(part, dict) and part.get("type") == "input_text":
                return str(part.get("text", "")).strip()
    return ""


def _last_user_text(items: list[dict[str, Any]]) -> str:
    for item in reversed(items):
        if item.get("role") == "user":
            text = _text_of(item.get("content"))
            if text and not text.startswith("Hidden context for the agent"):
                return text
    return ""


def _sample(schema: Any, text: str) -> Any:
    """A value of a JSON schema, made without a model: strings say what the user said."""
    if not isinstance(schema, dict):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _sample(sub, text) for name, sub in properties.items()}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return text


class OfflineModel(Model):
    async def _decide(self, input: str | list[Any], tools: list[Any], output_schema: Any = None) -> list[Any]:
        items: list[dict[str, Any]] = (
            [{"role": "user", "content": input}]
            if isinstance(input, str)
            else [item if isinstance(item, dict) else item.model_dump() for item in input]
        )
        tool_names = [getattr(tool, "name", "") for tool in tools]
        last = items[-1] if items else {}
        structured = output_schema is not None and not output_schema.is_plain_text()
        if structured:
            return await self._structured(items, last, tool_names, output_schema)
        if last.get("type") == "function_call_output":
            if _called_tool(items, last.get("call_id")) in TASK_TOOL_NAMES:
                return [_message(f"{OFFLINE_NOTICE} Done: your tasks are in the card above.")]
            output = last.get("output")
            shown = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
            if _called_tool(items, last.get("call_id")) == "search_knowledge_base":
                if shown.startswith("["):  # passages, each "[store/doc_id] …"
                    return [_message(f"{OFFLINE_NOTICE} From the knowledge base:\n\n{shown}")]
                return [_message(_echo(_last_user_text(items)))]  # nothing found: as without the tool
            return [_message(f"{OFFLINE_NOTICE} The tool answered:\n\n{shown}")]

        question = _last_user_text(items)
        weather = parse_weather_request(question)
        if weather and "get_weather" in tool_names:
            return [_function_call("get_weather", weather)]
        task = parse_task_request(question)
        if task and task[0] in tool_names:
            return [_function_call(*task)]
        for answerer in _answerers:
            answer = await answerer(question, tool_names)
            if answer:
                return [_message(f"{OFFLINE_NOTICE}\n\n{answer}")]
        if question and "search_knowledge_base" in tool_names:
            # The step's own knowledge base: search it, then quote what it found (with its sources).
            return [_function_call("search_knowledge_base", {"query": question})]
        return [_message(_echo(question))]

    async def _structured(
        self, items: list[dict[str, Any]], last: dict[str, Any], tool_names: list[str], output_schema: Any
    ) -> list[Any]:
        """A workflow step's structured output: a registered planner's tool call first (once), then a
        registered rule's value (given the tool's answer, else the user's text), else a valid value
        sampled from the schema; deterministic, for tests and demos."""
        name = output_schema.name()
        if last.get("type") == "function_call_output":
            output = last.get("output")
            text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
        else:
            for planner in _planners:
                call = await planner(name, _instructions.get(), tool_names)
                if call is not None and call[0] in tool_names:
                    return [_function_call(*call)]
            text = _last_user_text(items)
        for structurer in _structurers:
            value = await structurer(name, _instructions.get(), text)
            if value is not None:
                return [_message(json.dumps(value, ensure_ascii=False))]
        return [_message(json.dumps(_sample(output_schema.json_schema(), text), ensure_ascii=False))]

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: Any = None,
    ) -> ModelResponse:
        _instructions.set(system_instructions or "")
        output = await self._decide(input, tools, output_schema)
        return ModelResponse(output=output, usage=Usage(requests=1), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: Any = None,
    ) -> AsyncIterator[Any]:
        _instructions.set(system_instructions or "")
        output = await self._decide(input, tools, output_schema)
        # OFFLINE_STREAM_DELAY_MS paces the words like a provider would (load tests, demos of
        # streaming, graceful shutdown with streams open); 0 by default.
        delay = settings.OFFLINE_STREAM_DELAY_MS / 1000
        for event in _stream_events(output):
            yield event
            # As a provider's stream does (each event is read from a socket), let the loop run
            # between events: the answer is sent while it is made, not queued whole in memory.
            await asyncio.sleep(delay)


def _echo(question: str) -> str:
    said = f" You said: “{question}”." if question else ""
    hint = " Set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server) to get real answers."
    return f"{OFFLINE_NOTICE}{said}{hint}"


def _message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id=f"msg_{uuid.uuid4().hex}",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[], logprobs=[])],
    )


def _response(output: list[Any], status: str) -> Response:
    return Response(
        id=f"resp_offline_{uuid.uuid4().hex}",
        created_at=0,
        model="offline",
        object="response",
        output=output,
        tool_choice="auto",
        tools=[],
        top_p=None,
        parallel_tool_calls=False,
        status=status,
    )


def _stream_events(output: list[Any]) -> Iterator[Any]:
    """The Responses-API event sequence a provider would stream for ``output``, made as it is read.

    A generator: a 300-word answer is never 300 events in memory at once.
    """
    seq = iter(range(1_000_000))
    yield ResponseCreatedEvent(
        type="response.created", response=_response([], "in_progress"), sequence_number=next(seq)
    )
    for index, item in enumerate(output):
        if isinstance(item, ResponseOutputMessage):
            text = item.content[0].text
            empty = item.model_copy(update={"content": [], "status": "in_progress"})
            part = ResponseOutputText(type="output_text", text="", annotations=[], logprobs=[])
            yield from [
                ResponseOutputItemAddedEvent(
                    type="response.output_item.added",
                    item=empty,
                    output_index=index,
                    sequence_number=next(seq),
                ),
                ResponseContentPartAddedEvent(
                    type="response.content_part.added",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    part=part,
                    sequence_number=next(seq),
                ),
            ]
            for word in re.findall(r"\S+\s*|\s+", text):
                yield ResponseTextDeltaEvent(
                    type="response.output_text.delta",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    delta=word,
                    logprobs=[],
                    sequence_number=next(seq),
                )
            yield from [
                ResponseTextDoneEvent(
                    type="response.output_text.done",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    text=text,
                    logprobs=[],
                    sequence_number=next(seq),
                ),
                ResponseContentPartDoneEvent(
                    type="response.content_part.done",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    part=item.content[0],
                    sequence_number=next(seq),
                ),
            ]
        elif isinstance(item, ResponseFunctionToolCall):
            yield from [
                ResponseOutputItemAddedEvent(
                    type="response.output_item.added",
                    item=item.model_copy(update={"arguments": "", "status": "in_progress"}),
                    output_index=index,
                    sequence_number=next(seq),
                ),
                ResponseFunctionCallArgumentsDeltaEvent(
                    type="response.function_call_arguments.delta",
                    item_id=item.id or item.call_id,
                    output_index=index,
                    delta=item.arguments,
                    sequence_number=next(seq),
                ),
                ResponseFunctionCallArgumentsDoneEvent.model_validate(
                    {
                        "type": "response.function_call_arguments.done",
                        "item_id": item.id or item.call_id,
                        "output_index": index,
                        "arguments": item.arguments,
                        "name": item.name,
                        "sequence_number": next(seq),
                    }
                ),
            ]
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=item, output_index=index, sequence_number=next(seq)
        )
    yield ResponseCompletedEvent(
        type="response.completed", response=_response(output, "completed"), sequence_number=next(seq)
    )
