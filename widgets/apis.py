"""REST endpoints of the widget library (CONTRACT.md "Widgets")."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from core.exceptions import DetailedError
from core.validation import json_problem
from widgets.models import WidgetTemplate
from widgets.renderer import render_widget
from widgets.services import InvalidWidget, definition_check, widget_create, widget_delete, widget_update
from widgets.validation import MAX_WIDGET_DEPTH

# Widgets in a chat are small; the renderer's Markdown pass is linear but not free.
MAX_RENDER_JSON_CHARS = 256 * 1024


class InvalidDefinition(DetailedError):
    def __init__(self, errors: list[str]) -> None:
        # {"detail": "Invalid widget definition", "errors": ["<location>: <message>", …]}
        super().__init__(_("Invalid widget definition"), errors)


class WidgetOutput(serializers.ModelSerializer):
    class Meta:
        model = WidgetTemplate
        fields = ["slug", "title", "description", "definition", "created_at", "updated_at"]


def get_widget_or_404(slug: str) -> WidgetTemplate:
    widget = WidgetTemplate.objects.filter(slug=slug).first()
    if widget is None:
        raise NotFound(_("Widget not found."))
    return widget


class WidgetListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        slug = serializers.SlugField(max_length=100)
        title = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, trim_whitespace=False, max_length=255
        )
        description = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, trim_whitespace=False
        )
        definition = serializers.JSONField()

        def validate_slug(self, value: str) -> str:
            if WidgetTemplate.objects.filter(slug=value).exists():
                raise serializers.ValidationError(_("A widget with this slug already exists."))
            return value

    @extend_schema(responses=WidgetOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(WidgetOutput(WidgetTemplate.objects.order_by("slug"), many=True).data)

    @extend_schema(request=Input, responses={201: WidgetOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            widget = widget_create(**data.validated_data)
        except InvalidWidget as exc:
            raise InvalidDefinition(exc.errors) from None
        return Response(WidgetOutput(widget).data, status=status.HTTP_201_CREATED)


class WidgetDetailApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        title = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, trim_whitespace=False, max_length=255
        )
        description = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, trim_whitespace=False
        )
        definition = serializers.JSONField(required=False)

    @extend_schema(responses=WidgetOutput)
    def get(self, request: Request, slug: str) -> Response:
        return Response(WidgetOutput(get_widget_or_404(slug)).data)

    @extend_schema(request=Input, responses=WidgetOutput)
    def patch(self, request: Request, slug: str) -> Response:
        widget = get_widget_or_404(slug)
        data = self.Input(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            widget = widget_update(widget=widget, **data.validated_data)
        except InvalidWidget as exc:
            raise InvalidDefinition(exc.errors) from None
        return Response(WidgetOutput(widget).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        widget_delete(widget=get_widget_or_404(slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


def preview_payload(definition: Any) -> dict[str, Any]:
    try:
        checked = definition_check(definition)
    except InvalidWidget as exc:
        raise InvalidDefinition(exc.errors) from None
    # Beyond the contract's {definition}: the tree that is shown and its HTML, for editors.
    return {
        "definition": checked.normalized,
        "rendered": checked.rendered,
        "html": render_widget(checked.rendered),
    }


class WidgetPreviewApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        definition = serializers.JSONField()

    @extend_schema(request=Input, responses={200: dict})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(preview_payload(data.validated_data["definition"]))


class WorkflowWidgetsApi(APIView):
    permission_classes = [IsAuthenticated]

    class Output(serializers.ModelSerializer):
        class Meta:
            model = WidgetTemplate
            fields = ["slug", "title", "description"]

    @extend_schema(responses=Output(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.Output(WidgetTemplate.objects.order_by("slug"), many=True).data)


class WidgetRenderApi(APIView):
    """HTML for a widget tree, for the built-in chat client (any user; nothing is stored)."""

    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        widget = serializers.DictField()

        def validate_widget(self, value: dict[str, Any]) -> dict[str, Any]:
            problem = json_problem(value, max_depth=MAX_WIDGET_DEPTH)
            if problem is not None:
                raise serializers.ValidationError(_("The widget %(problem)s.") % {"problem": problem})
            if len(json.dumps(value)) > MAX_RENDER_JSON_CHARS:
                raise serializers.ValidationError(_("The widget is too large to render."))
            return value

    @extend_schema(request=Input, responses={200: dict})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"html": render_widget(data.validated_data["widget"])})
