"""The workflow graph: its wire format, and every rule a graph must satisfy before it is saved.

Errors name the node: ``nodes[3] "triage": condition needs a "false" edge``. Everything a run
could trip on — unknown parameter keys, a missing store, widget or model, an invalid JSON schema,
a template or expression that does not parse — is found here, so a saved graph never crashes a
turn for a reason that was knowable when it was saved.

Paths, one convention everywhere: dotted names from a root — ``state.x.y`` (the workflow's state),
``input.text`` / ``input.output_text`` / ``input.output_parsed.z`` / ``input.action.payload.k``
(the turn's input and the last agent's output), ``user.email``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from core.templating import check_syntax, compile_expression_or_error

KINDS = ("start", "agent", "condition", "state", "json_vector_store", "widget", "end")
OPERATORS = ("truthy", "falsy", "equals", "not_equals", "contains", "greater_than", "less_than")
REASONING_EFFORTS = ("minimal", "low", "medium", "high")
THREAD_STATUSES = ("active", "closed", "locked")
TOOL_TYPES = ("knowledge_base", "show_widget", "weather", "web_search", "registered", "mcp", "tasks")
PATH = re.compile(r"^(state|input|user)(\.[A-Za-z_][A-Za-z0-9_]*)*$")
STATE_TARGET = re.compile(r"^state(\.[A-Za-z_][A-Za-z0-9_]*)+$")
SLUG = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
MAX_NODES = 200
MAX_EDGES = 1000
MAX_TEXT = 20_000


class GraphError(ValueError):
    """``errors``: the messages; ``nodes``: the slug each one is about (None: the whole graph)."""

    def __init__(self, errors: list[str], nodes: list[str | None] | None = None) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.nodes = nodes if nodes is not None else [None] * len(errors)


@dataclass
class Node:
    slug: str
    kind: str
    display_name: str
    is_enabled: bool
    parameters: dict[str, Any]
    metadata: dict[str, Any]


@dataclass
class Edge:
    source: str
    target: str
    condition: str | None
    metadata: dict[str, Any]


@dataclass
class Graph:
    nodes: dict[str, Node]
    edges: list[Edge]
    order: list[str] = field(default_factory=list)

    @property
    def start(self) -> Node:
        return next(node for node in self.nodes.values() if node.kind == "start" and node.is_enabled)

    def outgoing(self, slug: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == slug]

    def next_after(self, slug: str, condition: str | None = None) -> str | None:
        for edge in self.outgoing(slug):
            if condition is None or edge.condition == condition:
                return edge.target
        return None

    def to_wire(self) -> dict[str, Any]:
        return {
            "nodes": [
                {
                    "slug": node.slug,
                    "kind": node.kind,
                    "display_name": node.display_name,
                    "is_enabled": node.is_enabled,
                    "parameters": node.parameters,
                    "metadata": node.metadata,
                }
                for node in (self.nodes[slug] for slug in self.order)
            ],
            "edges": [
                {"source": e.source, "target": e.target, "condition": e.condition, "metadata": e.metadata}
                for e in self.edges
            ],
        }


def default_graph() -> dict[str, Any]:
    """A new workflow's first graph, whole (every field a client reads, a place on the canvas)."""

    def node(slug: str, kind: str, name: str, y: int) -> dict[str, Any]:
        metadata = {"position": {"x": 80, "y": y}}
        return {
            "slug": slug,
            "kind": kind,
            "display_name": name,
            "is_enabled": True,
            "parameters": {},
            "metadata": metadata,
        }

    return {
        "nodes": [node("start", "start", "Start", 80), node("end", "end", "End", 240)],
        "edges": [{"source": "start", "target": "end", "condition": None, "metadata": {}}],
    }


@dataclass
class References:
    """What exists outside the graph: checked names of stores, widgets and models."""

    stores: set[str]
    widgets: set[str]
    models: set[str]
    registered_tools: set[str]
    mcp_servers: set[str] = field(default_factory=set)


