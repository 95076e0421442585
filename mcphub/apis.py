"""/api/admin/mcp-servers: registered MCP servers over REST, in the replaced system's shape.

Its admin page lists, adds, edits and removes servers through these routes. An entry here is the
same one the Django admin edits: ``label`` is its description (the name, a slug workflows refer
to, is made from the first label and kept), ``server_url`` its URL, ``is_active`` whether it is
enabled. ``authorization`` (a whole header value) or ``access_token`` (sent as a bearer token)
are credentials: sealed for the server's URL, never returned — the answer only says one is set.
OAuth flows and token refresh are not carried: those fields must stay empty.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from core.usage import refuse_if_used
from mcphub.models import McpServer

SET = "••••••••"  # what a credential's hint says: that one is set, nothing of it
UNSUPPORTED = (
    "refresh_token", "oauth_client_id", "oauth_client_secret", "oauth_scope",
    "oauth_authorization_endpoint", "oauth_token_endpoint", "oauth_redirect_uri", "oauth_metadata",
)  # fmt: skip


class McpServerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    server_url = serializers.CharField()
    transport = serializers.CharField()
    is_active = serializers.BooleanField()
    authorization_hint = serializers.CharField(allow_null=True)
    access_token_hint = serializers.CharField(allow_null=True)
    tools_cache = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PeerMcpServerOutput"


def _output(entry: McpServer) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "label": entry.description or entry.name,
        "server_url": entry.url,
        "transport": "http_sse",
        "is_active": entry.enabled,
        "authorization_hint": SET if "Authorization" in entry.header_names else None,
        "access_token_hint": None,
        "refresh_token_hint": None,
        "oauth_client_secret_hint": None,
        **{key: None for key in UNSUPPORTED if key not in ("refresh_token", "oauth_client_secret")},
        "tools_cache": None,
        "tools_cache_updated_at": None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


class McpServerInput(serializers.Serializer):
    label = serializers.CharField(max_length=128)
    server_url = serializers.CharField(max_length=500)
    transport = serializers.ChoiceField(choices=["http_sse", "sse"], required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    authorization = serializers.CharField(required=False, allow_null=True, max_length=8192)
    access_token = serializers.CharField(required=False, allow_null=True, max_length=8000)
    refresh_tools = serializers.BooleanField(required=False, allow_null=True)

    class Meta:
        ref_name = "PeerMcpServerInput"

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            given = [key for key in UNSUPPORTED if data.get(key) not in (None, "", {})]
            if given:
                raise ValidationError(
                    {given[0]: [_("OAuth and token refresh are not supported here: give authorization.")]}
                )
            unknown = set(data) - set(self.fields) - set(UNSUPPORTED)
            if unknown:
                raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
        return super().to_internal_value(data)


def _unique_name(label: str) -> str:
    base = (slugify(label) or "mcp")[:56]
    name, n = base, 2
    while McpServer.objects.filter(name=name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def _apply(entry: McpServer, data: dict[str, Any]) -> McpServer:
    if "label" in data:
        entry.description = data["label"].strip()
    if "server_url" in data:
        entry.url = data["server_url"].strip()
    if "is_active" in data:
        entry.enabled = data["is_active"]
    try:
        entry.full_clean(exclude=["name"] if entry.pk else None)
    except DjangoValidationError as exc:  # named as the client named them
        peer = {"url": "server_url", "description": "label", "enabled": "is_active"}
        errors = {peer.get(key, key): value for key, value in exc.message_dict.items()}
        raise ValidationError(errors) from None
    secret = data.get("authorization") or (
        f"Bearer {data['access_token']}" if data.get("access_token") else None
    )
    with transaction.atomic():
        entry.save()  # a new URL clears the credentials sealed for the old one
        if secret:
            entry.headers_set({"Authorization": secret.strip()})
            entry.save(update_fields=["sealed_headers", "header_names"])
    return entry


class McpServerListCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=McpServerOutput(many=True), operation_id="admin_mcp_servers_list")
    def get(self, request: Request) -> Response:
        return Response([_output(entry) for entry in McpServer.objects.order_by("pk")])

    @extend_schema(
        request=McpServerInput, responses={201: McpServerOutput}, operation_id="admin_mcp_servers_create"
    )
    def post(self, request: Request) -> Response:
        data = McpServerInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = McpServer(name=_unique_name(data.validated_data["label"]))
        return Response(_output(_apply(entry, data.validated_data)), status=status.HTTP_201_CREATED)


class McpServerDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=McpServerInput, responses=McpServerOutput, operation_id="admin_mcp_servers_update")
    def patch(self, request: Request, server_id: int) -> Response:
        entry = get_object_or_404(McpServer, pk=server_id)
        data = McpServerInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(_output(_apply(entry, data.validated_data)))

    @extend_schema(responses={204: None}, operation_id="admin_mcp_servers_destroy")
    def delete(self, request: Request, server_id: int) -> Response:
        entry = get_object_or_404(McpServer, pk=server_id)
        refuse_if_used(kind="mcp_server", name=entry.name)
        entry.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
