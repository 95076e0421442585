"""Failed logins are throttled on every login path, per real client address and per account."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/auth/login"


def api_login(client: Client, email: str, password: str, **headers: str):
    return client.post(
        API, {"email": email, "password": password}, content_type="application/json", **headers
    )


@pytest.fixture(autouse=True)
def tight_rates(settings):
    settings.LOGIN_THROTTLE_RATE = "3/min"
    settings.LOGIN_ACCOUNT_THROTTLE_RATE = "5/15min"
    settings.TRUSTED_PROXY_COUNT = 0


def test_a_forged_x_forwarded_for_does_not_reset_the_address_budget(user):
    client = Client()
    for number in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{number}"}
        assert api_login(client, f"other{number}@example.com", "bad", **forged).status_code == 401

    response = api_login(client, "fresh@example.com", "bad", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_reports_is_the_one_throttled(user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(3):
        # The client wrote the first entry itself; the proxy appended the real address.
        headers = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
        assert api_login(client, "someone@example.com", "bad", **headers).status_code == 401

    blocked = api_login(client, "x@example.com", "bad", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    other_client = api_login(client, "x@example.com", "bad", HTTP_X_FORWARDED_FOR="203.0.113.10")

    assert blocked.status_code == 429
    assert other_client.status_code == 401


def test_one_account_is_throttled_across_addresses(user, settings):
    settings.LOGIN_THROTTLE_RATE = "100/min"
    for number in range(5):
        client = Client(REMOTE_ADDR=f"192.0.2.{number}")
        assert api_login(client, user.email, "bad").status_code == 401

    response = api_login(Client(REMOTE_ADDR="192.0.2.99"), user.email.upper(), DEFAULT_PASSWORD)

    assert response.status_code == 429
    # Another account is not affected.
    other = UserFactory(email="other@example.com")
    assert api_login(Client(REMOTE_ADDR="192.0.2.99"), other.email, DEFAULT_PASSWORD).status_code == 200


def test_the_right_password_works_again_once_the_window_is_over(user, monkeypatch):
    import accounts.throttling as throttling

    now = [1_000_020.0]
    monkeypatch.setattr(throttling.time, "time", lambda: now[0])
    client = Client()
    for _ in range(3):
        api_login(client, user.email, "bad")
    assert api_login(client, user.email, DEFAULT_PASSWORD).status_code == 429

    now[0] += 60  # one full window of LOGIN_THROTTLE_RATE later

    assert api_login(client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_a_successful_login_clears_the_accounts_failures(user, settings):
    settings.LOGIN_THROTTLE_RATE = "100/min"
    client = Client()
    for _ in range(4):
        api_login(client, user.email, "bad")
    assert api_login(client, user.email, DEFAULT_PASSWORD).status_code == 200

    for _ in range(4):
        assert api_login(client, user.email, "bad").status_code == 401


def test_the_login_page_is_throttled_too(user):
    client = Client()
    for _ in range(3):
        response = client.post("/login", {"email": user.email, "password": "bad"})
        assert response.status_code == 400

    response = client.post("/login", {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_too(admin_user):
    client = Client()
    for _ in range(3):
        response = client.post("/admin/login/", {"username": admin_user.email, "password": "bad"})
        assert response.status_code == 200  # the form again, with its error

    response = client.post("/admin/login/", {"username": admin_user.email, "password": DEFAULT_PASSWORD})

    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_one_login_path_count_on_the_others(user):
    client = Client()
    client.post("/login", {"email": user.email, "password": "bad"})
    client.post("/admin/login/", {"username": user.email, "password": "bad"})
    api_login(client, user.email, "bad")

    assert api_login(client, user.email, DEFAULT_PASSWORD).status_code == 429
