"""Refresh tokens rotate; password changes, deactivation and logout revoke tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db


def me(access: str) -> int:
    return Client().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def refresh(token: str):
    return Client().post("/api/auth/refresh", {"refresh_token": token}, content_type="application/json")


def login(user) -> dict[str, str]:
    response = Client().post(
        "/api/auth/login",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()


def test_a_refresh_returns_a_new_refresh_token_and_the_old_one_stops_working(user):
    pair = login(user)

    first = refresh(pair["refresh_token"])
    again = refresh(pair["refresh_token"])

    assert first.status_code == 200
    assert first.json()["refresh_token"] != pair["refresh_token"]
    assert again.status_code == 401
    assert refresh(first.json()["refresh_token"]).status_code == 200


def test_a_password_change_revokes_access_and_refresh_tokens(user, admin_client_api):
    pair = login(user)
    assert me(pair["access_token"]) == 200

    response = admin_client_api.patch(
        f"/api/admin/users/{user.id}", {"password": "a brand new secret"}, format="json"
    )

    assert response.status_code == 200
    assert me(pair["access_token"]) == 401
    assert refresh(pair["refresh_token"]).status_code == 401
    assert BlacklistedToken.objects.filter(token__user=user).exists()


def test_a_password_changed_outside_the_api_revokes_tokens_too(user):
    pair = token_pair_for(user=user)

    user.set_password("changed in the admin")
    user.save()

    assert me(pair.access_token) == 401
    assert refresh(pair.refresh_token).status_code == 401


def test_deactivation_revokes_tokens(user):
    pair = token_pair_for(user=user)

    user.is_active = False
    user.save()

    assert me(pair.access_token) == 401
    assert refresh(pair.refresh_token).status_code == 401


def test_logging_out_revokes_the_access_token_and_its_refresh_tokens(user):
    pair = login(user)
    rotated = refresh(pair["refresh_token"]).json()
    other_device = login(user)

    response = Client().post(
        "/api/auth/logout",
        {"refresh_token": rotated["refresh_token"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rotated['access_token']}",
    )

    assert response.status_code == 204
    assert me(pair["access_token"]) == 401
    assert me(rotated["access_token"]) == 401
    assert refresh(rotated["refresh_token"]).status_code == 401
    # Another login of the same user is not affected.
    assert me(other_device["access_token"]) == 200


def test_logout_needs_a_valid_token(user):
    assert Client().post("/api/auth/logout").status_code == 401


def test_page_logout_revokes_the_tokens_the_pages_were_given(user):
    client = Client()
    client.force_login(user)
    page = client.get("/").content.decode()
    access = page.split('"access_token": "')[1].split('"')[0]
    assert me(access) == 200

    client.post("/logout")

    assert me(access) == 401


def test_a_get_on_logout_only_asks_for_confirmation(user):
    client = Client()
    client.force_login(user)

    response = client.get("/logout")

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert client.get("/").status_code == 200  # still logged in


def test_a_cross_site_logout_post_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post("/logout").status_code == 403
    assert client.get("/").status_code == 200
