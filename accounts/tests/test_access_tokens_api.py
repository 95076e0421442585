from __future__ import annotations

import pytest

from accounts.access_tokens import access_token_authenticate, access_token_create
from accounts.models import PersonalAccessToken
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_makes_a_token_shown_once_and_stores_only_its_hash(user_client, user):
    response = user_client.post(
        "/api/users/me/tokens",
        {"name": "desktop", "expires_in_days": 30, "password": DEFAULT_PASSWORD},
        format="json",
    )

    assert response.status_code == 201
    raw = response.json()["token"]
    row = PersonalAccessToken.objects.get(user=user)
    assert raw not in (row.token_hash, row.prefix)
    assert raw.startswith(row.prefix)
    assert row.expires_at is not None
    assert access_token_authenticate(raw=raw) == user
    listed = user_client.get("/api/users/me/tokens").json()
    assert [token["name"] for token in listed] == ["desktop"]
    assert "token" not in listed[0]


def test_revoking_a_token_stops_it_working(user_client, user):
    token, raw = access_token_create(user=user, name="old")
    assert user_client.delete(f"/api/users/me/tokens/{token.pk}").status_code == 204
    assert access_token_authenticate(raw=raw) is None
    assert user_client.get("/api/users/me/tokens").json() == []


def test_another_users_token_answers_404_and_survives(user_client):
    token, raw = access_token_create(user=UserFactory(), name="theirs")
    assert user_client.delete(f"/api/users/me/tokens/{token.pk}").status_code == 404
    assert access_token_authenticate(raw=raw) is not None


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "x" * 101}, {"name": "a\x00b"}, {"name": "ok", "expires_in_days": 0},
     {"name": "ok", "expires_in_days": 100000}, {"name": "ok", "expires_in_days": "soon"}],
)  # fmt: skip
def test_it_rejects_bad_token_requests(user_client, body):
    response = user_client.post("/api/users/me/tokens", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not PersonalAccessToken.objects.exists()


def test_tokens_need_a_logged_in_user(api_client):
    assert api_client.get("/api/users/me/tokens").status_code == 401


def test_a_personal_access_token_is_not_a_jwt_for_the_rest_api(api_client, user):
    _token, raw = access_token_create(user=user, name="mcp only")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/users/me").status_code == 401
