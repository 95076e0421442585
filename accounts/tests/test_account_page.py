from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.access_tokens import access_token_authenticate, access_token_create
from accounts.models import PersonalAccessToken
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_needs_a_login():
    response = Client().get("/account")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_it_creates_a_token_and_shows_it_once(browser, user):
    response = browser.post(
        "/account/tokens", {"name": "laptop", "expires_in_days": "7", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 201
    raw = re.search(r'<code class="secret">([^<]+)</code>', response.content.decode()).group(1)
    assert access_token_authenticate(raw=raw) == user
    again = browser.get("/account").content.decode()
    assert "laptop" in again
    assert raw not in again


def test_it_revokes_a_token(browser, user):
    token, raw = access_token_create(user=user, name="laptop")
    response = browser.post(f"/account/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    assert access_token_authenticate(raw=raw) is None


def test_it_cannot_revoke_another_users_token(browser):
    token, raw = access_token_create(user=UserFactory(), name="theirs")
    assert browser.post(f"/account/tokens/{token.pk}/revoke").status_code == 404
    assert access_token_authenticate(raw=raw) is not None


def test_a_blank_name_is_a_400_and_makes_nothing(browser):
    assert browser.post("/account/tokens", {"name": ""}).status_code == 400
    assert not PersonalAccessToken.objects.exists()


def test_admins_make_tokens_for_a_user_in_the_admin(admin_browser):
    owner = UserFactory()
    response = admin_browser.post(
        "/admin/accounts/personalaccesstoken/add/", {"user": owner.pk, "name": "ci"}, follow=True
    )
    assert response.status_code == 200
    raw = re.search(r"(ckpat_[A-Za-z0-9_-]+)", response.content.decode()).group(1)
    assert access_token_authenticate(raw=raw) == owner
