"""GET /api/health: is the database reachable, is pgvector there, is Redis; and what each app
reports about itself (the model provider, the embedding backend…).

This shared module knows no feature app: apps register their part with ``health_register``
(in their ``AppConfig.ready``), each a function returning a dict merged into the answer. Those
parts name what is in use, never a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger("chatkit.health")


_parts: dict[str, Callable[[], dict[str, Any]]] = {}


def health_register(name: str, part: Callable[[], dict[str, Any]]) -> None:
    """Add ``part()``'s keys to every health answer (registering a name again replaces it)."""
    _parts[name] = part


def services_status() -> dict[str, Any]:
    """What the registered apps say (the model provider, the embedding backend…)."""
    answer: dict[str, Any] = {}
    for name, part in _parts.items():
        try:
            answer.update(part())
        except Exception:  # one app's report must never fail the health check
            logger.exception("Health part %s failed", name)
    return answer


def redis_status() -> str:
    """ "ok", "unreachable" (the cache is bypassed, live events dropped) or "not configured"."""
    if not settings.REDIS_URL:
        return "not configured"
    from django.core.cache import cache

    try:
        cache._cache.get_client(write=True).ping()  # the cache's own client, timeouts included
    except Exception as exc:  # any failure to answer is an outage, whatever redis-py raised
        logger.warning("Health check: Redis unreachable: %s", exc)
        return "unreachable"
    return "ok"


def database_status() -> dict[str, Any]:
    """Versions of PostgreSQL and pgvector; raises DatabaseError when unreachable."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    return {"postgres": postgres, "pgvector": row[0] if row else None}


class HealthApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.CharField(),
                "database": serializers.CharField(),
                "postgres": serializers.CharField(allow_null=True),
                "pgvector": serializers.CharField(allow_null=True),
                "redis": serializers.ChoiceField(["ok", "unreachable", "not configured"]),
            },
        )
    )
    def get(self, request: Request) -> Response:
        try:
            versions = database_status()
        except DatabaseError as exc:
            logger.warning("Health check: database unreachable: %s", exc)
            return Response(
                {
                    "status": "error",
                    "detail": "The database is unreachable.",
                    "database": "unreachable",
                    "postgres": None,
                    "pgvector": None,
                    "redis": redis_status(),
                    **services_status(),
                },
                status=503,
            )
        if versions["pgvector"] is None:
            return Response(
                {
                    "status": "error",
                    "database": "ok",
                    "detail": "pgvector extension missing",
                    **versions,
                    "redis": redis_status(),
                    **services_status(),
                },
                status=503,
            )
        # Redis down is degraded, not down: requests are still served (without shared cache
        # and live events), so a load balancer should keep sending them.
        redis = redis_status()
        status = "degraded" if redis == "unreachable" else "ok"
        return Response({"status": status, "database": "ok", **versions, "redis": redis, **services_status()})
