"""Hostile workflow graphs against every endpoint that takes one: validate, import, versions, test.

hypothesis starts from graphs that are valid (the shipped examples and every kind of step) and
corrupts them: a wrong JSON type at any field, huge and deep values, NUL characters, numbers out
of range, template and expression bombs. Whatever arrives: never a 5xx, every error is JSON with
a string ``detail``. Bounded by ``FUZZ_EXAMPLES_GRAPHS`` (default 150), derandomized in CI.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tokens import token_pair_for
from conversations.tests.helpers import events_of
from workflows.models import Workflow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES_GRAPHS", "150"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"

EVERY_KIND = {
    "nodes": [
        {"slug": "start", "kind": "start"},
        {
            "slug": "think",
            "kind": "agent",
            "parameters": {
                "instructions": "Hello {{ user.email }}",
                "model_settings": {"temperature": 0.5},
                "tools": [
                    {"type": "knowledge_base", "stores": ["kb"], "top_k": 3},
                    {"type": "weather"},
                    {"type": "registered", "name": "x"},
                    {"type": "mcp", "server": "crm"},
                    {"type": "tasks"},
                ],
                "output": {"type": "json_schema", "schema": {"type": "object"}},
                "handoffs": ["other"],
            },
        },
        {"slug": "other", "kind": "agent", "parameters": {"tools": []}},
        {
            "slug": "check",
            "kind": "condition",
            "parameters": {"path": "state.x", "operator": "equals", "value": 1},
        },
        {
            "slug": "set",
            "kind": "state",
            "parameters": {"assignments": [{"target": "state.x", "expression": "1"}]},
        },
        {
            "slug": "find",
            "kind": "json_vector_store",
            "parameters": {
                "store": "kb",
                "operation": "search",
                "query": "input.text",
                "top_k": 2,
                "target": "state.h",
            },
        },
        {
            "slug": "file",
            "kind": "json_vector_store",
            "parameters": {
                "store": "kb",
                "operation": "upsert",
                "doc_id": "'a'",
                "document": "{}",
                "shared": False,
            },
        },
        {
            "slug": "card",
            "kind": "widget",
            "parameters": {"widget": "w", "variables": {"a": "1"}, "resume_at": "set"},
        },
        {
            "slug": "end",
            "kind": "end",
            "parameters": {"message": "Bye", "status": {"type": "closed", "reason": "r"}},
        },
    ],
    "edges": [
        {"source": "start", "target": "think"},
        {"source": "think", "target": "check"},
        {"source": "check", "target": "set", "condition": "true"},
        {"source": "check", "target": "find", "condition": "false"},
        {"source": "set", "target": "file"},
        {"source": "find", "target": "file"},
        {"source": "file", "target": "card"},
        {"source": "card", "target": "end"},
    ],
}


def _seed_graphs() -> list[dict[str, Any]]:
    graphs = [EVERY_KIND]
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        graphs.append(json.loads(path.read_text())["versions"][0]["graph"])
    return graphs


SEEDS = _seed_graphs()


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, 1.5, -0.0, 1e308]),
    st.text(max_size=30),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "x" * 30_000,
            "{{ ['a' * 100000] * 4000 }}",
            "['a' * 100000] * 4000",
            "{% for i in range(99999999) %}x{% endfor %}",
            "{{",
            "state.",
            "__class__",
            "😀" * 10,
        ]
    ),
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.sampled_from([{"source": "start"}, {"slug": "x"}, [[]], {}, []]),
    st.integers(60, 200).map(_deep),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    document = copy.deepcopy(document)
    place = document
    for part in path[:-1]:
        place = place[part]
    place[path[-1]] = value
    return document


@st.composite
def hostile_graphs(draw: Any) -> Any:
    graph = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(graph)
        path = draw(st.sampled_from(paths))
        graph = _replace(graph, path, draw(hostile_values))
    return graph


@st.composite
def hostile_imports(draw: Any) -> Any:
    document = json.loads(draw(st.sampled_from(sorted(EXAMPLES_DIR.glob("*.json")))).read_text())
    document["slug"] = "fuzzed"
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        document = _replace(document, path, draw(hostile_values))
    return document


def _target_workflow() -> Workflow:
    # Its own workflow: the assistant's may be gone after a transactional test's flush.
    from workflows import services

    existing = Workflow.objects.filter(slug="fuzz-target").first()
    return existing or services.workflow_create(slug="fuzz-target", display_name="Fuzz").workflow


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from accounts.tests.factories import UserFactory
    from vectorstores.services import store_create

    with django_db_blocker.unblock():
        admin = UserFactory(email="graph-fuzzer@example.com", is_admin=True)
        store_create(slug="kb", title="KB")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=admin).access_token}")
        target = _target_workflow()
        yield client, target.pk
        admin.delete()
        from vectorstores.models import VectorStore

        VectorStore.objects.filter(slug="kb").delete()
        Workflow.objects.filter(slug__in=["fuzz-target", "fuzzed"]).delete()


def _check(response: Any) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("detail"), str), body


def _post(client: Client, url: str, body: Any) -> Any:
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    if response.get("Content-Type") == "text/event-stream":
        events = events_of(response)  # the stream must end, whatever it says
        assert events[-1]["type"] == "workflow.run"
    return response


common = settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db(transaction=True)
@given(graph=hostile_graphs())
@common
def test_no_hostile_graph_gets_a_server_error(world, graph):
    client, workflow_id = world
    _check(_post(client, "/api/workflows/validate", {"graph": graph}))
    _check(_post(client, f"/api/workflows/{workflow_id}/versions", {"graph": graph, "name": "fuzz"}))
    _check(_post(client, f"/api/workflows/{workflow_id}/test", {"graph": graph, "message": "hi"}))


@pytest.mark.django_db(transaction=True)
@given(document=hostile_imports())
@common
def test_no_hostile_import_gets_a_server_error(world, document):
    client, _ = world
    _check(_post(client, "/api/workflows/import", {"document": document, "slug": "fuzzed"}))
    Workflow.objects.filter(slug="fuzzed").delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"active_version": [1]}, "active_version"),
        ({"versions": [{"version": [1], "graph": SEEDS[1]}]}, "versions[0].version"),
    ],
)
def test_an_import_with_a_wrong_type_is_a_400_naming_the_field(admin_user, body, field):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=admin_user).access_token}")
    document = {**json.loads((EXAMPLES_DIR / "intake.json").read_text()), "slug": "x", **body}

    response = _post(client, "/api/workflows/import", {"document": document})

    assert response.status_code == 400
    assert field in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("graph", "field"),
    [
        ({**EVERY_KIND, "edges": [{"source": {"a": 1}, "target": "end"}]}, "edges[0]"),
        (_replace(EVERY_KIND, ("nodes", 7, "parameters", "resume_at"), ["set"]), "resume_at"),
        (_replace(EVERY_KIND, ("nodes", 1, "parameters", "tools", 2, "name"), ["x"]), "tools[2].name"),
    ],
)
def test_a_graph_with_a_wrong_type_is_invalid_naming_the_field(admin_user, graph, field):
    from vectorstores.services import store_create

    store_create(slug="kb", title="KB")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=admin_user).access_token}")
    workflow_id = _target_workflow().pk

    checked = _post(client, "/api/workflows/validate", {"graph": graph})
    saved = _post(client, f"/api/workflows/{workflow_id}/versions", {"graph": graph})

    assert checked.status_code == 200
    assert checked.json()["valid"] is False
    assert any(field in error["message"] for error in checked.json()["errors"])
    assert saved.status_code == 400
    assert isinstance(saved.json()["detail"], str)
