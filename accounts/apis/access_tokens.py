"""REST endpoints of the user's personal access tokens (/api/users/me/tokens)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access_tokens import (
    DEFAULT_EXPIRY_DAYS,
    NEVER_EXPIRES_WARNING,
    WrongPassword,
    access_token_create,
    access_token_get,
    access_token_list,
    access_token_revoke,
    password_confirm,
)
from accounts.apis.auth import throttled
from accounts.models import PersonalAccessToken
from accounts.throttling import LoginThrottled

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
    warning = serializers.CharField(allow_null=True, help_text="Set when the token never expires.")

    class Meta(AccessTokenOutput.Meta):
        fields = [*AccessTokenOutput.Meta.fields, "token", "warning"]
        ref_name = "AccessTokenCreated"


class AccessTokenListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        password = serializers.CharField(
            write_only=True, trim_whitespace=False, max_length=4096,
            help_text="Your password again: a token is not made with a session or access token alone.",
        )  # fmt: skip
        expires_in_days = serializers.IntegerField(
            min_value=1, max_value=MAX_DAYS, required=False, allow_null=True, default=DEFAULT_EXPIRY_DAYS,
            help_text="Days until the token stops working (default 90); null: it never expires.",
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
        try:
            password_confirm(request=request, user=request.user, password=data.validated_data["password"])
        except LoginThrottled as exc:
            raise throttled(exc) from None
        except WrongPassword:
            raise ValidationError({"password": [_("The password is not correct.")]}) from None
        days = data.validated_data.get("expires_in_days")
        token, raw = access_token_create(
            user=request.user,
            name=data.validated_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        token.token = raw  # type: ignore[attr-defined]
        token.warning = None if days else _(NEVER_EXPIRES_WARNING)  # type: ignore[attr-defined]
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
