"""The /ws/events consumer through the whole ASGI app (origin check, routing, auth, events)."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.tokens import credential_claims
from events.publish import staff_event_send, user_event_send
from events.tests.conftest import connect, make_user, signed_in
from events.tickets import ticket_issue

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_user_receives_their_own_events_only():
    alice, alice_token = await make_user("alice@example.com")
    _, bob_token = await make_user("bob@example.com")
    alice_socket = await signed_in(alice_token)
    bob_socket = await signed_in(bob_token)

    await user_event_send(user_id=alice.pk, event={"type": "thread.created", "thread": {"id": "thr_a"}})

    assert await alice_socket.receive_json_from(timeout=5) == {
        "type": "thread.created",
        "thread": {"id": "thr_a"},
    }
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_admin_events_reach_admins_and_not_users():
    _, admin_token = await make_user("admin@example.com", is_admin=True)
    _, user_token = await make_user("user@example.com")
    admin_socket = await signed_in(admin_token)
    user_socket = await signed_in(user_token)

    await sync_to_async(staff_event_send)(event={"type": "widget.index", "widget": {"slug": "w"}})

    assert (await admin_socket.receive_json_from(timeout=5))["type"] == "widget.index"
    assert await user_socket.receive_nothing(timeout=0.3)
    await admin_socket.disconnect()
    await user_socket.disconnect()


async def test_it_refuses_a_forged_token_with_4401():
    socket, connected = await connect()
    assert connected
    await socket.send_json_to({"type": "auth", "token": "eyJhbGciOiJIUzI1NiJ9.e30.forged"})
    reply = await socket.receive_json_from(timeout=5)
    assert reply["type"] == "error"
    assert "credentials" in reply["detail"]
    assert (await socket.receive_output(timeout=5))["code"] == 4401


async def test_it_refuses_any_message_before_authentication():
    socket, _ = await connect()
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    assert (await socket.receive_output(timeout=5))["code"] == 4401


async def test_a_socket_that_never_authenticates_is_closed():
    with override_settings(EVENTS_AUTH_TIMEOUT_SECONDS=0.2):
        socket, _ = await connect()
        assert (await socket.receive_json_from(timeout=5))["detail"] == "Authentication timed out."
        assert (await socket.receive_output(timeout=5))["code"] == 4401


async def test_an_inactive_users_token_is_refused():
    user, token = await make_user("gone@example.com")
    user.is_active = False
    await sync_to_async(user.save)()
    socket, _ = await connect()
    await socket.send_json_to({"type": "auth", "token": token})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"


async def test_a_ticket_opens_one_socket_once():
    user, _ = await make_user("ticket@example.com")
    claims = await sync_to_async(credential_claims)(user=user, sid=None)
    ticket = ticket_issue(user_id=user.pk, claims=claims, expires_at=time.time() + 3600)

    first, _ = await connect()
    await first.send_json_to({"type": "auth", "ticket": ticket})
    assert (await first.receive_json_from(timeout=5))["type"] == "ready"

    second, _ = await connect()
    await second.send_json_to({"type": "auth", "ticket": ticket})
    assert (await second.receive_json_from(timeout=5))["type"] == "error"
    assert (await second.receive_output(timeout=5))["code"] == 4401
    await first.disconnect()


async def test_garbage_frames_get_an_error_and_keep_the_socket():
    _, token = await make_user("garbage@example.com")
    socket = await signed_in(token)
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_to(text_data="x" * 100_000)
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_to(text_data="[" * 4000)
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_a_disconnected_socket_leaves_its_groups():
    from channels.layers import get_channel_layer

    user, token = await make_user("leaver@example.com")
    socket = await signed_in(token)
    layer = get_channel_layer()
    assert layer.groups.get(f"user.{user.pk}")
    await socket.disconnect()
    await asyncio.sleep(0)
    assert not layer.groups.get(f"user.{user.pk}")


async def test_a_foreign_origin_is_refused_at_the_handshake():
    _, connected = await connect(headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")])
    assert not connected


async def test_an_unknown_socket_path_is_refused():
    _, connected = await connect("/ws/other")
    assert not connected


@pytest.mark.parametrize(
    "credentials",
    [
        {"token": "a\u0000b"},
        {"ticket": "a\u0000b"},
        {"token": 12345},
        {"ticket": ["x"]},
        {"token": "x" * 3000},
    ],
)
async def test_malformed_credentials_are_refused_with_4401(credentials):
    socket, _ = await connect()
    await socket.send_json_to({"type": "auth", **credentials})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    assert (await socket.receive_output(timeout=5))["code"] == 4401
