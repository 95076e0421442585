"""REST endpoints of users: me, and admins' user management (CONTRACT.md "Authentication")."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsAdmin
from accounts.selectors import user_get, user_list
from accounts.services import user_create, user_delete, user_update


class UserOutput(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "is_admin", "created_at", "updated_at"]


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserOutput)
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)


class AdminUserListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(trim_whitespace=False, max_length=4096)
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
        password = serializers.CharField(required=False, trim_whitespace=False, max_length=4096)
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
