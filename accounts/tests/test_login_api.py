from __future__ import annotations

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/login"


def test_it_returns_tokens_and_the_user_for_good_credentials(api_client, user):
    response = api_client.post(URL, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "user"}
    assert body["token_type"] == "bearer"
    assert body["user"]["id"] == user.id
    assert body["user"]["email"] == "user@example.com"
    assert body["user"]["is_admin"] is False
    assert {"created_at", "updated_at"} <= set(body["user"])
    me = api_client.get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200


def test_it_matches_the_email_case_insensitively(api_client, user):
    response = api_client.post(
        URL, {"email": "  USER@Example.COM ", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "user@example.com"


def test_it_rejects_a_wrong_password_with_401(api_client, user):
    response = api_client.post(URL, {"email": user.email, "password": "nope"}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password."}


def test_it_rejects_an_unknown_email_like_a_wrong_password(api_client):
    response = api_client.post(URL, {"email": "ghost@example.com", "password": "whatever"}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password."}


def test_it_refuses_inactive_users(api_client):
    UserFactory(email="gone@example.com", is_active=False)

    response = api_client.post(
        URL, {"email": "gone@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 401


def test_it_answers_400_with_field_errors_for_a_missing_password(api_client):
    response = api_client.post(URL, {"email": "user@example.com"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "password: This field is required."
    assert body["errors"] == {"password": ["This field is required."]}


def test_it_throttles_repeated_failures_with_429(api_client, user, settings):
    settings.LOGIN_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert (
            api_client.post(URL, {"email": user.email, "password": "bad"}, format="json").status_code == 401
        )

    response = api_client.post(URL, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed logins. Try again in ")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_it_does_not_count_successful_logins_towards_the_throttle(api_client, user, settings):
    settings.LOGIN_THROTTLE_RATE = "2/min"
    for _ in range(5):
        response = api_client.post(URL, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
        assert response.status_code == 200
