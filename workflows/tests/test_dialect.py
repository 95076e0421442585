"""The replaced system's graph dialect: accepted wherever a graph comes in, read back as sent."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from conversations.tests.helpers import events_of
from vectorstores.services import store_create
from widgets.builtin import BUILTIN
from workflows.dialect import from_peer, to_peer
from workflows.graph import parse_graph
from workflows.models import AvailableModel, Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WIDGET = sorted(BUILTIN)[0]


def peer_node(slug: str, kind: str, parameters: dict | None = None, **extra) -> dict:
    """A node as the replaced system's builder saves it."""
    return {
        "slug": slug,
        "kind": kind,
        "display_name": extra.pop("display_name", None),
        "agent_key": extra.pop("agent_key", None),
        "parent_slug": None,
        "is_enabled": True,
        "parameters": parameters or {},
        "metadata": {"position": {"x": 10, "y": 20}, "order": 1},
    }


def every_kind() -> dict:
    """start → agent → state → condition (true: store → widget → end, false: end)."""
    return {
        "nodes": [
            peer_node("start", "start"),
            peer_node(
                "agent-1",
                "agent",
                {
                    "instructions": "Extract the name.",
                    "model_settings": {
                        "max_output_tokens": 300,
                        "include_chat_history": False,
                        "store": True,
                    },
                    "reasoning": {"effort": "low", "summary": "auto", "verbosity": "low"},
                    "response_in_chat": False,
                    "show_search_sources": True,
                    "continue_on_error": False,
                    "tools": [
                        {"type": "function", "function": {"name": "fetch_weather"}},
                        {"type": "web_search", "web_search": {"search_context_size": "medium"}},
                        {"type": "file_search", "file_search": {"vector_store_slug": "faq"}},
                    ],
                    "response_format": {
                        "type": "json_schema",
                        "json_schema": {
                            "name": "person",
                            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
                        },
                    },
                },
                display_name="Extract",
            ),
            peer_node(
                "state-1",
                "state",
                {
                    "state": [
                        {"target": "state.name", "expression": "input.output_parsed.name"},
                        {"target": "state.count", "expression": "1"},
                    ],
                    "globals": [{"target": "global.seen", "expression": "true"}],
                },
            ),
            peer_node("condition-1", "condition", {"mode": "truthy", "path": "name"}),
            peer_node(
                "store-1",
                "json_vector_store",
                {
                    "vector_store_slug": "faq",
                    "doc_id_expression": "input.output_parsed.name",
                    "document_expression": "input.output_parsed",
                    "metadata_expression": "",
                    "workflow_blueprint_expression": "",
                },
            ),
            peer_node(
                "widget-1", "widget", {"widget": {"slug": WIDGET, "variables": {"title": "state.name"}}}
            ),
            peer_node("end", "end", {"message": "Done"}),
            peer_node("end-2", "end", {"message": "No name"}),
        ],
        "edges": [
            {"source": "start", "target": "agent-1", "condition": None, "metadata": {"label": ""}},
            {"source": "agent-1", "target": "state-1", "condition": None, "metadata": {"label": ""}},
            {"source": "state-1", "target": "condition-1", "condition": None, "metadata": {"label": ""}},
            {"source": "condition-1", "target": "store-1", "condition": "true", "metadata": {"label": "oui"}},
            {"source": "condition-1", "target": "end-2", "condition": "default", "metadata": {"label": ""}},
            {"source": "store-1", "target": "widget-1", "condition": None, "metadata": {"label": ""}},
            {"source": "widget-1", "target": "end", "condition": None, "metadata": {"label": ""}},
        ],
    }


@pytest.fixture
def faq(db):
    return store_create(slug="faq", title="FAQ")


