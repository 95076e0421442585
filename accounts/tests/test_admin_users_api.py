from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/admin/users"


def detail_url(user_id: int) -> str:
    return f"/api/admin/users/{user_id}"


def test_it_lists_users_ordered_by_creation(admin_client_api, admin_user):
    later = UserFactory(email="zed@example.com")
    earlier_email = "aaa@example.com"
    UserFactory(email=earlier_email)

    response = admin_client_api.get(LIST_URL)

    assert response.status_code == 200
    emails = [row["email"] for row in response.json()]
    assert emails == [admin_user.email, later.email, earlier_email]


def test_it_answers_401_to_anonymous_requests(api_client):
    assert api_client.get(LIST_URL).status_code == 401
    assert api_client.post(LIST_URL, {}, format="json").status_code == 401
    assert api_client.patch(detail_url(1), {}, format="json").status_code == 401
    assert api_client.delete(detail_url(1)).status_code == 401


def test_it_answers_403_to_non_admins(user_client, user):
    assert user_client.get(LIST_URL).status_code == 403
    assert user_client.post(LIST_URL, {"email": "x@example.com", "password": "longenough"}).status_code == 403
    assert user_client.patch(detail_url(user.id), {"is_admin": True}, format="json").status_code == 403
    assert user_client.delete(detail_url(user.id)).status_code == 403
    user.refresh_from_db()
    assert user.is_admin is False


def test_it_creates_a_user_who_can_log_in(admin_client_api, api_client):
    response = admin_client_api.post(
        LIST_URL, {"email": "New@Example.com", "password": "a long password", "is_admin": True}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["is_admin"] is True
    login = api_client.post(
        "/api/auth/login", {"email": "new@example.com", "password": "a long password"}, format="json"
    )
    assert login.status_code == 200


def test_it_defaults_new_users_to_non_admin(admin_client_api):
    response = admin_client_api.post(
        LIST_URL, {"email": "plain@example.com", "password": "a long password"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["is_admin"] is False
    assert User.objects.get(email="plain@example.com").is_staff is False


def test_it_rejects_a_duplicate_email_in_any_case(admin_client_api):
    UserFactory(email="taken@example.com")

    response = admin_client_api.post(
        LIST_URL, {"email": "TAKEN@example.com", "password": "a long password"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["email"] == ["A user with this email already exists."]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_it_rejects_a_too_short_password(admin_client_api):
    response = admin_client_api.post(LIST_URL, {"email": "s@example.com", "password": "short"}, format="json")

    assert response.status_code == 400
    assert not User.objects.filter(email="s@example.com").exists()


def test_it_rejects_an_invalid_email(admin_client_api):
    response = admin_client_api.post(
        LIST_URL, {"email": "not-an-email", "password": "long enough"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_it_promotes_and_demotes_a_user(admin_client_api):
    other = UserFactory()

    promoted = admin_client_api.patch(detail_url(other.id), {"is_admin": True}, format="json")
    assert promoted.status_code == 200
    assert promoted.json()["is_admin"] is True
    other.refresh_from_db()
    assert other.is_staff
    assert other.is_superuser

    demoted = admin_client_api.patch(detail_url(other.id), {"is_admin": False}, format="json")
    assert demoted.json()["is_admin"] is False
    other.refresh_from_db()
    assert not other.is_staff
    assert not other.is_superuser


def test_it_resets_a_password(admin_client_api, api_client):
    other = UserFactory(email="reset@example.com")

    response = admin_client_api.patch(detail_url(other.id), {"password": "brand new secret"}, format="json")

    assert response.status_code == 200
    login = api_client.post(
        "/api/auth/login", {"email": "reset@example.com", "password": "brand new secret"}, format="json"
    )
    assert login.status_code == 200


def test_it_answers_404_for_an_unknown_user(admin_client_api):
    assert admin_client_api.patch(detail_url(999999), {"is_admin": True}, format="json").status_code == 404
    response = admin_client_api.delete(detail_url(999999))
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found."}


def test_it_deletes_a_user(admin_client_api):
    other = UserFactory()

    response = admin_client_api.delete(detail_url(other.id))

    assert response.status_code == 204
    assert not User.objects.filter(pk=other.id).exists()


def test_it_refuses_to_let_an_admin_demote_or_delete_themselves(admin_client_api, admin_user):
    demote = admin_client_api.patch(detail_url(admin_user.id), {"is_admin": False}, format="json")
    delete = admin_client_api.delete(detail_url(admin_user.id))

    assert demote.status_code == 400
    assert delete.status_code == 400
    assert delete.json()["detail"] == "You cannot delete your own account."
    admin_user.refresh_from_db()
    assert admin_user.is_admin
