"""Hosted ChatKit mode: session secrets and the streaming proxy (respx for OpenAI)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from asgiref.sync import async_to_sync
from django.test import Client

from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db

SESSIONS = "https://api.openai.com/v1/chatkit/sessions"


@pytest.fixture(autouse=True)
def hosted(settings):
    settings.OPENAI_API_KEY = "sk-server-key"
    settings.OPENAI_BASE_URL = None
    settings.CHATKIT_WORKFLOW_ID = "wf_123"


@pytest.fixture
def browser(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")


@pytest.fixture
def openai():
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SESSIONS).mock(
            return_value=httpx.Response(
                200,
                json={
                    "id": "cksess_1",
                    "client_secret": "ck_secret_1",
                    "expires_after": {"anchor": "created_at", "seconds": 600},
                },
            )
        )
        yield mock


def test_a_session_is_minted_for_the_authenticated_user(browser, user, openai):
    response = browser.post("/api/chatkit/session", content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "client_secret": "ck_secret_1",
        "expires_after": {"anchor": "created_at", "seconds": 600},
    }
    request = openai.routes[0].calls.last.request
    assert json.loads(request.content) == {"workflow": {"id": "wf_123"}, "user": str(user.id)}
    assert request.headers["OpenAI-Beta"] == "chatkit_beta=v1"
    assert request.headers["Authorization"] == "Bearer sk-server-key"


def test_refresh_mints_a_new_secret(browser, openai):
    openai.routes[0].mock(
        return_value=httpx.Response(200, json={"client_secret": "ck_secret_2", "expires_after": 600})
    )

    response = browser.post(
        "/api/chatkit/session/refresh",
        {"current_client_secret": "ck_secret_1"},
        content_type="application/json",
    )

    assert response.json() == {"client_secret": "ck_secret_2", "expires_after": 600}


def test_an_upstream_failure_is_502(browser, openai):
    openai.routes[0].mock(return_value=httpx.Response(401, json={"error": "bad key"}))

    response = browser.post("/api/chatkit/session")

    assert response.status_code == 502
    assert response.json() == {"detail": "The ChatKit API refused the session (status 401)."}


@pytest.mark.parametrize("missing", ["OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID"])
def test_unconfigured_hosted_mode_is_503(browser, openai, settings, missing):
    setattr(settings, missing, None)

    for path in ("/api/chatkit/session", "/api/chatkit/session/refresh", "/api/chatkit/proxy/threads"):
        response = browser.post(path, content_type="application/json")
        assert response.status_code == 503
        assert "CHATKIT_WORKFLOW_ID" in response.json()["detail"]
    assert not openai.calls


def test_no_token_is_401_before_any_upstream_call(openai):
    for path in ("/api/chatkit/session", "/api/chatkit/session/refresh", "/api/chatkit/proxy/threads"):
        assert Client().post(path).status_code == 401
    assert not openai.calls


async def _collect(response) -> list[bytes]:
    return [chunk async for chunk in response.streaming_content]


def test_the_proxy_streams_sse_chunks_in_order_with_the_users_client_secret(browser, openai):
    chunks = [
        b'data: {"type": "thread.created"}\n\n',
        b'data: {"type": "thread.item.added"}\n\n',
        b'data: {"type": "thread.item.done"}\n\n',
    ]

    async def stream():
        for chunk in chunks:
            yield chunk

    route = openai.post("https://api.openai.com/v1/chatkit/conversation").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=stream())
    )

    response = browser.post(
        "/api/chatkit/proxy/conversation",
        data=b'{"type": "threads.create"}',
        content_type="application/json",
        HTTP_X_CHATKIT_CLIENT_SECRET="ck_secret_1",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert async_to_sync(_collect)(response) == chunks  # same chunks, same order, not merged
    upstream = route.calls.last.request
    assert upstream.content == b'{"type": "threads.create"}'
    # OpenAI scopes the call to the user of the client secret; the server's key is not used.
    assert upstream.headers["Authorization"] == "Bearer ck_secret_1"
    assert upstream.headers["OpenAI-Beta"] == "chatkit_beta=v1"
    assert "sk-server-key" not in str(response.headers)


def test_the_proxy_needs_the_client_secret_for_conversation_calls(browser, openai):
    response = browser.post("/api/chatkit/proxy/conversation", data=b"{}", content_type="application/json")

    assert response.status_code == 400
    assert "X-ChatKit-Client-Secret" in response.json()["detail"]
    assert not openai.calls


def test_the_proxy_passes_an_upstream_error_through(browser, openai):
    openai.post("https://api.openai.com/v1/chatkit/conversation").mock(
        return_value=httpx.Response(404, json={"error": {"message": "thread not found"}})
    )

    response = browser.post(
        "/api/chatkit/proxy/conversation",
        data=b"{}",
        content_type="application/json",
        HTTP_X_CHATKIT_CLIENT_SECRET="ck_secret_1",
    )

    assert response.status_code == 404
    assert json.loads(b"".join(async_to_sync(_collect)(response))) == {
        "error": {"message": "thread not found"}
    }


@pytest.mark.parametrize(
    "path",
    [
        "../files",
        "../../responses",
        "..%2F..%2Fresponses",
        "%2e%2e/responses",
        "sessions/../../fine_tuning/jobs",
        "threads/thr_1",
        "responses",
        "sessions/cksess_1/cancel/../../../files",
        "conversation/..",
    ],
)
def test_the_proxy_relays_only_its_allow_list(browser, openai, path):
    response = browser.post(f"/api/chatkit/proxy/{path}", data=b"{}", content_type="application/json")

    assert response.status_code in (400, 404)
    assert "detail" in response.json()
    assert not openai.calls


def test_a_session_through_the_proxy_is_for_the_logged_in_user_and_workflow(browser, user, openai):
    response = browser.post(
        "/api/chatkit/proxy/sessions",
        {"user": "someone-else", "workflow": {"id": "wf_other"}},
        content_type="application/json",
    )

    assert response.status_code == 200
    sent = json.loads(openai.routes[0].calls.last.request.content)
    assert sent == {"workflow": {"id": "wf_123"}, "user": str(user.id)}


def test_only_the_owner_of_a_session_can_cancel_it(browser, openai, db):
    from accounts.tests.factories import UserFactory

    cancel = openai.post("https://api.openai.com/v1/chatkit/sessions/cksess_1/cancel").mock(
        return_value=httpx.Response(200, json={"id": "cksess_1", "status": "cancelled"})
    )
    browser.post("/api/chatkit/session")  # mints cksess_1 for this user
    intruder = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=UserFactory()).access_token}")

    refused = intruder.post("/api/chatkit/proxy/sessions/cksess_1/cancel")
    allowed = browser.post("/api/chatkit/proxy/sessions/cksess_1/cancel")

    assert refused.status_code == 404
    assert allowed.status_code == 200
    assert cancel.calls.call_count == 1
    assert cancel.calls.last.request.headers["Authorization"] == "Bearer sk-server-key"


def test_the_proxy_answers_preflight_requests(openai):
    response = Client().options("/api/chatkit/proxy/anything")

    assert response.status_code == 204
    assert "POST" in response["Allow"]
