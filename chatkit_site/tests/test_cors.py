"""Front ends on other origins: CORS for the allowed ones (CORS_ALLOWED_ORIGINS), none for others."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ALLOWED = "https://app.example.com"


@pytest.fixture(autouse=True)
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(origin: str, path: str = "/api/chatkit"):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.mark.parametrize("path", ["/api/chatkit", "/api/vector-stores/faq/search_json", "/api/auth/login"])
def test_a_preflight_from_an_allowed_origin_is_answered_before_authentication(path):
    response = preflight(ALLOWED, path)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_a_preflight_from_another_origin_gets_no_cors_headers():
    response = preflight("https://evil.example.net")

    assert "Access-Control-Allow-Origin" not in response


def test_by_default_no_origin_is_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = []

    assert "Access-Control-Allow-Origin" not in preflight(ALLOWED)


def test_actual_requests_from_an_allowed_origin_can_read_the_answer(user_client):
    response = user_client.get("/api/users/me", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Credentials" not in response  # tokens, never cookies


def test_pages_never_get_cors_headers(client):
    response = client.get("/login", HTTP_ORIGIN=ALLOWED)

    assert "Access-Control-Allow-Origin" not in response
