from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

UNDOCUMENTED = {"/api/schema/", "/api/docs/"}  # the schema and its viewer


def schema_of(api_client) -> dict:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def api_routes() -> set[str]:
    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/") and "(?P" not in route:
                routes.add("/" + re.sub(r"<(?:[^>:]+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return routes


def test_the_schema_validates_without_a_single_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/chatkit:" in (tmp_path / "schema.yaml").read_text()


def test_every_api_endpoint_is_in_the_schema(api_client):
    documented = set(schema_of(api_client)["paths"])

    assert api_routes() - UNDOCUMENTED <= documented, sorted(api_routes() - UNDOCUMENTED - documented)
    for path in (
        "/api/chatkit",
        "/api/config",
        "/api/tools/weather",
        "/api/chatkit/session",
        "/api/chatkit/proxy/{path}",
        "/api/chatkit/attachments/{attachment_id}/upload",
    ):
        assert path in documented


def test_component_names_are_unique_and_say_what_they_are(api_client):
    names = set(schema_of(api_client)["components"]["schemas"])

    assert not names & {"Input", "Output", "InputRequest", "OutputRequest", "PatchedInputRequest"}
    assert {"LoginInputRequest", "RefreshInputRequest", "VoiceSessionInputRequest"} <= names


def test_the_chatkit_request_is_the_union_of_the_sdk_request_types(api_client):
    schema = schema_of(api_client)
    request = schema["paths"]["/api/chatkit"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    union = schema["components"]["schemas"][request["$ref"].rsplit("/", 1)[1]]
    kinds = {
        schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]["properties"]["type"]["enum"][0]
        for option in union["oneOf"]
    }
    responses = schema["paths"]["/api/chatkit"]["post"]["responses"]

    assert {"threads.create", "threads.list", "items.list", "attachments.create", "input.transcribe"} <= kinds
    assert {"application/json", "text/event-stream"} <= set(responses["200"]["content"])
    assert schema["paths"]["/api/chatkit"]["post"]["security"] == [{"jwtAuth": []}]


def test_the_swagger_ui_is_served_from_local_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html
