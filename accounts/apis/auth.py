"""REST endpoints of authentication: log in, refresh, log out (CONTRACT.md "Authentication")."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis.users import UserOutput
from accounts.services import login_authenticate
from accounts.throttling import LoginThrottled
from accounts.tokens import (
    SID_CLAIM,
    InvalidRefreshToken,
    refresh_token_revoke,
    session_revoke,
    token_pair_for,
    token_refresh,
    user_logout_everywhere,
)


class PublicAuthApi(APIView):
    """Endpoints that take credentials in the body: no header auth, but real 401s."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Without it DRF turns AuthenticationFailed into 403 for unauthenticated views.
        return 'Bearer realm="api"'


def throttled(exc: LoginThrottled) -> Throttled:
    return Throttled(
        wait=exc.retry_after,
        detail=_("Too many failed logins. Try again in %(seconds)s seconds.") % {"seconds": exc.retry_after},
    )


class LoginApi(PublicAuthApi):
    class Input(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(trim_whitespace=False, max_length=4096)

    class Output(serializers.Serializer):
        access_token = serializers.CharField()
        refresh_token = serializers.CharField()
        token_type = serializers.CharField()
        user = UserOutput()

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = login_authenticate(request=request._request, **data.validated_data)
        except LoginThrottled as exc:
            raise throttled(exc) from None
        if user is None:
            raise AuthenticationFailed(_("Incorrect email or password."))
        tokens = token_pair_for(user=user)
        body = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_type": "bearer",
            "user": UserOutput(user).data,
        }
        return Response(body)


class RefreshApi(PublicAuthApi):
    class Input(serializers.Serializer):
        refresh_token = serializers.CharField(max_length=4096)

    class Output(serializers.Serializer):
        access_token = serializers.CharField()
        refresh_token = serializers.CharField()

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tokens = token_refresh(refresh_token=data.validated_data["refresh_token"])
        except InvalidRefreshToken:
            raise AuthenticationFailed(_("Invalid or expired refresh token.")) from None
        # Refresh tokens rotate: the one sent is now blacklisted, use the new one next time.
        return Response({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token})


class LogoutApi(APIView):
    """Revoke the tokens of this login: the access token used here and its refresh tokens."""

    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        refresh_token = serializers.CharField(required=False, max_length=4096)

    @extend_schema(request=Input, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        sid = request.auth.get(SID_CLAIM) if request.auth is not None else None
        if sid:
            session_revoke(user=request.user, sid=sid)
        if data.validated_data.get("refresh_token"):
            refresh_token_revoke(user=request.user, refresh_token=data.validated_data["refresh_token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutEverywhereApi(APIView):
    """End every login of the user: all tokens and sessions, personal access tokens, sockets."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        user_logout_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
