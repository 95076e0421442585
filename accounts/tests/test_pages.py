from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def embedded_tokens(html: str) -> dict[str, str]:
    match = re.search(r'<script id="chatkit-api-tokens" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page should embed the API tokens"
    return json.loads(match.group(1))


def test_home_redirects_anonymous_visitors_to_login(client: Client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login?next=/"


def test_login_page_renders_a_form(client: Client):
    response = client.get("/login?next=/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


def test_logging_in_opens_a_session_and_hands_a_jwt_to_the_page(client: Client, user):
    response = client.post("/login", {"email": "USER@example.com", "password": DEFAULT_PASSWORD, "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    tokens = embedded_tokens(home.content.decode())
    me = Client().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_a_wrong_password_shows_an_error_and_no_session(client: Client, user):
    response = client.post("/login", {"email": user.email, "password": "wrong"})

    assert response.status_code == 400
    assert "Incorrect email or password." in response.content.decode()
    assert client.get("/").status_code == 302


def test_login_ignores_an_offsite_next_url(client: Client, user):
    response = client.post(
        "/login", {"email": user.email, "password": DEFAULT_PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_the_session_token_endpoint_issues_tokens_to_a_logged_in_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value

    response = client.post("/auth/token", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "refresh_token"}


def test_the_session_token_endpoint_requires_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post("/auth/token").status_code == 403


def test_the_session_token_endpoint_refuses_anonymous_visitors():
    assert Client().post("/auth/token").status_code == 401


def test_logout_ends_the_session(client: Client, user):
    client.force_login(user)

    response = client.post("/logout")

    assert response.status_code == 302
    assert response["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_the_header_links_admins_to_the_admin_site(client: Client, admin_user, user):
    client.force_login(admin_user)
    assert 'href="/admin/"' in client.get("/").content.decode()

    client.force_login(user)
    assert 'href="/admin/"' not in client.get("/").content.decode()


def test_the_admin_site_loads_for_an_admin(client: Client, admin_user):
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 200
    assert client.get(f"/admin/accounts/user/{admin_user.id}/change/").status_code == 200
