"""POST /api/events/ticket: a one-time ticket to open /ws/events (for session-signed pages)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import JWTAuthentication
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
        ticket = ticket_issue(user_id=request.user.pk)
        data = {"ticket": ticket, "expires_in": settings.EVENTS_TICKET_SECONDS, "url": SOCKET_PATH}
        return Response(self.Output(data).data, status=status.HTTP_201_CREATED)
