"""The workflow and model endpoints, with the replaced system's paths and shapes."""

from __future__ import annotations

import pytest

from workflows.models import AvailableModel, Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db

AGENT_GRAPH = {
    "nodes": [
        {"slug": "start", "kind": "start", "metadata": {"position": {"x": 0, "y": 0}}},
        {"slug": "helper", "kind": "agent", "parameters": {"instructions": "Be brief."}},
        {"slug": "end", "kind": "end"},
    ],
    "edges": [{"source": "start", "target": "helper"}, {"source": "helper", "target": "end"}],
}


ADMIN_ONLY = [
    ("get", "/api/workflows"),
    ("post", "/api/workflows"),
    ("get", "/api/workflows/{w}"),
    ("delete", "/api/workflows/{w}"),
    ("patch", "/api/workflows/{w}"),
    ("post", "/api/workflows/{w}/test"),
    ("get", "/api/workflows/{w}/draft"),
    ("put", "/api/workflows/{w}/draft"),
    ("get", "/api/workflows/{w}/versions"),
    ("post", "/api/workflows/{w}/versions"),
    ("get", "/api/workflows/{w}/versions/{v}"),
    ("put", "/api/workflows/{w}/versions/{v}"),
    ("post", "/api/workflows/{w}/production"),
    ("get", "/api/workflows/{w}/export"),
    ("post", "/api/workflows/import"),
    ("post", "/api/workflows/chatkit"),
    ("post", "/api/workflows/validate"),
    ("get", "/api/workflows/current"),
    ("put", "/api/workflows/current"),
    ("get", "/api/admin/models"),
    ("post", "/api/admin/models"),
    ("patch", "/api/admin/models/1"),
    ("delete", "/api/admin/models/1"),
]


