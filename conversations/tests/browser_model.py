"""The deterministic model behind the browser tests: it streams slowly enough to be watched."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from openai.types.responses import ResponseFunctionToolCall

from conversations.engine.offline_model import OfflineModel, _last_user_text, _message, _stream_events


def _call(name: str, arguments: dict[str, Any]) -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(
        id=f"fc_{name}",
        call_id=f"call_{name}_{id(arguments)}",
        type="function_call",
        name=name,
        arguments=json.dumps(arguments),
        status="completed",
    )


class BrowserModel(OfflineModel):
    delay = 0.03

    async def _decide(self, input: Any, tools: list[Any]) -> list[Any]:
        items = [item if isinstance(item, dict) else item.model_dump() for item in input]
        last = items[-1] if items else {}
        if last.get("type") == "function_call_output":
            output = str(last.get("output"))
            if output.startswith("The widget"):
                return [_message("Please rate the answer above.")]
            if output.startswith("["):  # knowledge-base passages: cite the first
                return [_message(f"Here is what the knowledge base says {output[: output.index(']') + 1]}.")]
            return [_message(f"The weather tool says: {output}")]
        text = _last_user_text(items)
        weather = re.search(r"weather in (\w+)", text, re.IGNORECASE)
        if weather:
            return [_call("get_weather", {"city": weather.group(1)})]
        search = re.match(r"search (.+)", text, re.IGNORECASE)
        if search:
            return [_call("search_knowledge_base", {"query": search.group(1)})]
        if "rating widget" in text:
            return [_call("show_widget", {"slug": "rating"})]
        if "long story" in text:
            return [_message(" ".join(f"word{n}" for n in range(300)))]
        return [_message(f"Echo: {text}. This answer is streamed word by word.")]

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        input, tools = args[1], args[3]
        for event in _stream_events(await self._decide(input, tools)):
            if event.type == "response.output_text.delta":
                await asyncio.sleep(self.delay)
            yield event
