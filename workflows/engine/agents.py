"""Agent nodes as Agents SDK agents: model from the registry, settings, tools, output, handoffs."""

from __future__ import annotations

import json
import logging
from typing import Any

from agents import (
    Agent,
    AgentOutputSchemaBase,
    ModelBehaviorError,
    ModelSettings,
    RunContextWrapper,
    StopAtTools,
    function_tool,
)
from agents.models.interface import Model
from chatkit.agents import AgentContext
from django.conf import settings
from jsonschema import Draft202012Validator
from openai.types.shared import Reasoning

from conversations.engine import agent as agent_module
from core.credentials import CredentialError
from core.db import db_call
from core.templating import render_template_async
from workflows.graph import Graph, Node
from workflows.models import AvailableModel

logger = logging.getLogger("chatkit.workflows")


class JsonSchemaOutput(AgentOutputSchemaBase):
    """An agent's final output held to an admin-written JSON schema."""

    def __init__(self, schema: dict[str, Any], name: str) -> None:
        self._schema = schema
        self._name = name
        self._validator = Draft202012Validator(schema)

    def is_plain_text(self) -> bool:
        return False

    def name(self) -> str:
        return self._name

    def json_schema(self) -> dict[str, Any]:
        return self._schema

    def is_strict_json_schema(self) -> bool:
        return False

    def validate_json(self, json_str: str) -> Any:
        try:
            value = json.loads(json_str)
        except json.JSONDecodeError as exc:
            raise ModelBehaviorError(f"The agent's output is not JSON: {exc}") from None
        error = next(iter(self._validator.iter_errors(value)), None)
        if error is not None:
            raise ModelBehaviorError(f"The agent's output does not match its schema: {error.message}")
        return value


async def model_for(name: str | None) -> tuple[Model, bool]:
    """The model of an agent node, and whether it takes reasoning settings.

    No name: the project's configured model (offline without a key). A registry entry names its
    provider and endpoint; its key is its own sealed credential. The server's OPENAI_API_KEY
    goes only to the operator's endpoint (an entry without a base URL) — never to a URL an
    admin typed. An OpenAI entry with no key at all answers with the configured model.
    """
    if not name:
        return agent_module.build_model(), False
    entry = await db_call(AvailableModel.objects.filter(name=name).first)
    if entry is None:  # removed from the registry since the graph was saved
        return agent_module.build_model(), False
    if entry.provider == AvailableModel.Provider.OFFLINE:
        return agent_module.OfflineModel(), False
    try:
        key = entry.api_key()
    except CredentialError as exc:
        logger.warning("Model %s: its API key is not used (%s)", entry.name, exc)
        key = ""
    if not key and not entry.base_url:
        key = settings.OPENAI_API_KEY or ""
    if not key and entry.provider == AvailableModel.Provider.OPENAI and not entry.base_url:
        return agent_module.build_model(), False
    from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel

    client = agent_module._openai_client(key or "not-needed", entry.endpoint_url)
    if entry.provider == AvailableModel.Provider.COMPATIBLE:
        return OpenAIChatCompletionsModel(model=entry.name, openai_client=client), entry.supports_reasoning
    return OpenAIResponsesModel(model=entry.name, openai_client=client), entry.supports_reasoning


def model_settings(raw: dict[str, Any], reasoning: bool) -> ModelSettings:
    return ModelSettings(
        temperature=raw.get("temperature"),
        top_p=raw.get("top_p"),
        max_tokens=raw.get("max_tokens"),
        reasoning=Reasoning(effort=raw["reasoning_effort"])
        if reasoning and "reasoning_effort" in raw
        else None,
    )


def _knowledge_tool(stores: list[str], top_k: int) -> Any:
    from vectorstores.agent_tools import search_as_tool, user_of

    @function_tool(
        name_override="search_knowledge_base",
        description_override=(
            "Search the knowledge base for passages relevant to a question, in any language. Returns "
            "passages prefixed with [store/doc_id]; cite those ids in the answer."
        ),
    )
    async def search_knowledge_base(ctx: RunContextWrapper, query: str) -> str:
        # The stores of the step that the turn's user may read (a workflow runs as its user).
        return await search_as_tool(user_of(ctx), query, None, stores, top_k)

    return search_knowledge_base


def _weather_tool() -> tuple[Any, list[str]]:
    if settings.CHATKIT_WEATHER_TOOL == "server":
        from tools.agent_tools import get_weather_server

        return get_weather_server, []
    return agent_module.get_weather_client, list(agent_module.CLIENT_TOOLS)


