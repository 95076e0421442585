"""REST endpoints of the model registry (CONTRACT.md "Models")."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from core.usage import refuse_if_used
from workflows.models import AvailableModel


class ModelOutput(serializers.ModelSerializer):
    """What a model picker needs (every user): no endpoint, nothing about keys. An unset display
    name or description is null (a client shows the name instead of a blank box)."""

    display_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    def get_display_name(self, entry: AvailableModel) -> str | None:
        return entry.display_name or None

    def get_description(self, entry: AvailableModel) -> str | None:
        return entry.description or None

    class Meta:
        model = AvailableModel
        fields = [
            "id", "name", "display_name", "description", "supports_reasoning", "provider", "created_at",
            "updated_at",
        ]  # fmt: skip
        ref_name = "AvailableModel"


class AdminModelOutput(ModelOutput):
    """Admins also see the endpoint and whether a key is set — never the key."""

    api_key_set = serializers.BooleanField(source="has_api_key", read_only=True)

    class Meta(ModelOutput.Meta):
        fields = [*ModelOutput.Meta.fields, "base_url", "api_key_set"]
        ref_name = "AdminAvailableModel"


class ModelInput(serializers.ModelSerializer):
    api_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=4096, trim_whitespace=True,
        help_text="Sets or replaces the key (write-only, sent only to this model's endpoint). "
        "A base URL on another origin clears a stored key.",
    )  # fmt: skip
    clear_api_key = serializers.BooleanField(write_only=True, required=False, default=False)
    # null is "not set", as the replaced system's admin sends it.
    display_name = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=5000)

    class Meta:
        model = AvailableModel
        fields = [
            "name",
            "display_name",
            "description",
            "supports_reasoning",
            "provider",
            "base_url",
            "api_key",
            "clear_api_key",
        ]
        ref_name = "AvailableModelInput"
        extra_kwargs = {"name": {"validators": []}}

    def validate_display_name(self, value: str | None) -> str:
        return (value or "").strip()

    def validate_description(self, value: str | None) -> str:
        return (value or "").strip()

    def validate_api_key(self, value: str) -> str:
        if any(char in value for char in "\r\n\x00"):
            raise serializers.ValidationError(_("An API key is one line of text."))
        return value

    def save(self, **kwargs: Any) -> AvailableModel:
        key = self.validated_data.pop("api_key", None)
        clear = self.validated_data.pop("clear_api_key", False)
        # Not ModelSerializer.save(): the key is sealed on the entry, never a column of its own.
        entry = self.instance or AvailableModel()
        for field, value in self.validated_data.items():
            setattr(entry, field, value)
        if clear:
            entry.api_key_set("")
        elif key:
            entry.api_key_set(key)
        entry.save()
        self.instance = entry
        return entry

    def validate_name(self, value: str) -> str:
        others = AvailableModel.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A model with this name already exists."))
        return value


def _save(serializer: serializers.ModelSerializer) -> AvailableModel:
    try:
        return serializer.save()
    except IntegrityError:  # a concurrent request took the name
        raise ValidationError(_("A model with this name already exists.")) from None


class ModelListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ModelOutput(many=True), operation_id="models_list")
    def get(self, request: Request) -> Response:
        return Response(ModelOutput(AvailableModel.objects.all(), many=True).data)


class AdminModelListCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=AdminModelOutput(many=True), operation_id="admin_models_list")
    def get(self, request: Request) -> Response:
        return Response(AdminModelOutput(AvailableModel.objects.all(), many=True).data)

    @extend_schema(request=ModelInput, responses={201: AdminModelOutput}, operation_id="admin_models_create")
    def post(self, request: Request) -> Response:
        data = ModelInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(AdminModelOutput(_save(data)).data, status=status.HTTP_201_CREATED)


class AdminModelDetailApi(APIView):
    permission_classes = [IsAdmin]

    def _get(self, model_id: int) -> AvailableModel:
        entry = AvailableModel.objects.filter(pk=model_id).first()
        if entry is None:
            raise NotFound(_("Model not found."))
        return entry

    @extend_schema(request=ModelInput, responses=AdminModelOutput)
    def patch(self, request: Request, model_id: int) -> Response:
        data = ModelInput(self._get(model_id), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(AdminModelOutput(_save(data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, model_id: int) -> Response:
        entry = self._get(model_id)
        refuse_if_used(kind="model", name=entry.name)
        entry.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
