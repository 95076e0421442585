from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_user_in_the_admin_site(admin_browser):
    response = admin_browser.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "pw-123456",
            "password2": "pw-123456",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.check_password("pw-123456")
    assert not user.is_admin


def test_the_admin_site_refuses_a_duplicate_email_in_another_case(admin_browser):
    UserFactory(email="taken@example.com")

    response = admin_browser.post(
        "/admin/accounts/user/add/",
        {
            "email": "TAKEN@example.com",
            "usable_password": "true",
            "password1": "pw-123456",
            "password2": "pw-123456",
        },
    )

    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_an_admin_promotes_a_user_with_the_admin_checkbox(admin_browser):
    user = UserFactory()

    response = admin_browser.post(
        f"/admin/accounts/user/{user.id}/change/", {"email": user.email, "is_admin": "on", "is_active": "on"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    assert user.is_superuser


def test_an_admin_resets_a_password(admin_browser):
    user = UserFactory()

    response = admin_browser.post(
        f"/admin/accounts/user/{user.id}/password/",
        {"password1": "reset-pass-1", "password2": "reset-pass-1", "usable_password": "true"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-pass-1")


def test_an_admin_deletes_a_user(admin_browser):
    user = UserFactory()

    response = admin_browser.post(f"/admin/accounts/user/{user.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.id).exists()


def test_the_demote_action_never_demotes_the_acting_admin(admin_browser, admin_user):
    other = UserFactory(is_admin=True)

    admin_browser.post(
        "/admin/accounts/user/",
        {"action": "demote", "_selected_action": [str(other.id), str(admin_user.id)]},
    )

    other.refresh_from_db()
    admin_user.refresh_from_db()
    assert not other.is_admin
    assert admin_user.is_admin
