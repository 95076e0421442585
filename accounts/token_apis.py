"""REST endpoints of the user's personal access tokens (/api/users/me/tokens)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access_tokens import (
    access_token_create,
    access_token_get,
    access_token_list,
    access_token_revoke,
)
from accounts.models import PersonalAccessToken

MAX_DAYS = 3650


class AccessTokenOutput(serializers.ModelSerializer):
    expired = serializers.SerializerMethodField()

    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "expired"]
        ref_name = "AccessToken"

    def get_expired(self, token: PersonalAccessToken) -> bool:
        return token.expires_at is not None and token.expires_at <= timezone.now()


class AccessTokenCreatedOutput(AccessTokenOutput):
    token = serializers.CharField(help_text="The secret: shown this once, never again.")

    class Meta(AccessTokenOutput.Meta):
        fields = [*AccessTokenOutput.Meta.fields, "token"]
        ref_name = "AccessTokenCreated"


class AccessTokenListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        expires_in_days = serializers.IntegerField(
            min_value=1, max_value=MAX_DAYS, required=False, allow_null=True,
            help_text="Days until the token stops working; omitted or null: it never expires.",
        )  # fmt: skip

        class Meta:
            ref_name = "AccessTokenInput"

    @extend_schema(responses=AccessTokenOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(AccessTokenOutput(access_token_list(user=request.user), many=True).data)

    @extend_schema(request=Input, responses={201: AccessTokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        days = data.validated_data.get("expires_in_days")
        token, raw = access_token_create(
            user=request.user,
            name=data.validated_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        token.token = raw  # type: ignore[attr-defined]
        return Response(AccessTokenCreatedOutput(token).data, status=status.HTTP_201_CREATED)


class AccessTokenDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        token = access_token_get(user=request.user, token_id=token_id)
        if token is None:  # another user's token answers like a missing one
            raise NotFound(_("Token not found."))
        access_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
