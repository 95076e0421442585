from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from accounts.access_tokens import access_token_create, access_token_revoke
from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from mcphub.tests.conftest import call, tool_names

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS = [
    "add_task", "complete_task", "delete_task", "get_document", "get_weather", "list_tasks",
    "list_vector_stores", "list_widgets", "search_knowledge_base", "update_task",
]  # fmt: skip


def test_it_lists_every_tool_to_a_personal_access_token(live_server_url):
    _token, raw = access_token_create(user=UserFactory(), name="desktop")
    assert tool_names(f"{live_server_url}/mcp", raw) == TOOLS


def test_it_accepts_the_users_jwt(live_server_url):
    pair = token_pair_for(user=UserFactory())
    assert tool_names(f"{live_server_url}/mcp", pair.access_token) == TOOLS


def _status(url: str, token: str | None) -> httpx.Response:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    return httpx.post(f"{url}/mcp", json=body, headers=headers, timeout=10)


@pytest.mark.parametrize("token", [None, "", "ckpat_made-up", "not-a-jwt", "a" * 5000])
def test_it_refuses_missing_or_unknown_tokens_with_401(live_server_url, token):
    response = _status(live_server_url, token)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token(live_server_url):
    token, raw = access_token_create(user=UserFactory(), name="old laptop")
    assert _status(live_server_url, raw).status_code == 200
    access_token_revoke(token=token)
    assert _status(live_server_url, raw).status_code == 401


def test_it_refuses_an_expired_token(live_server_url):
    _token, raw = access_token_create(
        user=UserFactory(), name="short", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _status(live_server_url, raw).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(live_server_url):
    user = UserFactory()
    _token, raw = access_token_create(user=user, name="desktop")
    user.is_active = False
    user.save()
    assert _status(live_server_url, raw).status_code == 401


def test_it_refuses_a_foreign_host(live_server_url):
    _token, raw = access_token_create(user=UserFactory(), name="desktop")
    response = httpx.post(
        f"{live_server_url}/mcp", json={}, headers={"Authorization": f"Bearer {raw}", "Host": "evil.example"}
    )
    assert response.status_code == 400


def test_a_tool_error_is_a_result_not_a_failure(live_server_url):
    _token, raw = access_token_create(user=UserFactory(), name="desktop")
    is_error, text = call(f"{live_server_url}/mcp", raw, "complete_task", {"task_id": 999999})
    assert is_error
    assert "No task 999999" in text
