"""POST /api/events/ticket."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from accounts.tokens import credential_claims, token_pair_for
from events.tickets import ticket_issue, ticket_redeem

pytestmark = pytest.mark.django_db


def test_it_issues_a_ticket_for_a_bearer_token(user):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=user).access_token}")
    response = client.post("/api/events/ticket")
    assert response.status_code == 201
    body = response.json()
    assert body["url"] == "/ws/events"
    assert body["expires_in"] == 30
    assert async_to_sync(ticket_redeem)(ticket=body["ticket"]).user_id == user.pk


def _ticket(user, expires_in: float = 3600) -> str:
    claims = credential_claims(user=user, sid=None)
    return ticket_issue(user_id=user.pk, claims=claims, expires_at=time.time() + expires_in)


def test_a_ticket_is_refused_once_too_old_or_tampered_with(user, settings):
    assert async_to_sync(ticket_redeem)(ticket=_ticket(user) + "x") is None
    assert async_to_sync(ticket_redeem)(ticket="a" * 1000) is None
    assert async_to_sync(ticket_redeem)(ticket=_ticket(user, expires_in=-1)) is None  # its token expired
    settings.EVENTS_TICKET_SECONDS = -1  # every ticket is already too old
    assert async_to_sync(ticket_redeem)(ticket=_ticket(user)) is None


def test_it_refuses_anonymous_callers_with_a_json_401():
    response = Client().post("/api/events/ticket")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_session_needs_its_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post("/api/events/ticket").status_code == 403
    client.get("/admin/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert (
        client.post("/api/events/ticket", content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code
        == 201
    )
