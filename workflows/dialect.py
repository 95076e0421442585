"""The replaced system's graph dialect, read and written.

The canonical form, stored and run, is this project's (``workflows.graph``). A graph that comes in
written in the replaced system's dialect (its React builder always sends ``agent_key`` on every
node; its parameter names are listed in ``_PEER_KEYS``) is translated node by node:

* what has an equivalent becomes it (``model_settings.max_output_tokens`` → ``max_tokens``, a
  condition's ``mode``/``path`` relative to the state → ``operator``/``state.…``, a state node's
  ``state`` list → ``assignments``, ``vector_store_slug``/``*_expression`` → ``store``/``doc_id``/…,
  ``{"widget": {"slug", "variables"}}`` → ``{"widget": slug, "variables"}``, ``response_format`` /
  ``response_widget`` → ``output``, ``function``/``web_search``/``file_search`` tools → ours);
* the node's parameters *as sent* are kept beside the translation, in ``metadata["peer"]``, with
  the translation they produced. Reading the graph back in that dialect gives exactly what was
  sent as long as the translation was not changed since (by this project's editor); otherwise the
  dialect is written again from the canonical parameters. Settings with no equivalent here
  (``show_search_sources``, ``continue_on_error``, ``globals``, …) are kept that way too: saved and
  given back, not acted upon.

Expressions: the replaced system reads ``state.x``, ``input.x``, a bare name (the state's key,
else the last step's), a JSON literal, or a Python expression. The first, second and fourth are
the same text in this project's (sandboxed Jinja) expressions, JSON's ``null`` becomes ``none``
and a bare name ``state.name``.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

DIALECT_NATIVE = "chatkit"
DIALECT_PEER = "peer"

# Node keys only the replaced system sends.
PEER_NODE_KEYS = ("agent_key", "parent_slug")
MARK = "peer"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONDITION_MODES = {"truthy", "falsy", "equals", "not_equals"}
# function tools of the replaced system that are a built-in tool here
_FUNCTION_TOOLS = {"fetch_weather": "weather", "get_weather": "weather"}


def node_is_peer(raw_node: Any) -> bool:
    """Does this node say it is written in the replaced system's dialect?"""
    if not isinstance(raw_node, dict):
        return False
    if any(key in raw_node for key in PEER_NODE_KEYS):
        return True
    params = raw_node.get("parameters")
    if not isinstance(params, dict):
        return False
    kind = raw_node.get("kind") if isinstance(raw_node.get("kind"), str) else None
    if kind == "condition":
        return "mode" in params and "operator" not in params
    if kind == "state":
        return ("state" in params or "globals" in params) and "assignments" not in params
    if kind == "json_vector_store":
        return "vector_store_slug" in params or any(key.endswith("_expression") for key in params)
    if kind == "widget":
        return isinstance(params.get("widget"), dict)
    if kind == "agent":
        settings = params.get("model_settings")
        peer_settings = isinstance(settings, dict) and bool(
            {"max_output_tokens", "include_chat_history", "reasoning", "store"} & set(settings)
        )
        return (
            peer_settings
            or bool(
                {
                    "response_format",
                    "response_widget",
                    "vector_store_ingestion",
                    "response_in_chat",
                    "show_search_sources",
                    "continue_on_error",
                    "reasoning",
                }
                & set(params)
            )
            or any(isinstance(tool, dict) and _peer_tool(tool) for tool in params.get("tools") or [])
        )
    return False


def graph_is_peer(raw: Any) -> bool:
    return (
        isinstance(raw, dict)
        and isinstance(raw.get("nodes"), list)
        and any(node_is_peer(node) for node in raw["nodes"])
    )


def graph_dialect(graph: Any) -> str:
    """The dialect a stored (canonical) graph was written in: peer when its nodes carry the mark."""
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if isinstance(nodes, list) and any(
        isinstance(node, dict) and isinstance(node.get("metadata"), dict) and MARK in node["metadata"]
        for node in nodes
    ):
        return DIALECT_PEER
    return DIALECT_NATIVE