@pytest.mark.parametrize(("method", "template"), ADMIN_ONLY)
def test_non_admins_get_403_and_anonymous_401(api_client, user, method, template):
    from accounts.tokens import token_pair_for

    workflow = Workflow.objects.get(slug="assistant")
    path = template.format(w=workflow.pk, v=workflow.active_version_id)

    assert getattr(api_client, method)(path, {}, format="json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Workflow.objects.filter(pk=workflow.pk).exists()


def test_every_member_can_list_the_models(api_client, user):
    from accounts.tokens import token_pair_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    assert api_client.get("/api/models").status_code == 200


def test_gets_write_nothing(admin_api):
    workflow = Workflow.objects.get(slug="assistant")
    stamps = (workflow.updated_at, workflow.active_version.updated_at)
    counts = (Workflow.objects.count(), WorkflowVersion.objects.count())

    for path in [
        "/api/workflows",
        f"/api/workflows/{workflow.pk}",
        f"/api/workflows/{workflow.pk}/versions",
        f"/api/workflows/{workflow.pk}/versions/{workflow.active_version_id}",
        f"/api/workflows/{workflow.pk}/export",
        "/api/workflows/current",
        "/api/models",
        "/api/admin/models",
    ]:
        assert admin_api.get(path).status_code == 200, path

    workflow.refresh_from_db()
    assert (workflow.updated_at, workflow.active_version.updated_at) == stamps
    assert (Workflow.objects.count(), WorkflowVersion.objects.count()) == counts


def test_the_default_workflow_runs_the_chat_and_listing_writes_nothing(admin_api):
    before = (Workflow.objects.count(), WorkflowVersion.objects.count())

    listed = admin_api.get("/api/workflows").json()
    current = admin_api.get("/api/workflows/current").json()

    assert (Workflow.objects.count(), WorkflowVersion.objects.count()) == before
    assert [w["slug"] for w in listed if w["is_chatkit_default"]] == ["assistant"]
    assert listed[0]["versions_count"] == 1
    assert [node["kind"] for node in current["graph"]["nodes"]] == ["start", "agent", "end"]
    assert current["workflow_is_chatkit_default"] is True
    assert current["is_active"] is True


def test_create_version_activate_and_roll_back(admin_api):
    created = admin_api.post("/api/workflows", {"slug": "support", "display_name": "Support"}, format="json")
    assert created.status_code == 201
    body = created.json()
    workflow_id, first_id = body["workflow_id"], body["id"]
    assert body["is_active"] is False
    assert body["version"] == 1

    second = admin_api.post(
        f"/api/workflows/{workflow_id}/versions",
        {"graph": AGENT_GRAPH, "mark_as_active": True},
        format="json",
    ).json()
    assert second["name"] == "v2"
    assert second["is_active"] is True
    assert second["graph"]["nodes"][0]["metadata"] == {"position": {"x": 0, "y": 0}}

    versions = admin_api.get(f"/api/workflows/{workflow_id}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]

    rolled_back = admin_api.post(
        f"/api/workflows/{workflow_id}/production", {"version_id": first_id}, format="json"
    )
    assert rolled_back.status_code == 200
    assert rolled_back.json()["is_active"] is True
    assert Workflow.objects.get(pk=workflow_id).active_version_id == first_id

    chat = admin_api.post("/api/workflows/chatkit", {"workflow_id": workflow_id}, format="json").json()
    assert chat["is_chatkit_default"] is True
    assert Workflow.objects.filter(is_chatkit_default=True).count() == 1


def test_editing_the_active_version_makes_a_new_draft(admin_api):
    workflow = Workflow.objects.get(slug="assistant")
    active = workflow.active_version

    response = admin_api.put(
        f"/api/workflows/{workflow.pk}/versions/{active.pk}", {"graph": AGENT_GRAPH}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["id"] != active.pk
    assert response.json()["is_active"] is False
    active.refresh_from_db()
    assert [node["kind"] for node in active.graph["nodes"]] == ["start", "agent", "end"]
    assert active.graph["nodes"][1]["parameters"] == {}


def test_a_draft_is_replaced_in_place(admin_api):
    workflow_id = admin_api.post("/api/workflows", {"slug": "d", "display_name": "D"}, format="json").json()[
        "workflow_id"
    ]
    draft = WorkflowVersion.objects.get(workflow_id=workflow_id)

    response = admin_api.put(
        f"/api/workflows/{workflow_id}/versions/{draft.pk}", {"graph": AGENT_GRAPH}, format="json"
    )

    assert response.json()["id"] == draft.pk
    draft.refresh_from_db()
    assert draft.graph["nodes"][1]["slug"] == "helper"


def test_put_current_creates_and_activates_a_version(admin_api):
    response = admin_api.put("/api/workflows/current", {"graph": AGENT_GRAPH}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["is_active"] is True


@pytest.mark.parametrize(
    ("path", "payload", "status", "detail"),
    [
        ("/api/workflows", {"slug": "assistant", "display_name": "Again"}, 400, "already exists"),
        (
            "/api/workflows",
            {"slug": "x", "display_name": "X", "graph": {"nodes": [], "edges": []}},
            400,
            "start",
        ),
        (
            "/api/workflows",
            {
                "slug": "x",
                "display_name": "X",
                "graph": {
                    "nodes": [
                        {"slug": "start", "kind": "start"},
                        {"slug": "a", "kind": "agent", "parameters": {"bogus": 1}},
                        {"slug": "end", "kind": "end"},
                    ],
                    "edges": [{"source": "start", "target": "a"}, {"source": "a", "target": "end"}],
                },
            },
            400,
            'nodes[1] "a"',
        ),
        ("/api/workflows/chatkit", {"workflow_id": 999999}, 404, "not found"),
        ("/api/workflows/999999/production", {"version_id": 1}, 404, "not found"),
    ],
)
def test_bad_requests_get_json_errors_never_500(admin_api, path, payload, status, detail):
    response = admin_api.post(path, payload, format="json")

    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_a_duplicate_version_name_is_400(admin_api):
    workflow = Workflow.objects.get(slug="assistant")
    path = f"/api/workflows/{workflow.pk}/versions"

    assert admin_api.post(path, {"graph": AGENT_GRAPH, "name": "v1"}, format="json").status_code == 400


def test_the_chat_workflow_cannot_be_deleted_others_can(admin_api):
    workflow = Workflow.objects.get(slug="assistant")
    other = admin_api.post("/api/workflows", {"slug": "other", "display_name": "O"}, format="json").json()

    assert admin_api.delete(f"/api/workflows/{workflow.pk}").status_code == 400
    assert admin_api.delete(f"/api/workflows/{other['workflow_id']}").status_code == 204
    assert admin_api.delete(f"/api/workflows/{other['workflow_id']}").status_code == 404


def test_a_workflow_without_active_version_cannot_run_the_chat(admin_api):
    other = admin_api.post("/api/workflows", {"slug": "other", "display_name": "O"}, format="json").json()

    response = admin_api.post("/api/workflows/chatkit", {"workflow_id": other["workflow_id"]}, format="json")

    assert response.status_code == 400


def test_export_then_import_under_another_slug(admin_api):
    workflow = Workflow.objects.get(slug="assistant")
    admin_api.post(f"/api/workflows/{workflow.pk}/versions", {"graph": AGENT_GRAPH}, format="json")

    exported = admin_api.get(f"/api/workflows/{workflow.pk}/export").json()
    imported = admin_api.post("/api/workflows/import", {"document": exported, "slug": "copy"}, format="json")

    assert imported.status_code == 201
    assert imported.json()["versions_count"] == 2
    assert imported.json()["active_version_number"] == 1
    again = admin_api.post("/api/workflows/import", {"document": exported, "slug": "copy"}, format="json")
    assert again.status_code == 400


def test_the_model_registry(admin_api, user):
    created = admin_api.post(
        "/api/admin/models",
        {
            "name": "gpt-4.1-mini",
            "display_name": "GPT-4.1 mini",
            "provider": "openai",
            "supports_reasoning": False,
        },
        format="json",
    )
    assert created.status_code == 201
    model_id = created.json()["id"]
    assert admin_api.post("/api/admin/models", {"name": "gpt-4.1-mini"}, format="json").status_code == 400

    patched = admin_api.patch(f"/api/admin/models/{model_id}", {"description": "Fast"}, format="json")
    assert patched.json()["description"] == "Fast"
    assert patched.json()["api_key_set"] is False

    from rest_framework.test import APIClient

    from accounts.tokens import token_pair_for

    member = APIClient()
    member.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    listed = member.get("/api/models").json()
    assert [m["name"] for m in listed] == ["gpt-4.1-mini"]
    assert set(listed[0]) == {
        "id", "name", "display_name", "description", "supports_reasoning", "provider", "created_at",
        "updated_at",
    }  # fmt: skip

    assert admin_api.delete(f"/api/admin/models/{model_id}").status_code == 204
    assert not AvailableModel.objects.exists()
    assert admin_api.patch(f"/api/admin/models/{model_id}", {}, format="json").status_code == 404


def test_validate_lists_each_problem_with_its_node_and_saves_nothing(admin_api):
    graph = {
        "nodes": [
            {"slug": "start", "kind": "start"},
            {"slug": "triage", "kind": "condition", "parameters": {"path": "state.x", "operator": "truthy"}},
            {"slug": "end", "kind": "end"},
        ],
        "edges": [
            {"source": "start", "target": "triage"},
            {"source": "triage", "target": "end", "condition": "true"},
        ],
    }
    counts = WorkflowVersion.objects.count()

    invalid = admin_api.post("/api/workflows/validate", {"graph": graph}, format="json").json()
    valid = admin_api.post("/api/workflows/validate", {"graph": AGENT_GRAPH}, format="json").json()

    assert invalid["valid"] is False
    assert {
        "node": "triage",
        "message": 'nodes[1] "triage": condition needs one "false" edge',
        "text": "“triage” needs one step for when it is false: connect its “false” output once.",
    } in invalid["errors"]
    assert valid == {"valid": True, "errors": []}
    assert WorkflowVersion.objects.count() == counts


def test_a_workflow_can_be_renamed_and_its_editor_draft_kept_valid_or_not(admin_api):
    workflow = Workflow.objects.get(slug="assistant")

    renamed = admin_api.patch(f"/api/workflows/{workflow.pk}", {"display_name": "Helper"}, format="json")
    draft = admin_api.put(
        f"/api/workflows/{workflow.pk}/draft", {"graph": {"nodes": [], "edges": []}}, format="json"
    )
    shape = admin_api.put(f"/api/workflows/{workflow.pk}/draft", {"graph": {"nodes": 3}}, format="json")
    fetched = admin_api.get(f"/api/workflows/{workflow.pk}/draft").json()
    dropped = admin_api.delete(f"/api/workflows/{workflow.pk}/draft")

    assert renamed.json()["display_name"] == "Helper"
    assert draft.status_code == 200  # an invalid graph is a fine draft
    assert shape.status_code == 400
    assert fetched["graph"] == {"nodes": [], "edges": []}
    assert dropped.status_code == 204
    after = admin_api.get(f"/api/workflows/{workflow.pk}/draft").json()
    assert after["based_on_version_id"] == workflow.active_version_id


def test_a_new_workflows_first_graph_has_every_node_field_and_a_place_on_the_canvas(admin_api):
    created = admin_api.post(
        "/api/workflows", {"slug": "blank", "display_name": "Blank"}, format="json"
    ).json()

    nodes = {node["slug"]: node for node in created["graph"]["nodes"]}
    assert set(nodes) == {"start", "end"}
    for node in nodes.values():
        assert (node["is_enabled"], node["parameters"]) == (True, {})
        assert set(node["metadata"]["position"]) == {"x", "y"}
    assert nodes["start"]["metadata"]["position"] != nodes["end"]["metadata"]["position"]
    assert created["graph"]["edges"][0]["condition"] is None
