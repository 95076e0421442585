from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db

URL = "/api/users/me"


def test_it_returns_the_current_user(user_client, user):
    response = user_client.get(URL)

    assert response.status_code == 200
    assert response.json()["id"] == user.id
    assert response.json()["email"] == user.email
    assert response.json()["is_admin"] is False


def test_it_answers_401_without_a_token(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_it_answers_401_for_a_forged_token(api_client, user):
    token = AccessToken.for_user(user)
    forged = str(token)[:-4] + "AAAA"

    response = api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_it_answers_401_for_an_expired_token(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))

    response = api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401


def test_it_answers_401_for_a_malformed_header(api_client):
    response = api_client.get(URL, HTTP_AUTHORIZATION="Token abc def")

    assert response.status_code == 401


def test_it_answers_401_once_the_user_is_deactivated(user_client, user):
    user.is_active = False
    user.save()

    assert user_client.get(URL).status_code == 401
