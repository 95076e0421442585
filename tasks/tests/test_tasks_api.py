"""/api/tasks: each user's own to-do list."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from tasks.models import Task

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    return client


def test_a_user_creates_lists_completes_and_deletes_tasks():
    alice = client_for(UserFactory())

    created = alice.post(
        "/api/tasks", {"title": "buy bread", "priority": "high", "due_date": "2026-12-01"}, format="json"
    )
    task_id = created.json()["id"]
    done = alice.patch(f"/api/tasks/{task_id}", {"completed": True}, format="json")
    open_tasks = alice.get("/api/tasks?completed=false").json()
    all_tasks = alice.get("/api/tasks").json()
    deleted = alice.delete(f"/api/tasks/{task_id}")

    assert created.status_code == 201
    assert created.json()["priority"] == "high"
    assert done.json()["completed"] is True
    assert open_tasks == []
    assert [t["title"] for t in all_tasks] == ["buy bread"]
    assert deleted.status_code == 204
    assert not Task.objects.exists()


def test_another_users_task_behaves_like_a_missing_one():
    bob = UserFactory()
    task = Task.objects.create(owner=bob, title="bob's")
    alice = client_for(UserFactory())

    assert alice.get("/api/tasks").json() == []
    for method in ("get", "patch", "delete"):
        response = getattr(alice, method)(f"/api/tasks/{task.pk}", {"title": "mine now"}, format="json")
        assert response.status_code == 404
        assert "detail" in response.json()
    task.refresh_from_db()
    assert task.title == "bob's"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "priority": "urgent"},
        {"title": "ok", "due_date": "soon"},
    ],
)
def test_bad_tasks_are_400(payload):
    response = client_for(UserFactory()).post("/api/tasks", payload, format="json")

    assert response.status_code == 400
    assert "detail" in response.json()


def test_tasks_need_a_token_and_a_valid_filter():
    assert APIClient().get("/api/tasks").status_code == 401
    assert client_for(UserFactory()).get("/api/tasks?completed=perhaps").status_code == 400