# -- incoming ------------------------------------------------------------------------------
def from_peer(raw: Any) -> Any:
    """The canonical graph of ``raw``; nodes in the replaced system's dialect are translated and
    marked, others pass unchanged (the checks of ``workflows.graph`` come after)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), list):
        return raw
    graph = dict(raw)
    nodes = []
    conditions: set[str] = set()
    for raw_node in raw["nodes"]:
        try:
            if node_is_peer(raw_node):
                raw_node = _node_from_peer(raw_node)
        except (TypeError, AttributeError, ValueError):
            pass  # not a shape either dialect has: left as sent, for the checks to name

        if (
            isinstance(raw_node, dict)
            and raw_node.get("kind") == "condition"
            and isinstance(raw_node.get("slug"), str)
        ):
            conditions.add(raw_node["slug"])
        nodes.append(raw_node)
    graph["nodes"] = nodes
    if graph_is_peer(raw) and isinstance(raw.get("edges"), list):
        graph["edges"] = _edges_from_peer(raw["edges"], conditions)
    return graph


def _node_from_peer(raw_node: dict[str, Any]) -> dict[str, Any]:
    node = {key: value for key, value in raw_node.items() if key not in PEER_NODE_KEYS}
    params = raw_node.get("parameters") if isinstance(raw_node.get("parameters"), dict) else {}
    kind = raw_node.get("kind")
    translate = _FROM_PEER.get(kind) if isinstance(kind, str) else None
    native = translate(copy.deepcopy(params)) if translate else copy.deepcopy(params)
    metadata = dict(raw_node.get("metadata") or {}) if isinstance(raw_node.get("metadata"), dict) else {}
    mark: dict[str, Any] = {"parameters": copy.deepcopy(params), "native": copy.deepcopy(native)}
    for key in PEER_NODE_KEYS:
        if raw_node.get(key) is not None:
            mark[key] = raw_node[key]
    metadata[MARK] = mark
    node["parameters"] = native
    node["metadata"] = metadata
    if node.get("display_name") is None:
        node["display_name"] = ""
    return node


def _edges_from_peer(edges: list[Any], conditions: set[str]) -> list[Any]:
    """Its edges name a condition's branch "true"/"false" (or "default" for the other one); an
    empty condition is none."""
    out = []
    for edge in edges:
        if not isinstance(edge, dict):
            out.append(edge)
            continue
        edge = dict(edge)
        condition = edge.get("condition")
        if isinstance(condition, str):
            condition = condition.strip().lower() or None
        if not isinstance(edge.get("source"), str) or edge["source"] not in conditions:
            condition = None if condition in (None, "default") else condition
        edge["condition"] = condition
        out.append(edge)
    # A condition's "default" edge is whichever of true/false it has no edge for.
    for slug in conditions:
        mine = [edge for edge in out if isinstance(edge, dict) and edge.get("source") == slug]
        taken = {edge.get("condition") for edge in mine}
        for edge in mine:
            if edge.get("condition") in ("default", None):
                free = [branch for branch in ("true", "false") if branch not in taken]
                if free:
                    edge["condition"] = free[0]
                    taken.add(free[0])
    return out


def expression_from_peer(value: Any) -> str:
    """The replaced system's expression as this project's."""
    if value is None:
        return "none"
    if not isinstance(value, str):
        return json.dumps(value).replace("null", "none")
    text = value.strip()
    if not text:
        return "none"
    if _IDENTIFIER.match(text) and text not in ("state", "input", "true", "false", "none", "null"):
        return f"state.{text}"
    if text == "null":
        return "none"
    try:
        literal = json.loads(text)
    except ValueError:
        return text
    if isinstance(literal, dict | list):
        return json.dumps(literal).replace("null", "none")
    return text


def _agent_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("instructions", "model", "handoffs", "handoff_description", "history_items"):
        if p.get(key) not in (None, ""):
            out[key] = p[key]
    settings = p.get("model_settings") if isinstance(p.get("model_settings"), dict) else {}
    native_settings: dict[str, Any] = {}
    for key in ("temperature", "top_p"):
        if settings.get(key) is not None:
            native_settings[key] = settings[key]
    if settings.get("max_output_tokens") is not None:
        native_settings["max_tokens"] = settings["max_output_tokens"]
    if settings.get("max_tokens") is not None:
        native_settings["max_tokens"] = settings["max_tokens"]
    reasoning = p.get("reasoning") if isinstance(p.get("reasoning"), dict) else settings.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("effort"):
        native_settings["reasoning_effort"] = reasoning["effort"]
    if native_settings:
        out["model_settings"] = native_settings
    history = settings.get("include_chat_history", p.get("include_history"))
    if isinstance(history, bool):
        out["include_history"] = history
    shown = p.get("response_in_chat", p.get("show_in_chat"))
    if isinstance(shown, bool):
        out["show_in_chat"] = shown
    sources = p.get("show_search_sources", p.get("show_sources"))
    if isinstance(sources, bool):
        out["show_sources"] = sources
    tools = [_tool_from_peer(tool) for tool in _list(p.get("tools")) if isinstance(tool, dict)]
    tools = [tool for tool in tools if tool is not None]
    if tools or isinstance(p.get("tools"), list):
        out["tools"] = tools
    output = _output_from_peer(p)
    if output is not None:
        out["output"] = output
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _peer_tool(tool: dict[str, Any]) -> bool:
    kind = tool.get("type")
    return isinstance(kind, str) and (kind in ("function", "file_search") or isinstance(tool.get(kind), dict))


def _tool_from_peer(tool: dict[str, Any]) -> dict[str, Any] | None:
    kind = tool.get("type")
    if kind == "function":
        function = tool.get("function") if isinstance(tool.get("function"), dict) else {}
        name = function.get("name") or tool.get("name")
        if name in _FUNCTION_TOOLS:
            return {"type": _FUNCTION_TOOLS[name]}
        return {"type": "registered", "name": name} if isinstance(name, str) and name else None
    if kind == "web_search":
        return {"type": "web_search"}
    if kind == "file_search":
        config = tool.get("file_search") if isinstance(tool.get("file_search"), dict) else {}
        slug = config.get("vector_store_slug")
        if not slug:
            return None
        out: dict[str, Any] = {"type": "knowledge_base", "stores": [slug]}
        if isinstance(config.get("max_num_results"), int):
            out["top_k"] = config["max_num_results"]
        return out
    if _peer_tool(tool):
        return None  # a tool of the replaced system with no equivalent: kept in the mark only
    return tool


def _output_from_peer(p: dict[str, Any]) -> dict[str, Any] | None:
    widget = p.get("response_widget")
    if isinstance(widget, dict):
        widget = widget.get("slug")
    if isinstance(widget, str) and widget:
        return {"type": "widget", "widget": widget}
    fmt = p.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") if isinstance(fmt.get("json_schema"), dict) else {}
        out: dict[str, Any] = {"type": "json_schema", "schema": spec.get("schema", fmt.get("schema"))}
        if spec.get("name"):
            out["name"] = spec["name"]
        return out
    if isinstance(p.get("output"), dict):
        return p["output"]
    return None


def _condition_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    mode = str(p.get("mode") or p.get("operator") or "truthy").strip().lower()
    out: dict[str, Any] = {"operator": mode}
    path = str(p.get("path") or "").strip()
    if path:
        root = path.split(".", 1)[0]
        out["path"] = path if root in ("state", "input", "user") else f"state.{path}"
    if "value" in p and p["value"] is not None:
        out["value"] = p["value"]
    return out


def _state_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    if "state" not in p and "assignments" in p:
        return p  # already ours
    assignments = []
    for entry in _list(p.get("state")):
        if isinstance(entry, dict):
            target = str(entry.get("target") or "").strip()
            if target and not target.startswith("state."):
                target = f"state.{target}"
            assignments.append(
                {"target": target, "expression": expression_from_peer(entry.get("expression"))}
            )
        else:
            assignments.append(entry)
    return {"assignments": assignments}


def _vector_store_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    if "vector_store_slug" not in p and "store" in p:
        return p  # already ours
    out: dict[str, Any] = {"store": p.get("vector_store_slug") or "", "operation": "upsert"}
    for theirs, ours in (("doc_id_expression", "doc_id"), ("document_expression", "document"),
                         ("metadata_expression", "metadata")):  # fmt: skip
        value = p.get(theirs)
        if isinstance(value, str) and value.strip():
            out[ours] = expression_from_peer(value)
    if isinstance(p.get("shared"), bool):
        out["shared"] = p["shared"]
    return out


def _widget_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    widget = p.get("widget")
    if isinstance(widget, dict):
        out: dict[str, Any] = {"widget": widget.get("slug") or ""}
        variables = widget.get("variables")
    else:
        out = {"widget": widget or ""}
        variables = p.get("variables")
    if isinstance(variables, dict) and variables:
        out["variables"] = {name: expression_from_peer(value) for name, value in variables.items()}
    elif isinstance(variables, list) and variables:  # [{identifier|name, expression|value}]
        pairs = {}
        for entry in variables:
            if isinstance(entry, dict):
                name = entry.get("identifier") or entry.get("name")
                if isinstance(name, str) and name:
                    pairs[name] = expression_from_peer(entry.get("expression", entry.get("value")))
        if pairs:
            out["variables"] = pairs
    if "resume_at" in p:
        out["resume_at"] = p["resume_at"]
    return out


def _end_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    return {key: p[key] for key in ("message", "status") if p.get(key) is not None}


def _start_from_peer(p: dict[str, Any]) -> dict[str, Any]:
    return {}


_FROM_PEER = {
    "agent": _agent_from_peer,
    "condition": _condition_from_peer,
    "state": _state_from_peer,
    "json_vector_store": _vector_store_from_peer,
    "widget": _widget_from_peer,
    "end": _end_from_peer,
    "start": _start_from_peer,
}


# -- outgoing ------------------------------------------------------------------------------
def to_peer(graph: dict[str, Any]) -> dict[str, Any]:
    """A stored graph as the replaced system's builder reads it: each node's parameters as it
    sent them when they are unchanged since, else written again from ours; ``agent_key`` and
    ``parent_slug`` on every node."""
    nodes = []
    for node in graph.get("nodes", []):
        node = dict(node)
        metadata = dict(node.get("metadata") or {})
        mark = metadata.pop(MARK, None)
        params = node.get("parameters") or {}
        if (
            isinstance(mark, dict)
            and mark.get("native") == params
            and isinstance(mark.get("parameters"), dict)
        ):
            node["parameters"] = copy.deepcopy(mark["parameters"])
        else:
            kind = node.get("kind")
            writer = _TO_PEER.get(kind) if isinstance(kind, str) else None
            node["parameters"] = writer(params) if writer else copy.deepcopy(params)
        for key in PEER_NODE_KEYS:
            node[key] = mark.get(key) if isinstance(mark, dict) else None
        node["metadata"] = metadata
        node["display_name"] = node.get("display_name") or None
        nodes.append(node)
    return {**graph, "nodes": nodes}


def expression_to_peer(text: Any) -> str:
    if not isinstance(text, str):
        return json.dumps(text)
    if text.strip() == "none":
        return "null"
    return text


def _agent_to_peer(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        key: copy.deepcopy(p[key])
        for key in ("instructions", "model", "handoffs", "handoff_description", "history_items")
        if key in p
    }
    settings: dict[str, Any] = {}
    ours = p.get("model_settings") or {}
    for key in ("temperature", "top_p"):
        if key in ours:
            settings[key] = ours[key]
    if "max_tokens" in ours:
        settings["max_output_tokens"] = ours["max_tokens"]
    if "include_history" in p:
        settings["include_chat_history"] = p["include_history"]
    if "reasoning_effort" in ours:
        out["reasoning"] = {"effort": ours["reasoning_effort"]}
    if settings:
        out["model_settings"] = settings
    if "show_in_chat" in p:
        out["response_in_chat"] = p["show_in_chat"]
    if "show_sources" in p:
        out["show_search_sources"] = p["show_sources"]
    if "tools" in p:
        out["tools"] = [_tool_to_peer(tool) for tool in p["tools"]]
    output = p.get("output") or {}
    if output.get("type") == "widget":
        out["response_widget"] = output.get("widget")
    elif output.get("type") == "json_schema":
        spec = {"schema": output.get("schema")}
        if output.get("name"):
            spec["name"] = output["name"]
        out["response_format"] = {"type": "json_schema", "json_schema": spec}
    return out


def _tool_to_peer(tool: dict[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "weather":
        return {"type": "function", "function": {"name": "fetch_weather"}}
    if kind == "registered":
        return {"type": "function", "function": {"name": tool.get("name")}}
    if kind == "web_search":
        return {"type": "web_search", "web_search": {}}
    if kind == "knowledge_base" and len(tool.get("stores") or []) == 1:
        config: dict[str, Any] = {"vector_store_slug": tool["stores"][0]}
        if "top_k" in tool:
            config["max_num_results"] = tool["top_k"]
        return {"type": "file_search", "file_search": config}
    return copy.deepcopy(tool)  # no equivalent there: our own form


def _condition_to_peer(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": p.get("operator", "truthy")}
    path = p.get("path")
    if isinstance(path, str):
        out["path"] = path.removeprefix("state.") if path.startswith("state.") else path
    if "value" in p:
        out["value"] = p["value"]
    return out


def _state_to_peer(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": [
            {"target": entry.get("target"), "expression": expression_to_peer(entry.get("expression"))}
            for entry in p.get("assignments", [])
            if isinstance(entry, dict)
        ]
    }


def _vector_store_to_peer(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("operation") != "upsert":
        return copy.deepcopy(p)  # a search step has no equivalent there
    out: dict[str, Any] = {"vector_store_slug": p.get("store", "")}
    for ours, theirs in (("doc_id", "doc_id_expression"), ("document", "document_expression"),
                         ("metadata", "metadata_expression")):  # fmt: skip
        out[theirs] = expression_to_peer(p[ours]) if ours in p else ""
    if "shared" in p:
        out["shared"] = p["shared"]
    return out


def _widget_to_peer(p: dict[str, Any]) -> dict[str, Any]:
    widget = {
        "slug": p.get("widget", ""),
        "variables": {name: expression_to_peer(value) for name, value in (p.get("variables") or {}).items()},
    }
    out: dict[str, Any] = {"widget": widget}
    if "resume_at" in p:
        out["resume_at"] = p["resume_at"]
    return out


_TO_PEER = {
    "agent": _agent_to_peer,
    "condition": _condition_to_peer,
    "state": _state_to_peer,
    "json_vector_store": _vector_store_to_peer,
    "widget": _widget_to_peer,
}


# -- messages ------------------------------------------------------------------------------
# Our parameter names in a problem found in a translated node, as the replaced system names them.
_PEER_NAMES = {
    "agent": [("model_settings.max_tokens", "model_settings.max_output_tokens"),
              ("include_history", "model_settings.include_chat_history"),
              ("show_in_chat", "response_in_chat"), ("output.widget", "response_widget"),
              ("output.schema", "response_format.json_schema.schema"), ("output", "response_format"),
              ("model_settings.reasoning_effort", "reasoning.effort"),
              ("store", "file_search.vector_store_slug")],
    "condition": [("operator", "mode")],
    "state": [("assignments", "state")],
    "json_vector_store": [("doc_id", "doc_id_expression"), ("document", "document_expression"),
                          ("metadata", "metadata_expression"), ("store", "vector_store_slug")],
    "widget": [("variables.", "widget.variables."), ("widget", "widget.slug")],
}  # fmt: skip


def message_for_peer(message: str, kind: Any) -> str:
    """A problem of a translated node, naming the replaced system's keys (after its
    ``nodes[i] "slug": `` prefix, which names the node and stays as it is)."""
    head, separator, rest = message.partition('": ')
    if separator:
        return head + separator + message_for_peer(rest, kind)
    if kind == "agent":
        message = re.sub(r"\b(tools\[\d+\])\.stores\b", r"\1.file_search.vector_store_slug", message)
    for ours, theirs in _PEER_NAMES.get(kind if isinstance(kind, str) else "", []):
        message = re.sub(rf"(?<![\w.]){re.escape(ours)}(?![\w.])", theirs, message)
    return message
