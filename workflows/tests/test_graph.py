"""Every rule a graph must satisfy, with messages that name the node."""

from __future__ import annotations

import copy

import pytest

from workflows.graph import GraphError, References, parse_graph
from workflows.tests.helpers import linear_graph

REFS = References(stores={"kb"}, widgets={"card"}, models={"gpt-4.1"}, registered_tools={"lookup"})


def graph(*middle: dict, edges: list[dict] | None = None) -> dict:
    raw = linear_graph(*middle)
    return raw if edges is None else {**raw, "edges": edges}


def errors_of(raw: dict) -> list[str]:
    with pytest.raises(GraphError) as caught:
        parse_graph(raw, REFS)
    return caught.value.errors


def test_a_valid_graph_round_trips_with_its_layout_untouched():
    raw = graph({"slug": "a", "kind": "agent", "metadata": {"position": {"x": 1, "y": 2}}})

    parsed = parse_graph(raw, REFS)

    assert parsed.to_wire()["nodes"][1]["metadata"] == {"position": {"x": 1, "y": 2}}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"nodes": [{"slug": "end", "kind": "end"}], "edges": []}, "exactly one enabled start"),
        (graph({"slug": "x", "kind": "teleport"}), "unknown kind 'teleport'"),
        (graph({"slug": "end", "kind": "agent"}), "duplicate slug"),
        (graph(edges=[{"source": "start", "target": "nowhere"}]), "both ends must be nodes"),
        (
            graph(edges=[{"source": "start", "target": "end", "metadata": "label"}]),
            "metadata must be an object",
        ),
        (
            graph(
                {"slug": "c", "kind": "condition", "parameters": {"path": "state.x", "operator": "truthy"}},
                edges=[
                    {"source": "start", "target": "c"},
                    {"source": "c", "target": "end", "condition": "true"},
                ],
            ),
            'nodes[1] "c": condition needs one "false" edge',
        ),
        (graph(edges=[]), 'nodes[0] "start": start needs exactly one outgoing edge'),
        (
            graph(
                {
                    "slug": "s",
                    "kind": "state",
                    "parameters": {"assignments": [{"target": "state.n", "expression": "1"}]},
                },
                edges=[{"source": "start", "target": "s"}, {"source": "s", "target": "start"}],
            ),
            "a cycle goes through",
        ),
    ],
)
def test_structural_rules(raw, expected):
    assert any(expected in error for error in errors_of(raw)), errors_of(raw)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"kind": "agent", "parameters": {"temperatur": 1}}, "unknown parameter 'temperatur'"),
        ({"kind": "agent", "parameters": {"model": "gpt-9"}}, "model 'gpt-9' does not exist"),
        ({"kind": "agent", "parameters": {"instructions": "{{ oops"}}, "instructions: line 1"),
        ({"kind": "agent", "parameters": {"model_settings": {"temperature": 5}}}, "temperature must be"),
        (
            {"kind": "agent", "parameters": {"tools": [{"type": "knowledge_base", "stores": ["nope"]}]}},
            "store 'nope' does not exist",
        ),
        (
            {"kind": "agent", "parameters": {"tools": [{"type": "registered", "name": "nope"}]}},
            "no registered tool",
        ),
        (
            {
                "kind": "agent",
                "parameters": {
                    "output": {"type": "json_schema", "schema": {"type": "object", "properties": 3}}
                },
            },
            "not a valid JSON schema",
        ),
        (
            {"kind": "agent", "parameters": {"output": {"type": "widget", "widget": "nope"}}},
            "widget 'nope' does not",
        ),
        ({"kind": "agent", "parameters": {"handoffs": ["end"]}}, "handoff 'end' is not an agent node"),
        (
            {"kind": "state", "parameters": {"assignments": [{"target": "x", "expression": "1"}]}},
            "path under state",
        ),
        (
            {"kind": "state", "parameters": {"assignments": [{"target": "state.x", "expression": "1 +"}]}},
            "assignments[0].expression",
        ),
        (
            {
                "kind": "json_vector_store",
                "parameters": {"store": "nope", "operation": "search", "query": "input.text"},
            },
            "store 'nope' does not exist",
        ),
        (
            {"kind": "json_vector_store", "parameters": {"store": "kb", "operation": "delete"}},
            "operation must be",
        ),
        ({"kind": "widget", "parameters": {"widget": "card", "variables": {"a": "]"}}}, "variables.a"),
        ({"kind": "widget", "parameters": {"widget": "card", "resume_at": "ghost"}}, "resume_at 'ghost'"),
    ],
)
def test_each_kinds_parameters_are_checked_and_the_node_is_named(node, expected):
    errors = errors_of(graph({"slug": "step", **node}))

    assert any(error.startswith('nodes[1] "step": ') and expected in error for error in errors), errors


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"path": "state.x", "operator": "bigger"}, "operator must be"),
        ({"path": "x.y", "operator": "truthy"}, "path must look like"),
        ({"path": "state.x", "operator": "equals"}, "needs a value"),
    ],
)
def test_conditions_are_checked(parameters, expected):
    raw = graph(
        {"slug": "c", "kind": "condition", "parameters": parameters},
        edges=[
            {"source": "start", "target": "c"},
            {"source": "c", "target": "end", "condition": "true"},
            {"source": "c", "target": "end", "condition": "false"},
        ],
    )

    assert any(expected in error for error in errors_of(raw))


def test_end_status_and_messages_are_checked():
    raw = graph()
    bad = copy.deepcopy(raw)
    bad["nodes"][1]["parameters"] = {"status": {"type": "deleted"}, "message": "{% if %}"}

    errors = errors_of(bad)

    assert any("status must be" in error for error in errors)
    assert any("message:" in error for error in errors)
