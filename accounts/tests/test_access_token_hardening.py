"""Personal access tokens under attack: a stolen access token or session cannot mint one, they
expire by default, and a password reset or "log out everywhere" revokes them."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.access_tokens import access_token_authenticate, access_token_create
from accounts.models import PersonalAccessToken
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db

URL = "/api/users/me/tokens"


def test_a_stolen_access_token_alone_cannot_make_a_token(user_client):
    for body in ({"name": "exfil"}, {"name": "exfil", "password": "guess"}):
        response = user_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert "password" in response.json()["errors"]
    assert not PersonalAccessToken.objects.exists()


def test_password_guesses_here_are_throttled_like_logins(user_client, settings):
    settings.LOGIN_ACCOUNT_THROTTLE_RATE = "3/15min"
    statuses = [
        user_client.post(URL, {"name": "x", "password": f"guess{n}"}, format="json").status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    right = user_client.post(URL, {"name": "x", "password": DEFAULT_PASSWORD}, format="json")
    assert right.status_code == 429  # the right password too, until the window ends


def test_a_token_expires_in_90_days_unless_never_is_chosen_with_a_warning(user_client, user):
    default = user_client.post(URL, {"name": "a", "password": DEFAULT_PASSWORD}, format="json").json()
    never = user_client.post(
        URL, {"name": "b", "password": DEFAULT_PASSWORD, "expires_in_days": None}, format="json"
    ).json()

    row = PersonalAccessToken.objects.get(name="a")
    assert 89 <= (row.expires_at - row.created_at).days <= 90
    assert default["warning"] is None
    assert never["expires_at"] is None
    assert "never expires" in never["warning"]


def test_an_admins_password_reset_revokes_the_users_tokens(admin_client_api):
    owner = UserFactory()
    _token, raw = access_token_create(user=owner, name="script")

    response = admin_client_api.patch(
        f"/api/admin/users/{owner.pk}", {"password": "reset-by-admin-1"}, format="json"
    )

    assert response.status_code == 200
    assert access_token_authenticate(raw=raw) is None


def test_a_password_changed_in_the_django_admin_revokes_tokens_too(admin_browser):
    owner = UserFactory()
    _token, raw = access_token_create(user=owner, name="script")
    admin_browser.post(
        f"/admin/accounts/user/{owner.pk}/password/",
        {"password1": "New-password-4567", "password2": "New-password-4567", "usable_password": "true"},
    )
    owner.refresh_from_db()
    assert owner.check_password("New-password-4567")
    assert access_token_authenticate(raw=raw) is None


def test_logging_out_everywhere_ends_every_token_session_and_access_token(user):
    _token, raw = access_token_create(user=user, name="script")
    other_device = token_pair_for(user=user)
    browser = Client()
    browser.force_login(user)
    this_device = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")

    assert this_device.post("/api/auth/logout-everywhere").status_code == 204

    assert access_token_authenticate(raw=raw) is None
    stale = Client(HTTP_AUTHORIZATION=f"Bearer {other_device.access_token}")
    assert stale.get("/api/users/me").status_code == 401
    refreshed = Client().post(
        "/api/auth/refresh", {"refresh_token": other_device.refresh_token}, content_type="application/json"
    )
    assert refreshed.status_code == 401
    assert browser.get("/account").status_code == 302  # the session is gone too
    fresh = Client().post(
        "/api/auth/login",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert fresh.status_code == 200  # logging in again works


def test_the_account_page_asks_for_the_password_and_logs_out_everywhere(user):
    browser = Client()
    browser.force_login(user)
    assert browser.post("/account/tokens", {"name": "x", "expires_in_days": "90"}).status_code == 400
    wrong = browser.post("/account/tokens", {"name": "x", "expires_in_days": "90", "password": "nope"})
    assert wrong.status_code == 400
    assert not PersonalAccessToken.objects.exists()
    never = browser.post(
        "/account/tokens", {"name": "x", "expires_in_days": "never", "password": DEFAULT_PASSWORD}
    )
    assert never.status_code == 201
    assert "never expires" in never.content.decode()

    response = browser.post("/account/logout-everywhere")

    assert response.status_code == 302
    assert PersonalAccessToken.objects.get().revoked_at is not None
    assert browser.get("/account").status_code == 302


def test_the_account_page_asks_for_the_password_in_french_too(user):
    browser = Client(HTTP_ACCEPT_LANGUAGE="fr")
    browser.force_login(user)

    html = browser.get("/account").content.decode()

    assert "Votre mot de passe" in html
    assert "Se déconnecter partout" in html