class _Checker:
    def __init__(self, refs: References | None) -> None:
        self.refs = refs
        self.used: set[tuple[str, str]] = set()  # (kind, name) of what the graph refers to
        self.errors: list[str] = []
        self.nodes: list[str | None] = []
        self.where = ""
        self.node: str | None = None

    def fail(self, message: str) -> None:
        self.errors.append(f"{self.where}: {message}" if self.where else message)
        self.nodes.append(self.node)

    # -- generic value checks --------------------------------------------------------------
    def keys(self, params: dict[str, Any], allowed: set[str], required: set[str] = frozenset()) -> None:
        for key in sorted(set(params) - allowed):
            self.fail(f"unknown parameter {key!r} (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(params)):
            self.fail(f"parameter {key!r} is required")

    def text(self, value: Any, name: str, *, template: bool = False, expression: bool = False) -> None:
        if not isinstance(value, str):
            self.fail(f"{name} must be a string")
            return
        if len(value) > MAX_TEXT or "\x00" in value:
            self.fail(f"{name} is too long or contains a NUL character")
            return
        problem = (
            check_syntax(value) if template else compile_expression_or_error(value) if expression else None
        )
        if problem:
            self.fail(f"{name}: {problem}")

    def boolean(self, value: Any, name: str) -> None:
        if not isinstance(value, bool):
            self.fail(f"{name} must be true or false")

    def number(self, value: Any, name: str, low: float, high: float, *, integer: bool = False) -> None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            self.fail(f"{name} must be a {'whole ' if integer else ''}number from {low} to {high}")

    def reference(self, value: Any, name: str, known: set[str] | None, what: str) -> None:
        if isinstance(value, str):
            self.used.add((what, value))
        if not isinstance(value, str) or (what != "model" and not SLUG.match(value)):
            self.fail(f"{name} must be a {what} name")
        elif known is not None and value not in known:
            self.fail(f"{what} {value!r} does not exist")

    # -- kinds -----------------------------------------------------------------------------
    def start(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        self.keys(p, set())

    def end(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        self.keys(p, {"message", "status"})
        if "message" in p:
            self.text(p["message"], "message", template=True)
        status = p.get("status")
        if status is not None:
            if not isinstance(status, dict) or status.get("type") not in THREAD_STATUSES:
                self.fail('status must be {"type": "active" | "closed" | "locked", "reason"?}')
            else:
                self.keys(status, {"type", "reason"})
                if "reason" in status:
                    self.text(status["reason"], "status.reason", template=True)

    def agent(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        allowed = {
            "instructions", "model", "model_settings", "tools", "output", "show_in_chat",
            "include_history", "history_items", "handoffs", "handoff_description", "show_sources",
        }  # fmt: skip
        self.keys(p, allowed)
        if "instructions" in p:
            self.text(p["instructions"], "instructions", template=True)
        if "handoff_description" in p:
            self.text(p["handoff_description"], "handoff_description")
        if "model" in p:
            self.reference(p["model"], "model", self.refs.models if self.refs else None, "model")
        for flag in ("show_in_chat", "include_history", "show_sources"):
            if flag in p:
                self.boolean(p[flag], flag)
        if "history_items" in p:
            self.number(p["history_items"], "history_items", 1, 200, integer=True)
        self._model_settings(p.get("model_settings", {}))
        self._tools(p.get("tools", []))
        self._output(p.get("output", {"type": "text"}))
        handoffs = p.get("handoffs", [])
        if not isinstance(handoffs, list):
            self.fail("handoffs must be a list of agent node slugs")
            return
        for target in handoffs:
            node = graph.get(target) if isinstance(target, str) else None
            if node is None or node.kind != "agent":
                self.fail(f"handoff {target!r} is not an agent node of this graph")

    def _model_settings(self, s: Any) -> None:
        if not isinstance(s, dict):
            self.fail("model_settings must be an object")
            return
        self.keys(s, {"temperature", "top_p", "max_tokens", "reasoning_effort"})
        if "temperature" in s:
            self.number(s["temperature"], "model_settings.temperature", 0, 2)
        if "top_p" in s:
            self.number(s["top_p"], "model_settings.top_p", 0, 1)
        if "max_tokens" in s:
            self.number(s["max_tokens"], "model_settings.max_tokens", 1, 200_000, integer=True)
        if "reasoning_effort" in s and s["reasoning_effort"] not in REASONING_EFFORTS:
            self.fail(f"model_settings.reasoning_effort must be one of {', '.join(REASONING_EFFORTS)}")

    def _tools(self, tools: Any) -> None:
        if not isinstance(tools, list):
            self.fail("tools must be a list")
            return
        for index, tool in enumerate(tools):
            name = f"tools[{index}]"
            if not isinstance(tool, dict) or tool.get("type") not in TOOL_TYPES:
                self.fail(f"{name} must be an object whose type is one of {', '.join(TOOL_TYPES)}")
                continue
            kind = tool["type"]
            if kind == "knowledge_base":
                self.keys(tool, {"type", "stores", "top_k"}, {"stores"})
                stores = tool.get("stores")
                if not isinstance(stores, list) or not stores:
                    self.fail(f"{name}.stores must be a non-empty list of store slugs")
                else:
                    for store in stores:
                        self.reference(
                            store, f"{name}.stores", self.refs.stores if self.refs else None, "store"
                        )
                if "top_k" in tool:
                    self.number(tool["top_k"], f"{name}.top_k", 1, 50, integer=True)
            elif kind == "registered":
                self.keys(tool, {"type", "name"}, {"name"})
                known = self.refs.registered_tools if self.refs else None
                if not isinstance(tool.get("name"), str):
                    self.fail(f"{name}.name must be the name of a registered tool")
                elif known is not None and tool["name"] not in known:
                    self.fail(f"{name}: no registered tool {tool.get('name')!r}")
            elif kind == "mcp":
                # An admin-registered MCP server (mcphub.McpServer), by name.
                self.keys(tool, {"type", "server"}, {"server"})
                known = self.refs.mcp_servers if self.refs else None
                if isinstance(tool.get("server"), str):
                    self.used.add(("mcp_server", tool["server"]))
                if not isinstance(tool.get("server"), str):
                    self.fail(f"{name}.server must be the name of an MCP server")
                elif known is not None and tool["server"] not in known:
                    self.fail(f"{name}: no MCP server {tool['server']!r}")
            else:
                self.keys(tool, {"type"})

    def _output(self, output: Any) -> None:
        if not isinstance(output, dict) or output.get("type") not in ("text", "json_schema", "widget"):
            self.fail('output must be {"type": "text" | "json_schema" | "widget", …}')
            return
        if output["type"] == "text":
            self.keys(output, {"type"})
        elif output["type"] == "json_schema":
            self.keys(output, {"type", "schema", "name"}, {"schema"})
            schema_problem(output.get("schema"), self)
        else:
            self.keys(output, {"type", "widget"}, {"widget"})
            self.reference(
                output.get("widget"), "output.widget", self.refs.widgets if self.refs else None, "widget"
            )

    def condition(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        self.keys(p, {"path", "operator", "value"}, {"path", "operator"})
        if not isinstance(p.get("path"), str) or not PATH.match(p.get("path", "")):
            self.fail("path must look like state.x.y, input.output_parsed.z or user.email")
        if p.get("operator") not in OPERATORS:
            self.fail(f"operator must be one of {', '.join(OPERATORS)}")
        elif (
            p["operator"] in ("equals", "not_equals", "contains", "greater_than", "less_than")
            and "value" not in p
        ):
            self.fail(f"operator {p['operator']} needs a value")
        elif p["operator"] in ("greater_than", "less_than"):
            self.number(p.get("value"), "value", float("-inf"), float("inf"))

    def state(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        self.keys(p, {"assignments"}, {"assignments"})
        assignments = p.get("assignments")
        if not isinstance(assignments, list) or not assignments:
            self.fail("assignments must be a non-empty list")
            return
        for index, assignment in enumerate(assignments):
            name = f"assignments[{index}]"
            if not isinstance(assignment, dict):
                self.fail(f"{name} must be an object")
                continue
            self.keys(assignment, {"target", "expression"}, {"target", "expression"})
            if not isinstance(assignment.get("target"), str) or not STATE_TARGET.match(assignment["target"]):
                self.fail(f"{name}.target must look like state.x (a path under state)")
            if "expression" in assignment:
                self.text(assignment["expression"], f"{name}.expression", expression=True)

    def json_vector_store(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        operation = p.get("operation")
        if operation == "upsert":
            self.keys(
                p,
                {"store", "operation", "doc_id", "document", "metadata", "shared"},
                {"store", "doc_id", "document"},
            )
            for name in ("doc_id", "document", "metadata"):
                if name in p:
                    self.text(p[name], name, expression=True)
            # shared: documents any user's turn may replace (a common record, not a person's).
            if "shared" in p and not isinstance(p["shared"], bool):
                self.fail("shared must be true or false")
        elif operation == "search":
            self.keys(p, {"store", "operation", "query", "top_k", "filters", "target"}, {"store", "query"})
            if "query" in p:
                self.text(p["query"], "query", expression=True)
            if "top_k" in p:
                self.number(p["top_k"], "top_k", 1, 50, integer=True)
            if "filters" in p and not isinstance(p["filters"], dict):
                self.fail("filters must be an object of metadata values")
            if "target" in p and (not isinstance(p["target"], str) or not STATE_TARGET.match(p["target"])):
                self.fail("target must look like state.x")
        else:
            self.fail('operation must be "upsert" or "search"')
        self.reference(p.get("store"), "store", self.refs.stores if self.refs else None, "store")

    def widget(self, p: dict[str, Any], graph: dict[str, Node]) -> None:
        self.keys(p, {"widget", "variables", "resume_at"}, {"widget"})
        self.reference(p.get("widget"), "widget", self.refs.widgets if self.refs else None, "widget")
        variables = p.get("variables", {})
        if not isinstance(variables, dict):
            self.fail("variables must be an object of expressions")
        else:
            for name, expression in variables.items():
                self.text(expression, f"variables.{name}", expression=True)
        if "resume_at" in p and (not isinstance(p["resume_at"], str) or p["resume_at"] not in graph):
            self.fail(f"resume_at {p['resume_at']!r} is not a node of this graph")


def schema_problem(schema: Any, checker: _Checker) -> None:
    """A JSON schema the model can be held to: an object schema with typed properties."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        checker.fail('output.schema must be a JSON schema of "type": "object"')
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        checker.fail(f"output.schema is not a valid JSON schema: {exc.message}")


def references_of(raw: Any) -> set[tuple[str, str]]:
    """What ``raw`` refers to by name: (kind, name) pairs, kind one of store, widget, model,
    mcp_server. A graph with problems still tells what it names."""
    used: set[tuple[str, str]] = set()
    try:
        parse_graph(raw, None, used=used)
    except GraphError:
        pass
    return used


def parse_graph(
    raw: Any, refs: References | None = None, *, used: set[tuple[str, str]] | None = None
) -> Graph:
    """The graph of ``raw`` (the wire format), or GraphError listing every problem."""
    checker = _Checker(refs)
    if used is not None:
        checker.used = used
    if not isinstance(raw, dict):
        raise GraphError(["graph must be an object with nodes and edges"])
    unknown = set(raw) - {"nodes", "edges"}
    if unknown:
        checker.fail(f"unknown graph keys: {', '.join(sorted(unknown))}")
    raw_nodes, raw_edges = raw.get("nodes"), raw.get("edges", [])
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise GraphError(["nodes and edges must be lists"])
    if len(raw_nodes) > MAX_NODES or len(raw_edges) > MAX_EDGES:
        raise GraphError([f"a graph has at most {MAX_NODES} nodes and {MAX_EDGES} edges"])

    nodes: dict[str, Node] = {}
    order: list[str] = []
    for index, raw_node in enumerate(raw_nodes):
        checker.where, checker.node = f"nodes[{index}]", None
        if not isinstance(raw_node, dict):
            checker.fail("must be an object")
            continue
        slug = raw_node.get("slug")
        checker.where = f'nodes[{index}] "{slug}"'
        checker.node = slug if isinstance(slug, str) else None
        if not isinstance(slug, str) or not SLUG.match(slug):
            checker.fail("slug must be 1-100 letters, digits, - or _")
            continue
        if slug in nodes:
            checker.fail("duplicate slug")
            continue
        extra = set(raw_node) - {"slug", "kind", "display_name", "is_enabled", "parameters", "metadata", "id",
                                 "created_at", "updated_at"}  # fmt: skip
        if extra:
            checker.fail(f"unknown keys: {', '.join(sorted(extra))}")
        kind = raw_node.get("kind")
        if kind not in KINDS:
            checker.fail(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
            continue
        parameters = raw_node.get("parameters") or {}
        metadata = raw_node.get("metadata") or {}
        display_name = raw_node.get("display_name") or ""
        is_enabled = raw_node.get("is_enabled", True)
        if not isinstance(parameters, dict) or not isinstance(metadata, dict):
            checker.fail("parameters and metadata must be objects")
            continue
        if not isinstance(display_name, str) or len(display_name) > 200 or not isinstance(is_enabled, bool):
            checker.fail("display_name must be a string of at most 200 characters, is_enabled a boolean")
            continue
        nodes[slug] = Node(slug, kind, display_name, is_enabled, parameters, metadata)
        order.append(slug)

    edges: list[Edge] = []
    for index, raw_edge in enumerate(raw_edges):
        checker.where, checker.node = f"edges[{index}]", None
        if not isinstance(raw_edge, dict):
            checker.fail("must be an object")
            continue
        extra = set(raw_edge) - {
            "source",
            "target",
            "condition",
            "metadata",
            "id",
            "created_at",
            "updated_at",
        }
        if extra:
            checker.fail(f"unknown keys: {', '.join(sorted(extra))}")
        source, target = raw_edge.get("source"), raw_edge.get("target")
        checker.node = source if isinstance(source, str) and source in nodes else None
        condition = raw_edge.get("condition")
        if not (isinstance(source, str) and isinstance(target, str) and source in nodes and target in nodes):
            checker.fail(f"{source!r} → {target!r}: both ends must be nodes of the graph")
            continue
        if condition not in (None, "true", "false"):
            checker.fail('condition must be "true", "false" or null')
            continue
        metadata = raw_edge.get("metadata") or {}
        if not isinstance(metadata, dict):
            checker.fail("metadata must be an object")
            continue
        edges.append(Edge(source, target, condition, metadata))

    graph = Graph(nodes=nodes, edges=edges, order=order)
    for index, slug in enumerate(order):
        node = nodes[slug]
        checker.where, checker.node = f'nodes[{index}] "{slug}"', slug
        getattr(checker, node.kind)(node.parameters, nodes)
        _check_edges(graph, node, checker)
    checker.where, checker.node = "", None
    _check_structure(graph, checker)
    if checker.errors:
        raise GraphError(checker.errors, checker.nodes)
    return graph


def _check_edges(graph: Graph, node: Node, checker: _Checker) -> None:
    outgoing = graph.outgoing(node.slug)
    if node.kind == "condition":
        for branch in ("true", "false"):
            if sum(edge.condition == branch for edge in outgoing) != 1:
                checker.fail(f'condition needs one "{branch}" edge')
    elif node.kind == "end":
        if outgoing:
            checker.fail("an end node has no outgoing edge")
    elif len(outgoing) != 1:
        checker.fail(f"{node.kind} needs exactly one outgoing edge (has {len(outgoing)})")
    elif outgoing[0].condition is not None:
        checker.fail("only condition nodes have true/false edges")


def _check_structure(graph: Graph, checker: _Checker) -> None:
    starts = [node for node in graph.nodes.values() if node.kind == "start" and node.is_enabled]
    if len(starts) != 1:
        checker.fail(f"a graph has exactly one enabled start node (found {len(starts)})")
        return
    # No cycle reachable from start (a turn must end): depth-first, grey = on the current path.
    grey: set[str] = set()
    done: set[str] = set()

    def visit(slug: str) -> bool:
        grey.add(slug)
        for edge in graph.outgoing(slug):
            if edge.target in grey:
                checker.node = edge.target
                checker.fail(f'a cycle goes through "{edge.target}"')
                return False
            if edge.target not in done and not visit(edge.target):
                return False
        grey.discard(slug)
        done.add(slug)
        return True

    visit(starts[0].slug)
