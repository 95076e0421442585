"""POST /api/events/ticket: a one-time ticket to open /ws/events (for session-signed pages)."""

from __future__ import annotations

import time

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.settings import api_settings

from accounts.authentication import JWTAuthentication
from accounts.tokens import SID_CLAIM, credential_claims, sid_for_session
from events.tickets import ticket_issue

SOCKET_PATH = "/ws/events"


class EventsTicketApi(APIView):
    # Session pages (the admin) included: DRF's SessionAuthentication enforces CSRF.
    authentication_classes = [JWTAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    class Output(serializers.Serializer):
        ticket = serializers.CharField(help_text='Send {"type": "auth", "ticket": ...} first.')
        expires_in = serializers.IntegerField(help_text="Seconds the ticket stays valid (used once).")
        url = serializers.CharField(help_text="The WebSocket path, on this host.")

        class Meta:
            ref_name = "EventsTicket"

    @extend_schema(request=None, responses={201: Output}, summary="A ticket for the live events socket")
    def post(self, request: Request) -> Response:
        if request.auth is not None:  # a JWT: the socket is bound to its login, and dies with it
            claims = dict(request.auth.payload)
            expires_at = float(claims.get("exp") or time.time())
            sid = claims.get(SID_CLAIM)
        else:  # the session of a page: bound to it (its logout revokes its sid too)
            sid = sid_for_session(request.session.session_key or "")
            claims = credential_claims(user=request.user, sid=sid)
            expires_at = request.session.get_expiry_date().timestamp()
        claims = {
            "iat": claims.get("iat"),
            SID_CLAIM: sid,
            api_settings.REVOKE_TOKEN_CLAIM: claims.get(api_settings.REVOKE_TOKEN_CLAIM),
        }
        ticket = ticket_issue(user_id=request.user.pk, claims=claims, expires_at=expires_at)
        data = {"ticket": ticket, "expires_in": settings.EVENTS_TICKET_SECONDS, "url": SOCKET_PATH}
        return Response(self.Output(data).data, status=status.HTTP_201_CREATED)
