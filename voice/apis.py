from __future__ import annotations

from dataclasses import asdict

from asgiref.sync import async_to_sync
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from voice.models import VoiceSettings
from voice.services import FIELDS, VoiceUnavailable, VoiceUpstreamError, resolve, voice_session_create


class _Unavailable(APIException):
    status_code = 503


class _BadGateway(APIException):
    status_code = 502


class VoiceSessionApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        model = serializers.CharField(required=False, allow_blank=True, max_length=100)
        instructions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
        voice = serializers.CharField(required=False, allow_blank=True, max_length=50)

    class Output(serializers.Serializer):
        client_secret = serializers.CharField()
        expires_at = serializers.IntegerField(allow_null=True)
        model = serializers.CharField()
        instructions = serializers.CharField()
        voice = serializers.CharField()

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            session = async_to_sync(voice_session_create)(requested=data.validated_data)
        except VoiceUnavailable as exc:
            raise _Unavailable(str(exc)) from None
        except VoiceUpstreamError as exc:
            raise _BadGateway(str(exc)) from None
        return Response(asdict(session))


class VoiceSettingsApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        model = serializers.CharField(required=False, max_length=100)
        instructions = serializers.CharField(required=False, max_length=20_000)
        voice = serializers.CharField(required=False, max_length=50)

    class Output(serializers.Serializer):
        model = serializers.CharField()
        instructions = serializers.CharField()
        voice = serializers.CharField()

    @extend_schema(responses=Output)
    def get(self, request: Request) -> Response:
        return Response(resolve({}, VoiceSettings.current()))

    @extend_schema(request=Input, responses=Output)
    def patch(self, request: Request) -> Response:
        # CharField refuses blank values (400): an admin clears nothing by accident.
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise serializers.ValidationError(
                {"detail": [_("Send at least one of model, instructions, voice.")]}
            )
        saved = VoiceSettings.current()
        for name in FIELDS:
            if name in data.validated_data:
                setattr(saved, name, data.validated_data[name].strip())
        saved.updated_by = request.user
        saved.save()
        return Response(resolve({}, saved))
