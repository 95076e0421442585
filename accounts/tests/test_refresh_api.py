from __future__ import annotations

import pytest

from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db

URL = "/api/auth/refresh"


def test_it_exchanges_a_refresh_token_for_a_working_access_token(api_client, user):
    pair = token_pair_for(user=user)

    response = api_client.post(URL, {"refresh_token": pair.refresh_token}, format="json")

    assert response.status_code == 200
    access = response.json()["access_token"]
    me = api_client.get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_it_rejects_a_garbage_token_with_401(api_client):
    response = api_client.post(URL, {"refresh_token": "not-a-token"}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired refresh token."}


def test_it_rejects_an_access_token_used_as_refresh_token(api_client, user):
    pair = token_pair_for(user=user)

    response = api_client.post(URL, {"refresh_token": pair.access_token}, format="json")

    assert response.status_code == 401


def test_it_rejects_the_refresh_token_of_a_deleted_user(api_client, user):
    pair = token_pair_for(user=user)
    user.delete()

    response = api_client.post(URL, {"refresh_token": pair.refresh_token}, format="json")

    assert response.status_code == 401


def test_it_requires_the_refresh_token_field(api_client):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert "refresh_token" in response.json()["errors"]
