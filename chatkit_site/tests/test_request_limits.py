"""Request bodies are bounded on the real ASGI stack, before authentication and before Django
reads them; streams that fail midway still end and release their database connection."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import override_settings

from accounts.tests.factories import UserFactory
from accounts.tokens import token_pair_for
from chatkit_site.tests.asgi import asgi_request
from conversations.tests.helpers import user_input

CHUNK = b"a" * 65536


async def test_a_declared_body_over_the_limit_is_413_before_authentication_or_reading():
    response = await asgi_request(
        "POST", "/api/chatkit", headers={"content-length": str(10**9)}, chunks=[CHUNK] * 4
    )

    assert response.status == 413
    assert json.loads(response.body)["detail"].startswith("The request body is too large")
    assert response.chunks_read == 0  # not one byte of the body was read


@pytest.mark.django_db(transaction=True)
async def test_a_chunked_body_is_cut_off_at_the_limit(settings):
    settings.CHATKIT_MAX_REQUEST_BYTES = 256 * 1024
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token

    response = await asgi_request(
        "POST", "/api/chatkit", headers={"authorization": f"Bearer {token}"}, chunks=[CHUNK] * 80
    )

    assert response.status == 413
    assert response.chunks_read <= 5  # stopped at the limit, not after 5 MB
    await sync_to_async(connections.close_all)()


async def test_other_paths_have_their_own_limits(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1024
    too_big = {"content-length": "2048", "content-type": "application/json"}

    login = await asgi_request("POST", "/api/auth/login", headers=too_big, chunks=[b"x" * 2048])
    upload = await asgi_request(
        "POST", "/api/chatkit/attachments/atc_1/upload", headers=too_big, chunks=[b"x" * 2048]
    )

    assert login.status == 413
    assert upload.status == 401  # within the attachment limit: it got as far as authentication


async def test_a_malformed_content_length_is_a_400():
    response = await asgi_request("POST", "/api/auth/login", headers={"content-length": "lots"})

    assert response.status == 400


@override_settings(ROOT_URLCONF="chatkit_site.tests.broken_stream_urls")
async def test_a_stream_that_fails_midway_still_ends_with_an_error_event():
    response = await asgi_request("GET", "/broken")

    assert response.status == 200
    assert response.finished
    events = [json.loads(line[6:]) for line in response.body.decode().split("\n\n") if line]
    assert [event["type"] for event in events] == ["first", "error"]


def _backend_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
async def test_failing_streams_release_their_database_connections(monkeypatch, scripted):
    from conversations.engine import store as store_module

    def explode(thread_id, item, **kwargs):
        raise RuntimeError("the database said no")

    monkeypatch.setattr(store_module, "_write_item", explode)
    user = await sync_to_async(UserFactory)()
    token = (await sync_to_async(token_pair_for)(user=user)).access_token
    before = await sync_to_async(_backend_connections)()
    body = json.dumps({"type": "threads.create", "params": {"input": user_input("hello")}}).encode()

    for _ in range(8):
        response = await asgi_request(
            "POST",
            "/api/chatkit",
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            chunks=[body],
        )
        assert response.finished
        assert b'"type":"error"' in response.body.replace(b" ", b"")

    assert await sync_to_async(_backend_connections)() <= before + 1
    await sync_to_async(connections.close_all)()