@pytest.fixture
def workflow(admin_client_api) -> dict:
    response = admin_client_api.post(
        "/api/workflows", {"display_name": "Mon flux", "graph": None}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_graph_in_the_replaced_systems_dialect_is_saved_and_read_back_as_sent(
    admin_client_api, faq, workflow
):
    graph = every_kind()

    saved = admin_client_api.post(
        f"/api/workflows/{workflow['workflow_id']}/versions",
        {"graph": graph, "mark_as_active": True},
        format="json",
    )

    assert saved.status_code == 201, saved.content
    assert saved.json()["problems"] == []
    read = admin_client_api.get(
        f"/api/workflows/{workflow['workflow_id']}/versions/{saved.json()['id']}"
    ).json()
    for sent, got in zip(graph["nodes"], read["graph"]["nodes"], strict=True):
        assert got["parameters"] == sent["parameters"], sent["slug"]
        assert got["agent_key"] is None
        assert got["metadata"] == sent["metadata"]
    assert read["graph"]["nodes"][1]["display_name"] == "Extract"
    assert read["graph"]["nodes"][0]["display_name"] is None


def test_the_stored_graph_is_this_projects_form(admin_client_api, faq, workflow):
    admin_client_api.post(
        f"/api/workflows/{workflow['workflow_id']}/versions",
        {"graph": every_kind(), "mark_as_active": True},
        format="json",
    )

    stored = Workflow.objects.get(pk=workflow["workflow_id"]).active_version.graph
    params = {node["slug"]: node["parameters"] for node in stored["nodes"]}
    assert params["agent-1"] == {
        "instructions": "Extract the name.",
        "model_settings": {"max_tokens": 300, "reasoning_effort": "low"},
        "include_history": False,
        "show_in_chat": False,
        "show_sources": True,  # its show_search_sources
        "tools": [{"type": "weather"}, {"type": "web_search"}, {"type": "knowledge_base", "stores": ["faq"]}],
        "output": {
            "type": "json_schema",
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
            "name": "person",
        },
    }
    assert params["state-1"] == {
        "assignments": [
            {"target": "state.name", "expression": "input.output_parsed.name"},
            {"target": "state.count", "expression": "1"},
        ]
    }
    assert params["condition-1"] == {"operator": "truthy", "path": "state.name"}
    assert params["store-1"] == {
        "store": "faq",
        "operation": "upsert",
        "doc_id": "input.output_parsed.name",
        "document": "input.output_parsed",
    }
    assert params["widget-1"] == {"widget": WIDGET, "variables": {"title": "state.name"}}
    conditions = {(edge["source"], edge["target"]): edge["condition"] for edge in stored["edges"]}
    assert conditions[("condition-1", "end-2")] == "false"  # its "default" branch
    assert parse_graph(stored)  # what runs


def test_work_in_progress_is_kept_with_its_problems_and_refused_only_when_published(
    admin_client_api, faq, workflow
):
    graph = every_kind()
    graph["nodes"].append(peer_node("agent-2", "agent", {"instructions": "Not connected yet."}))
    graph["nodes"][3]["parameters"] = {"mode": "equals", "path": "name"}  # no value yet
    base = f"/api/workflows/{workflow['workflow_id']}"

    draft = admin_client_api.post(f"{base}/versions", {"graph": graph}, format="json")
    again = admin_client_api.put(f"{base}/versions/{draft.json()['id']}", {"graph": graph}, format="json")
    published = admin_client_api.post(f"{base}/production", {"version_id": draft.json()["id"]}, format="json")

    assert draft.status_code == 201, draft.content
    assert again.status_code == 200
    problems = draft.json()["problems"]
    assert any('"agent-2"' in problem and "outgoing edge" in problem for problem in problems)
    assert any("mode equals needs a value" in problem for problem in problems)  # its own key name
    assert published.status_code == 400
    assert "agent-2" in json.dumps(published.json())
    assert Workflow.objects.get(pk=workflow["workflow_id"]).active_version_id != draft.json()["id"]


def test_problems_name_the_replaced_systems_keys(admin_client_api, workflow):
    graph = every_kind()  # the store "faq" does not exist

    response = admin_client_api.post("/api/workflows/validate", {"graph": graph}, format="json")

    problems = [problem["message"] for problem in response.json()["errors"]]
    assert any("vector_store_slug 'faq' does not exist" in problem for problem in problems), problems
    assert not any("store 'faq'" in problem and "vector_store_slug" not in problem for problem in problems), (
        problems
    )


def test_a_step_changed_in_this_projects_editor_is_written_again_in_the_dialect(
    admin_client_api, faq, workflow
):
    base = f"/api/workflows/{workflow['workflow_id']}"
    first = admin_client_api.post(f"{base}/versions", {"graph": every_kind()}, format="json").json()
    stored = WorkflowVersion.objects.get(pk=first["id"]).graph
    condition = next(node for node in stored["nodes"] if node["slug"] == "condition-1")
    condition["parameters"] = {"operator": "equals", "path": "state.name", "value": "Ada"}
    WorkflowVersion.objects.filter(pk=first["id"]).update(graph=stored)

    read = admin_client_api.get(f"{base}/versions/{first['id']}").json()
    native = admin_client_api.get(f"{base}/versions/{first['id']}?dialect=chatkit").json()

    node = next(node for node in read["graph"]["nodes"] if node["slug"] == "condition-1")
    assert node["parameters"] == {"mode": "equals", "path": "name", "value": "Ada"}
    assert "agent_key" not in native["graph"]["nodes"][0]
    assert native["graph"]["nodes"][3]["parameters"]["operator"] == "equals"


def test_a_legacy_agent_preset_runs_as_a_plain_agent_with_its_instructions(admin_client_api, workflow):
    graph = {
        "nodes": [
            peer_node("start", "start"),
            peer_node("triage", "agent", {"instructions": "Sort the request."}, agent_key="triage"),
            peer_node("end", "end"),
        ],
        "edges": [{"source": "start", "target": "triage"}, {"source": "triage", "target": "end"}],
    }
    base = f"/api/workflows/{workflow['workflow_id']}"

    saved = admin_client_api.post(f"{base}/versions", {"graph": graph, "mark_as_active": True}, format="json")
    tried = admin_client_api.post(f"{base}/test", {"graph": graph, "message": "hello"}, format="json")

    assert saved.status_code == 201, saved.content
    assert saved.json()["graph"]["nodes"][1]["agent_key"] == "triage"
    assert tried.status_code == 200, tried.content
    run = events_of(tried)[-1]["run"]
    assert run["status"] == "completed"
    assert [step["node"] for step in run["steps"]] == ["start", "triage", "end"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_each_shipped_example_survives_the_round_trip_through_the_dialect(path):
    call_command("load_workflow_examples", stdout=StringIO())
    for entry in json.loads(path.read_text())["versions"]:
        native = parse_graph(entry["graph"]).to_wire()
        back = parse_graph(from_peer(to_peer(copy.deepcopy(native)))).to_wire()
        assert [node["parameters"] for node in back["nodes"]] == [
            node["parameters"] for node in native["nodes"]
        ]
        assert back["edges"] == native["edges"]


def test_a_new_workflow_may_come_without_a_slug_or_graph(admin_client_api):
    first = admin_client_api.post(
        "/api/workflows", {"display_name": "Flux été", "graph": None}, format="json"
    )
    second = admin_client_api.post("/api/workflows", {"display_name": "Flux été"}, format="json")

    assert first.status_code == 201, first.content
    assert [first.json()["workflow_slug"], second.json()["workflow_slug"]] == ["flux-ete", "flux-ete-2"]
    assert [node["kind"] for node in first.json()["graph"]["nodes"]] == ["start", "end"]


def test_duplicating_a_workflow_copies_its_running_version(admin_client_api, faq, workflow):
    base = f"/api/workflows/{workflow['workflow_id']}"
    admin_client_api.post(f"{base}/versions", {"graph": every_kind(), "mark_as_active": True}, format="json")

    response = admin_client_api.post(f"{base}/duplicate", {"display_name": "Copie"}, format="json")

    assert response.status_code == 201, response.content
    copy_ = Workflow.objects.get(slug="copie")
    assert copy_.active_version.graph == Workflow.objects.get(pk=workflow["workflow_id"]).active_version.graph
    assert response.json()["graph"]["nodes"][1]["agent_key"] is None  # read back in its dialect
    assert admin_client_api.post("/api/workflows/999999/duplicate", {}, format="json").status_code == 404


def test_a_model_with_null_display_name_and_description_is_accepted_and_read_as_null(admin_client_api):
    response = admin_client_api.post(
        "/api/admin/models",
        {"name": "gpt-test", "display_name": None, "description": None, "provider": "openai"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["display_name"] is None
    assert response.json()["description"] is None
    assert AvailableModel.objects.get(name="gpt-test").display_name == ""


@pytest.mark.parametrize(
    "node",
    [
        {"slug": "a", "kind": "agent", "agent_key": None, "parameters": {"tools": 5, "model_settings": []}},
        {"slug": "a", "kind": "agent", "agent_key": None, "parameters": {"tools": [{"type": ["x"]}]}},
        {"slug": "a", "kind": "state", "agent_key": None, "parameters": {"state": {"target": 1}}},
        {"slug": "a", "kind": "condition", "agent_key": None, "parameters": {"mode": ["truthy"], "path": {}}},
        {"slug": "a", "kind": ["agent"], "agent_key": None, "parameters": {}},
        {"slug": {"x": 1}, "kind": "widget", "agent_key": None, "parameters": {"widget": {"variables": 3}}},
        {"slug": "a", "kind": "json_vector_store", "agent_key": [], "parameters": {"vector_store_slug": 7}},
    ],
)
def test_a_malformed_node_in_the_dialect_is_a_400_never_a_500(admin_client_api, workflow, node):
    graph = {"nodes": [peer_node("start", "start"), node], "edges": [{"source": "start", "target": "a"}]}
    base = f"/api/workflows/{workflow['workflow_id']}"

    for response in (
        admin_client_api.post("/api/workflows/validate", {"graph": graph}, format="json"),
        admin_client_api.post(f"{base}/versions", {"graph": graph, "mark_as_active": True}, format="json"),
        admin_client_api.post(f"{base}/test", {"graph": graph, "message": "hi"}, format="json"),
    ):
        assert response.status_code in (200, 201, 400), response.content


def test_its_builder_saves_and_reads_back_canvas_viewports_per_admin(admin_client_api, workflow):
    workflow_id, version_id = workflow["workflow_id"], workflow["id"]
    body = {
        "viewports": [
            {"workflow_id": workflow_id, "version_id": version_id, "device_type": "desktop",
             "x": 12.5, "y": -4, "zoom": 0.8},
            {"workflow_id": workflow_id, "device_type": "mobile", "x": 0, "y": 0, "zoom": 1},
            {"workflow_id": 999999, "x": 1, "y": 1, "zoom": 1},
        ]
    }  # fmt: skip

    saved = admin_client_api.put("/api/workflows/viewports", body, format="json")
    read = admin_client_api.get("/api/workflows/viewports")
    bad = admin_client_api.put(
        "/api/workflows/viewports",
        {"viewports": [{"workflow_id": workflow_id, "x": "nan", "y": 0, "zoom": 1}]},
        format="json",
    )  # fmt: skip

    assert saved.status_code == 200, saved.content
    assert read.json() == saved.json()
    assert [(v["device_type"], v["x"], v["zoom"]) for v in read.json()["viewports"]] == [
        ("desktop", 12.5, 0.8),
        ("mobile", 0.0, 1.0),
    ]
    assert bad.status_code == 400
    assert admin_client_api.get("/api/workflows/viewports").json() == read.json()


def test_its_import_takes_one_graph_into_a_new_or_an_existing_workflow(admin_client_api, faq, workflow):
    workflow_id = workflow["workflow_id"]
    created = admin_client_api.post(
        "/api/workflows/import",
        {"display_name": "Imported flow", "graph": every_kind(), "mark_as_active": True},
        format="json",
    )
    added = admin_client_api.post(
        "/api/workflows/import",
        {"workflow_id": workflow_id, "version_name": "from file", "graph": every_kind()},
        format="json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["workflow_slug"] == "imported-flow"
    assert created.json()["is_active"] is True
    assert added.status_code == 201, added.content
    assert added.json()["name"] == "from file"
    assert added.json()["workflow_id"] == workflow_id
    exported = admin_client_api.get(f"/api/workflows/{workflow_id}/versions/{added.json()['id']}/export")
    assert exported.status_code == 200
    assert exported.json()["nodes"][1]["parameters"] == every_kind()["nodes"][1]["parameters"]


@pytest.mark.django_db(transaction=True)
def test_two_viewport_saves_at_once_both_succeed_and_leave_one_set():
    """Its builder sends a PUT on every pan and zoom, often two together."""
    import threading

    from django.db import connection

    from accounts.tests.factories import UserFactory
    from workflows.models import EditorViewport
    from workflows.services import viewports_replace, workflow_create

    user = UserFactory(is_staff=True)
    workflow = workflow_create(slug="w", display_name="W", graph=None).workflow
    errors: list[BaseException] = []

    def save(x: float, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            viewports_replace(
                user=user,
                entries=[{"workflow_id": workflow.pk, "device_type": "desktop", "x": x, "y": 0, "zoom": 1}],
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    for round_ in range(6):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=save, args=(round_ + n / 10, barrier)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert EditorViewport.objects.filter(user=user).count() == 1
