"""The cache on a real Redis, and what happens while Redis is down."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from conftest import redis_settings
from core.throttles import rate_exceeded
from fleet.services import free_port

pytestmark = pytest.mark.django_db


def test_the_cache_lives_in_redis(redis_url, api_client):
    with override_settings(**redis_settings(redis_url)):
        cache.set("shared", 41)
        assert cache.incr("shared") == 42
        body = api_client.get("/api/health").json()
        cache.delete("shared")

    assert body["redis"] == "ok"
    assert body["status"] == "ok"


def test_health_says_not_configured_without_redis(api_client):
    assert api_client.get("/api/health").json()["redis"] == "not configured"


def test_a_dead_redis_is_a_cache_miss_not_an_error():
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(**redis_settings(dead)):
        cache.set("key", "value")
        assert cache.get("key", "default") == "default"
        assert cache.add("key", 1) is False
        with pytest.raises(ValueError, match="not found"):
            cache.incr("key")


async def test_rate_limits_open_while_redis_is_down():
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(**redis_settings(dead)):
        assert await rate_exceeded("someone", "1/min") is None
        assert await rate_exceeded("someone", "1/min") is None


def test_health_is_degraded_but_up_while_redis_is_down(api_client):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(**redis_settings(dead)):
        response = api_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"] == "unreachable"
