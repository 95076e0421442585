"""Revocation reaches open sockets: logout, a new password, deactivation, demotion, expiry.

Each test opens a socket, revokes the way a user or an admin would, then checks the socket is
closed (or gets no staff events) within 5 seconds — through the channel layer, as on a fleet.
"""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from accounts.models import User
from accounts.tokens import credential_claims, token_pair_for, user_logout_everywhere
from events.publish import staff_event_send, user_event_send
from events.tests.conftest import connect, make_user, signed_in
from events.tickets import ticket_issue

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = 4401


async def closed_within_5s(socket) -> bool:
    """The socket gets its error and is closed with 4401 (within 5 s)."""
    reply = await socket.receive_json_from(timeout=5)
    output = await socket.receive_output(timeout=5)
    return reply["type"] == "error" and output.get("code") == CLOSED


async def test_a_logout_closes_the_sockets_of_that_login_only():
    user = await sync_to_async(User.objects.create_user)("a@example.com", "pw-12345678")
    this_login = await sync_to_async(token_pair_for)(user=user)
    other_login = await sync_to_async(token_pair_for)(user=user)
    this_socket = await signed_in(this_login.access_token)
    other_socket = await signed_in(other_login.access_token)

    client = Client(HTTP_AUTHORIZATION=f"Bearer {this_login.access_token}")
    assert (await sync_to_async(client.post)("/api/auth/logout", {}, "application/json")).status_code == 204

    assert await closed_within_5s(this_socket)
    await user_event_send(user_id=user.pk, event={"type": "thread.created", "thread": {"id": "t"}})
    assert (await other_socket.receive_json_from(timeout=5))["type"] == "thread.created"
    await other_socket.disconnect()


async def test_a_new_password_closes_every_socket_of_the_user():
    user, token = await make_user("b@example.com")
    socket = await signed_in(token)

    user.set_password("a-brand-new-password")
    await sync_to_async(user.save)()

    assert await closed_within_5s(socket)


async def test_deactivation_closes_the_sockets():
    user, token = await make_user("c@example.com")
    socket = await signed_in(token)

    user.is_active = False
    await sync_to_async(user.save)()

    assert await closed_within_5s(socket)


async def test_a_demoted_admin_stops_getting_staff_events_at_once():
    admin, token = await make_user("d@example.com", is_admin=True)
    socket = await signed_in(token)

    admin.is_admin = False
    await sync_to_async(admin.save)()
    await socket.send_json_to({"type": "ping"})  # the re-check ran before this answer
    assert (await socket.receive_json_from(timeout=5)) == {"type": "pong"}
    await sync_to_async(staff_event_send)(event={"type": "widget.index", "widget": {"slug": "w"}})

    assert await socket.receive_nothing(timeout=0.5)
    await user_event_send(user_id=admin.pk, event={"type": "thread.created", "thread": {"id": "t"}})
    assert (await socket.receive_json_from(timeout=5))["type"] == "thread.created"  # still their own
    await socket.disconnect()


async def test_logging_out_everywhere_closes_ticket_and_token_sockets():
    user, token = await make_user("e@example.com")
    token_socket = await signed_in(token)
    claims = await sync_to_async(credential_claims)(user=user, sid="ses_browser")
    ticket_socket, _ = await connect()
    await ticket_socket.send_json_to(
        {"type": "auth", "ticket": ticket_issue(user_id=user.pk, claims=claims, expires_at=time.time() + 600)}
    )
    assert (await ticket_socket.receive_json_from(timeout=5))["type"] == "ready"

    await sync_to_async(user_logout_everywhere)(user=user)

    assert await closed_within_5s(token_socket)
    assert await closed_within_5s(ticket_socket)


async def test_a_ticket_socket_lives_no_longer_than_what_issued_it():
    user, _ = await make_user("f@example.com")
    claims = await sync_to_async(credential_claims)(user=user, sid=None)
    socket, _ = await connect()
    ticket = ticket_issue(user_id=user.pk, claims=claims, expires_at=time.time() + 1.5)
    await socket.send_json_to({"type": "auth", "ticket": ticket})
    assert (await socket.receive_json_from(timeout=5))["type"] == "ready"

    assert await closed_within_5s(socket)  # no event needed to notice the expiry


async def test_a_ticket_issued_before_a_password_change_opens_nothing():
    user, _ = await make_user("g@example.com")
    claims = await sync_to_async(credential_claims)(user=user, sid=None)
    ticket = ticket_issue(user_id=user.pk, claims=claims, expires_at=time.time() + 600)
    user.set_password("changed-password-123")
    await sync_to_async(user.save)()

    socket, _ = await connect()
    await socket.send_json_to({"type": "auth", "ticket": ticket})
    assert await closed_within_5s(socket)
