"""REST endpoints for authentication and user management (CONTRACT.md "Authentication")."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts.models import User
from accounts.permissions import IsAdmin
from accounts.selectors import user_get, user_list
from accounts.services import token_pair_for, user_create, user_delete, user_update
from accounts.throttling import LoginFailureThrottle


class UserOutput(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "is_admin", "created_at", "updated_at"]


class PublicAuthApi(APIView):
    """Endpoints that take credentials in the body: no header auth, but real 401s."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Without it DRF turns AuthenticationFailed into 403 for unauthenticated views.
        return 'Bearer realm="api"'


class LoginApi(PublicAuthApi):
    throttle_classes = [LoginFailureThrottle]
    throttle_scope = "login"

    class Input(serializers.Serializer):
        email = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False)

    class Output(serializers.Serializer):
        access_token = serializers.CharField()
        refresh_token = serializers.CharField()
        token_type = serializers.CharField()
        user = UserOutput()

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, email=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            LoginFailureThrottle().record_failure(request, self)
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
        refresh_token = serializers.CharField()

    class Output(serializers.Serializer):
        access_token = serializers.CharField()
        refresh_token = serializers.CharField(required=False)

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        refresh = TokenRefreshSerializer(data={"refresh": data.validated_data["refresh_token"]})
        try:
            refresh.is_valid(raise_exception=True)
        except (TokenError, serializers.ValidationError, AuthenticationFailed, User.DoesNotExist):
            raise AuthenticationFailed(_("Invalid or expired refresh token.")) from None
        body = {"access_token": refresh.validated_data["access"]}
        if "refresh" in refresh.validated_data:
            body["refresh_token"] = refresh.validated_data["refresh"]
        return Response(body)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserOutput)
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)


class AdminUserListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False)
        is_admin = serializers.BooleanField(default=False)

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(UserOutput(user_list(), many=True).data)

    @extend_schema(request=Input, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class AdminUserDetailApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        password = serializers.CharField(required=False, trim_whitespace=False)
        is_admin = serializers.BooleanField(required=False)

    def _get_user(self, user_id: int) -> User:
        user = user_get(user_id=user_id)
        if user is None:
            raise NotFound(_("User not found."))
        return user

    @extend_schema(request=Input, responses=UserOutput)
    def patch(self, request: Request, user_id: int) -> Response:
        user = self._get_user(user_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_update(user=user, acting_user=request.user, **data.validated_data)
        return Response(UserOutput(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        user_delete(user=self._get_user(user_id), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
