"""Fuzzing the REST API from its own OpenAPI schema (schemathesis), in every CI run.

Every operation of ``/api/schema/`` gets generated requests, valid and invalid (wrong types,
missing fields, NUL characters, huge numbers, long strings), sent as an admin. None may answer
5xx, and every error must be JSON with a ``detail``. The run is bounded (``FUZZ_EXAMPLES`` per
operation, 12 by default) and derandomized so CI is repeatable; raise the count and set
``FUZZ_RANDOM=1`` to explore further locally.
"""

from __future__ import annotations

import json
import os

import httpx
import pytest
import respx
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from chatkit_site.tests.hash_embedder import HashEmbedder
from vectorstores.embeddings import set_embedder

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"


def _schema() -> schemathesis.BaseSchema:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)))
    loaded.app = get_wsgi_application()  # requests go through Django in this process
    return loaded


schema = _schema()


@pytest.fixture
def admin_token(db) -> str:
    # Like Django's test client: requests must not close the test's transaction connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    set_embedder(HashEmbedder())  # fuzzed documents are embedded by a cheap deterministic model
    admin = UserFactory(email="fuzz-admin@example.com", is_admin=True)
    yield token_pair_for(user=admin).access_token
    set_embedder(None)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case, admin_token, settings_override):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})

    assert response.status_code < 500, (
        f"{response.status_code} for {case.as_curl_command()}: {response.text[:500]}"
    )
    if response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
        assert "detail" in response.json(), case.as_curl_command()


@pytest.fixture
def settings_override(settings, tmp_path, monkeypatch):
    """Outside services answer from respx: a 5xx could only come from this project."""
    from conversations.engine import agent as agent_module
    from conversations.engine.offline_model import OfflineModel
    from tools.tests.conftest import FORECAST, FORECAST_BODY, GEOCODING, LYON

    settings.MEDIA_ROOT = tmp_path
    settings.OPENAI_API_KEY = "sk-fuzz"
    settings.OPENAI_BASE_URL = None
    settings.CHATKIT_WORKFLOW_ID = "wf_fuzz"
    monkeypatch.setattr(agent_module, "build_model", OfflineModel)
    with respx.mock(assert_all_called=False) as upstream:
        upstream.get(GEOCODING).mock(return_value=httpx.Response(200, json={"results": [LYON]}))
        upstream.get(FORECAST).mock(return_value=httpx.Response(200, json=FORECAST_BODY))
        upstream.post("https://api.openai.com/v1/realtime/client_secrets").mock(
            return_value=httpx.Response(200, json={"value": "ek_fuzz", "expires_at": 2000000000})
        )
        upstream.post("https://api.openai.com/v1/chatkit/sessions").mock(
            return_value=httpx.Response(200, json={"id": "cksess_fuzz", "client_secret": "ck_fuzz"})
        )
        yield