def tools_for(node: Node, model: Model) -> tuple[list[Any], list[str]]:
    """The node's tools and the names that end the turn (client tools)."""
    raw = node.parameters.get("tools")
    if raw is None:  # not chosen: today's assistant's tools
        weather, stop = _weather_tool()
        return [weather, *agent_module._extra_tools], stop
    tools: list[Any] = []
    stop: list[str] = []
    registered = {getattr(tool, "name", ""): tool for tool in agent_module._extra_tools}
    for tool in raw:
        kind = tool["type"]
        if kind == "knowledge_base":
            tools.append(_knowledge_tool(list(tool["stores"]), int(tool.get("top_k", 5))))
        elif kind == "show_widget":
            from widgets.agent_tools import show_widget

            tools.append(show_widget)
        elif kind == "weather":
            weather, stop = _weather_tool()
            tools.append(weather)
        elif kind == "web_search":
            from agents import OpenAIResponsesModel, WebSearchTool

            if isinstance(model, OpenAIResponsesModel):  # hosted tool: the Responses API only
                tools.append(WebSearchTool())
        elif kind == "registered" and tool["name"] in registered:
            tools.append(registered[tool["name"]])
    return tools, stop


def reachable_agents(graph: Graph, entry: str) -> list[str]:
    """Node ``entry`` and the agent nodes it may hand off to, directly or not."""
    seen: list[str] = []
    pending = [entry]
    while pending:
        slug = pending.pop()
        if slug not in seen and slug in graph.nodes:
            seen.append(slug)
            pending += graph.nodes[slug].parameters.get("handoffs", [])
    return seen


def mcp_servers_by_node(graph: Graph, entry: str) -> dict[str, list[str]]:
    """The MCP servers each agent of a run uses (mcphub.clients names; sync: reads the registry).

    A node without a tool choice has the default assistant's; ``{"type": "tasks"}`` is the
    project's own endpoint (the user's to-do list); ``{"type": "mcp", "server": …}`` a registered one.
    """
    from mcphub.clients import SELF_NAME, assistant_server_names

    chosen: dict[str, list[str]] = {}
    for slug in reachable_agents(graph, entry):
        raw = graph.nodes[slug].parameters.get("tools")
        if raw is None:
            chosen[slug] = assistant_server_names()
            continue
        names = [tool["server"] for tool in raw if tool.get("type") == "mcp"]
        names += [SELF_NAME for tool in raw if tool.get("type") == "tasks"]
        chosen[slug] = list(dict.fromkeys(names))
    return chosen


async def build_agents(
    graph: Graph,
    entry: str,
    context: dict[str, Any],
    wrap: Any,
    toolbox: Any = None,
    servers_by_node: dict[str, list[str]] | None = None,
) -> Agent[AgentContext]:
    """The agent of node ``entry``, with the agents it may hand off to (built once each).

    ``toolbox``: the turn's connected MCP servers (mcphub.clients.connected), which each agent
    picks from by ``servers_by_node``.
    """
    built: dict[str, Agent[AgentContext]] = {}
    pending = [entry]
    while pending:
        slug = pending.pop()
        if slug in built:
            continue
        node = graph.nodes[slug]
        p = node.parameters
        model, reasoning = await model_for(p.get("model"))
        tools, stop = tools_for(node, model)
        mcp_servers: list[Any] = []
        if toolbox is not None:
            mcp_servers, stand_ins = toolbox.pick((servers_by_node or {}).get(slug, []))
            tools += stand_ins
        output = p.get("output", {"type": "text"})
        output_type: Any = None
        if output["type"] == "json_schema":
            output_type = JsonSchemaOutput(output["schema"], output.get("name") or f"{slug}_output")
        elif output["type"] == "widget":
            output_type = JsonSchemaOutput({"type": "object"}, f"{slug}_widget_data")
        instructions = p.get("instructions")
        built[slug] = Agent[AgentContext](
            name=node.display_name or slug,
            handoff_description=p.get("handoff_description"),
            instructions=(
                await render_template_async(instructions, context)
                if instructions
                else settings.CHATKIT_AGENT_INSTRUCTIONS
            ),
            model=wrap(model),
            model_settings=model_settings(p.get("model_settings", {}), reasoning),
            tools=tools,
            mcp_servers=mcp_servers,
            output_type=output_type,
            tool_use_behavior=StopAtTools(stop_at_tool_names=stop),
        )
        pending += [target for target in p.get("handoffs", []) if target not in built]
    for slug, agent in built.items():
        agent.handoffs = [built[target] for target in graph.nodes[slug].parameters.get("handoffs", [])]
    return built[entry]
