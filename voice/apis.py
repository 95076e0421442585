from __future__ import annotations

from dataclasses import asdict
from typing import Any

from asgiref.sync import async_to_sync
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from core.exceptions import ServiceUnavailable, UpstreamError
from core.serializers import StrictSerializer
from voice.models import VoiceSettings
from voice.services import (
    VoiceUnavailable,
    VoiceUpstreamError,
    resolve,
    voice_session_create,
    voice_settings_update,
)


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
            raise ServiceUnavailable(str(exc)) from None
        except VoiceUpstreamError as exc:
            raise UpstreamError(str(exc)) from None
        return Response(asdict(session))


class VoiceSettingsApi(APIView):
    permission_classes = [IsAdmin]

    class Input(StrictSerializer):
        model = serializers.CharField(required=False, max_length=100)
        instructions = serializers.CharField(required=False, max_length=20_000)
        voice = serializers.CharField(required=False, max_length=50)
        prompt_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
        prompt_version = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=50
        )
        prompt_variables = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=20_000), required=False, allow_null=True
        )

    class Output(serializers.Serializer):
        model = serializers.CharField()
        instructions = serializers.CharField()
        voice = serializers.CharField()
        prompt_id = serializers.CharField(allow_null=True)
        prompt_version = serializers.CharField(allow_null=True)
        prompt_variables = serializers.DictField(child=serializers.CharField(), allow_null=True)
        created_at = serializers.DateTimeField(allow_null=True)
        updated_at = serializers.DateTimeField(allow_null=True)

    def _output(self, saved: VoiceSettings) -> dict[str, Any]:
        return self.Output(
            {
                **resolve({}, saved),
                "prompt_id": saved.prompt_id,
                "prompt_version": saved.prompt_version,
                "prompt_variables": saved.prompt_variables,
                "created_at": saved.created_at if saved.pk else None,
                "updated_at": saved.updated_at if saved.pk else None,
            }
        ).data

    @extend_schema(responses=Output)
    def get(self, request: Request) -> Response:
        return Response(self._output(VoiceSettings.current()))

    @extend_schema(request=Input, responses=Output)
    def patch(self, request: Request) -> Response:
        # CharField refuses blank values (400): an admin clears nothing by accident; unknown
        # fields are refused too, so a typo is never a silent 200.
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            fields = ", ".join(self.Input().fields)
            raise serializers.ValidationError(
                {"detail": [_("Send at least one of %(fields)s.") % {"fields": fields}]}
            )
        saved = voice_settings_update(
            saved=VoiceSettings.current(), values=data.validated_data, user=request.user
        )
        return Response(self._output(saved))
