"""The assistant: which model answers, with which instructions and tools."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from agents import Agent, RunContextWrapper, StopAtTools, function_tool, set_tracing_disabled
from agents.models.interface import Model
from agents.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents.models.openai_responses import OpenAIResponsesModel
from chatkit.agents import AgentContext, ClientToolCall
from django.conf import settings
from openai import AsyncOpenAI

from conversations.engine.extensions import extensions
from conversations.engine.offline_model import OfflineModel

CLIENT_TOOLS = ["get_weather"]


def provider_name() -> str:
    if not settings.OPENAI_API_KEY:
        return "offline"
    return f"openai-{settings.CHATKIT_MODEL_API}"


@lru_cache(maxsize=1)
def _openai_client(api_key: str, base_url: str | None) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=api_key, base_url=base_url)


def configure_tracing() -> None:
    # Traces go to OpenAI's dashboard; without a key there is nowhere to send them, and the
    # SDK would warn on every run.
    set_tracing_disabled(not settings.OPENAI_API_KEY or settings.TESTING)


def build_model() -> Model:
    """The configured model: OpenAI (or a compatible server) with a key, else offline."""
    if not settings.OPENAI_API_KEY:
        return OfflineModel()
    client = _openai_client(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL)
    if settings.CHATKIT_MODEL_API == "chat_completions":
        # Ollama, vLLM and llama.cpp speak chat completions, not the Responses API.
        return OpenAIChatCompletionsModel(model=settings.CHATKIT_AGENT_MODEL, openai_client=client)
    return OpenAIResponsesModel(model=settings.CHATKIT_AGENT_MODEL, openai_client=client)


def build_title_model() -> Model | None:
    """A model to write thread titles, or None to derive them from the first message."""
    return None if not settings.OPENAI_API_KEY else build_model()


@function_tool(
    name_override="get_weather",
    description_override=(
        "Show the current weather for a city. The user's browser looks it up and displays it. "
        "Pass the city name and, when known, the country."
    ),
)
async def get_weather_client(
    ctx: RunContextWrapper[AgentContext], city: str, country: str | None = None
) -> str:
    arguments = {"city": city}
    if country:
        arguments["country"] = country
    # Handing the call to the browser ends the turn (StopAtTools below); the browser answers
    # with threads.add_client_tool_output, which resumes the conversation.
    ctx.context.client_tool_call = ClientToolCall(name="get_weather", arguments=arguments)
    return "The weather is being shown to the user."


# Other apps add server-side tools here (knowledge base search, widgets).
_extra_tools: list = []


def register_tool(tool: object) -> None:
    if tool not in _extra_tools:
        _extra_tools.append(tool)


def build_agent(
    model: Model | None = None, mcp_servers: list[Any] | None = None, extra_tools: list[Any] | None = None
) -> Agent[AgentContext]:
    """The default assistant; ``mcp_servers`` are connected ones (mcphub.clients.connected)."""
    if settings.CHATKIT_WEATHER_TOOL == "server" and extensions.server_weather_tool is not None:
        weather, stop_at = extensions.server_weather_tool, []
    else:
        weather, stop_at = get_weather_client, CLIENT_TOOLS
    return Agent[AgentContext](
        name="Assistant",
        instructions=settings.CHATKIT_AGENT_INSTRUCTIONS,
        model=model or build_model(),
        tools=[weather, *_extra_tools, *(extra_tools or [])],
        mcp_servers=list(mcp_servers or []),
        tool_use_behavior=StopAtTools(stop_at_tool_names=stop_at),
    )
