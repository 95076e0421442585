"""Every answer under /api/ is JSON {"detail": "<string>"}: unknown paths, wrong methods, bugs."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/", "/api/vector-stores/a/b/c/d", "/api/chatkit/nope"])
def test_unknown_api_paths_are_a_json_404(method, path):
    assert_json_error(getattr(Client(), method)(path), 404)


def test_pages_keep_their_html_404():
    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/chatkit"),
        ("post", "/api/config"),
        ("delete", "/api/tools/weather"),
        ("put", "/api/auth/login"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(method, path, user_client):
    response = getattr(user_client, method)(path)

    assert_json_error(response, 405)
    assert response["Allow"]


def test_an_async_endpoint_checks_the_token_before_anything_else():
    response = Client().post("/api/chatkit", data="not even json", content_type="application/json")

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bug_in_a_drf_view_is_a_json_500(user_client, monkeypatch, settings):
    from accounts.apis import users as apis

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(apis.UserOutput, "to_representation", broken)

    assert_json_error(user_client.get("/api/users/me"), 500)


def test_a_bug_in_an_async_endpoint_is_a_json_500(monkeypatch):
    from conversations.apis import config

    def broken(saved):
        raise RuntimeError("a bug")

    monkeypatch.setattr(config, "effective_config", broken)

    assert_json_error(Client().get("/api/config"), 500)


def test_errors_of_async_and_drf_endpoints_have_the_same_shape(user_client):
    drf = user_client.post("/api/vector-stores/x/search_json", {}, content_type="application/json")
    not_found = user_client.post(
        "/api/chatkit",
        {"type": "threads.get_by_id", "params": {"thread_id": "thr_x"}},
        content_type="application/json",
    )

    assert set(drf.json()) <= {"detail", "errors"}
    assert set(not_found.json()) == {"detail"}
    assert not_found.status_code == 404
