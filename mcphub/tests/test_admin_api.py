"""/api/admin/mcp-servers in the replaced system's shape: credentials in, never out; in use, kept."""

from __future__ import annotations

import json

import pytest

from mcphub.models import McpServer
from workflows import services
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db


def create(client, **body):
    payload = {"label": "CRM tools", "server_url": "https://crm.example/mcp", **body}
    return client.post("/api/admin/mcp-servers", payload, format="json")


def test_an_admin_registers_a_server_whose_authorization_is_sealed_and_never_shown(admin_client_api):
    response = create(admin_client_api, authorization="Bearer s3cret-value", transport="http_sse")

    assert response.status_code == 201
    body = response.json()
    assert (body["label"], body["server_url"], body["is_active"]) == (
        "CRM tools",
        "https://crm.example/mcp",
        True,
    )
    assert body["authorization_hint"]
    assert "s3cret" not in json.dumps(body)
    entry = McpServer.objects.get(pk=body["id"])
    assert entry.name == "crm-tools"  # what workflows call it
    assert entry.request_headers() == {"Authorization": "Bearer s3cret-value"}
    assert "s3cret" not in json.dumps(admin_client_api.get("/api/admin/mcp-servers").json())


def test_an_access_token_is_sent_as_a_bearer_and_a_new_url_drops_the_credentials(admin_client_api):
    server_id = create(admin_client_api, access_token="tok-1").json()["id"]
    assert McpServer.objects.get(pk=server_id).request_headers() == {"Authorization": "Bearer tok-1"}

    moved = admin_client_api.patch(
        f"/api/admin/mcp-servers/{server_id}", {"server_url": "https://elsewhere.example/mcp"}, format="json"
    )

    assert moved.status_code == 200
    assert moved.json()["authorization_hint"] is None
    assert McpServer.objects.get(pk=server_id).header_names == []


def test_bad_input_is_a_400_naming_the_field_and_oauth_is_refused_plainly(admin_client_api, user_client):
    assert "server_url" in create(admin_client_api, server_url="ftp://x").json()["errors"]
    refused = create(admin_client_api, oauth_client_id="abc")
    assert refused.status_code == 400
    assert "OAuth" in refused.json()["detail"]
    assert create(user_client).status_code == 403
    assert not McpServer.objects.exists()


def test_a_server_a_published_workflow_calls_is_not_deleted(admin_client_api):
    server_id = create(admin_client_api).json()["id"]
    tools = [{"type": "mcp", "server": "crm-tools"}]
    services.workflow_create(
        slug="sales",
        display_name="Sales",
        graph=linear_graph({"slug": "a", "kind": "agent", "parameters": {"tools": tools}}),
    )

    refused = admin_client_api.delete(f"/api/admin/mcp-servers/{server_id}")
    assert refused.status_code == 409
    assert "workflow Sales (v1)" in refused.json()["detail"]
    McpServer.objects.create(name="spare", url="https://spare.example/mcp")
    spare = McpServer.objects.get(name="spare").pk
    assert admin_client_api.delete(f"/api/admin/mcp-servers/{spare}").status_code == 204
    assert admin_client_api.delete(f"/api/admin/mcp-servers/{spare}").status_code == 404
