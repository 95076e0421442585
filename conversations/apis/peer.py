"""Read-only routes the replaced system's own front end asks for when it starts and opens a thread.

That front end (kept by teams moving over, see ``manage.py import_peer``) calls these on every page;
answering them in its shapes, from this project's own settings, keeps it quiet and working. None of
them changes anything. The chat's workflow is in ``workflows.apis.peer``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from conversations.config import effective_config
from conversations.hosted import hosted_configured
from conversations.models import ChatConfig, Thread

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#0f62fe"
MAIN_BRANCH = "main"  # threads here have one line of messages: the peer's implicit main branch


class AppearanceOutput(serializers.Serializer):
    color_scheme = serializers.ChoiceField(choices=["system", "light", "dark"])
    radius_style = serializers.CharField()
    accent_color = serializers.CharField()
    use_custom_surface_colors = serializers.BooleanField()
    surface_hue = serializers.FloatField()
    surface_tint = serializers.FloatField()
    surface_shade = serializers.FloatField()
    heading_font = serializers.CharField()
    body_font = serializers.CharField()
    start_screen_greeting = serializers.CharField()
    start_screen_prompt = serializers.CharField()
    start_screen_placeholder = serializers.CharField()
    start_screen_disclaimer = serializers.CharField()

    class Meta:
        ref_name = "PeerAppearanceOutput"


def _appearance() -> dict[str, Any]:
    config = effective_config(ChatConfig.objects.order_by("pk").first())
    accent = config["theme"]["accent"]
    return {
        "color_scheme": config["theme"]["color_scheme"],
        "radius_style": "soft",
        "accent_color": accent if HEX_COLOR.match(accent or "") else DEFAULT_ACCENT,
        "use_custom_surface_colors": False,
        "surface_hue": 0.0,
        "surface_tint": 0.0,
        "surface_shade": 0.0,
        "heading_font": "system-ui",
        "body_font": "system-ui",
        "start_screen_greeting": config["greeting"],
        "start_screen_prompt": "\n".join(config["starter_prompts"]),
        "start_screen_placeholder": config["placeholder"],
        "start_screen_disclaimer": "",
        "created_at": None,
        "updated_at": None,
    }


class AppearanceApi(APIView):
    """GET /api/appearance-settings (public): the chat's look, from the chat settings (/api/config)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=AppearanceOutput, operation_id="appearance_settings_retrieve")
    def get(self, request: Request) -> Response:
        return Response(_appearance())


class AppearanceInput(serializers.Serializer):
    color_scheme = serializers.ChoiceField(
        choices=["system", "light", "dark"], required=False, allow_null=True
    )
    accent_color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False, allow_null=True)
    start_screen_greeting = serializers.CharField(
        max_length=500, required=False, allow_blank=True, allow_null=True
    )
    start_screen_prompt = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, allow_null=True
    )
    start_screen_placeholder = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    # The peer's finer styling has no counterpart in this chat page: accepted (its form sends them
    # all at once), not kept, and answered with this page's values.
    IGNORED = (
        "radius_style", "use_custom_surface_colors", "surface_hue", "surface_tint", "surface_shade",
        "heading_font", "body_font", "start_screen_disclaimer",
    )  # fmt: skip

    class Meta:
        ref_name = "PeerAppearanceInput"

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields) - set(self.IGNORED)
            if unknown:
                raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
        return super().to_internal_value(data)


class AdminAppearanceApi(APIView):
    """GET|PATCH /api/admin/appearance-settings: the chat settings an admin sets (ChatConfig)."""

    permission_classes = [IsAdmin]

    @extend_schema(responses=AppearanceOutput, operation_id="admin_appearance_settings_retrieve")
    def get(self, request: Request) -> Response:
        return Response(_appearance())

    @extend_schema(
        request=AppearanceInput, responses=AppearanceOutput, operation_id="admin_appearance_settings_update"
    )
    def patch(self, request: Request) -> Response:
        data = AppearanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        config = ChatConfig.objects.order_by("pk").first() or ChatConfig()
        if "color_scheme" in values:
            config.color_scheme = "" if values["color_scheme"] in (None, "system") else values["color_scheme"]
        if "accent_color" in values:
            config.accent_color = values["accent_color"] or ""
        for peer, ours in (
            ("start_screen_greeting", "greeting"),
            ("start_screen_prompt", "starter_prompts"),
            ("start_screen_placeholder", "placeholder"),
        ):
            if peer in values:
                setattr(config, ours, (values[peer] or "").strip())
        config.save()
        return Response(_appearance())


class LanguagesOutput(serializers.Serializer):
    class LanguageOutput(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

        class Meta:
            ref_name = "PeerLanguageOutput"

    languages = LanguageOutput(many=True)

    class Meta:
        ref_name = "PeerLanguagesOutput"


class LanguagesApi(APIView):
    """GET /api/languages (public): the languages the interface speaks."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=LanguagesOutput, operation_id="languages_list")
    def get(self, request: Request) -> Response:
        return Response({"languages": [{"code": code, "name": name} for code, name in settings.LANGUAGES]})


class HostedOptionOutput(serializers.Serializer):
    id = serializers.CharField()
    slug = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    available = serializers.BooleanField()
    managed = serializers.BooleanField()

    class Meta:
        ref_name = "PeerHostedOptionOutput"


class HostedOptionsApi(APIView):
    """GET /api/chatkit/hosted: the hosted (OpenAI-run) workflow, when CHATKIT_WORKFLOW_ID is set."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=HostedOptionOutput(many=True), operation_id="chatkit_hosted_list")
    def get(self, request: Request) -> Response:
        if not settings.CHATKIT_WORKFLOW_ID:
            return Response([])
        option = {
            "id": settings.CHATKIT_WORKFLOW_ID,
            "slug": "hosted-workflow",
            "label": "Hosted ChatKit workflow",
            "description": None,
            "available": hosted_configured(),
            "managed": False,
        }
        return Response([option])


class BranchesOutput(serializers.Serializer):
    class BranchOutput(serializers.Serializer):
        branch_id = serializers.CharField()
        name = serializers.CharField(allow_null=True)
        is_default = serializers.BooleanField()
        parent_branch_id = serializers.CharField(allow_null=True)
        fork_point_item_id = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "PeerBranchOutput"

    branches = BranchOutput(many=True)
    current_branch_id = serializers.CharField()

    class Meta:
        ref_name = "PeerBranchesOutput"


class ThreadBranchesApi(APIView):
    """GET /api/chatkit/threads/{id}/branches: one branch, the thread itself (no forks here)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BranchesOutput, operation_id="chatkit_thread_branches_list")
    def get(self, request: Request, thread_id: str) -> Response:
        thread = Thread.objects.filter(id=thread_id, owner=request.user).only("created_at").first()
        if thread is None:  # another user's thread is answered as a missing one
            raise NotFound(_("Thread %(id)s not found") % {"id": thread_id})
        main = {
            "branch_id": MAIN_BRANCH,
            "name": None,
            "is_default": True,
            "parent_branch_id": None,
            "fork_point_item_id": None,
            "created_at": thread.created_at.isoformat(),
        }
        return Response({"branches": [main], "current_branch_id": MAIN_BRANCH})


class LiveUpdatesOutput(serializers.Serializer):
    changed = serializers.BooleanField()
    ts = serializers.FloatField()

    class Meta:
        ref_name = "PeerLiveUpdatesOutput"


class LiveUpdatesPollApi(APIView):
    """GET /api/chatkit/live-updates/poll: never "changed" — this project pushes a thread's changes
    over /ws/events instead, and a workflow published mid-thread applies from the next turn."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=LiveUpdatesOutput, operation_id="chatkit_live_updates_poll")
    def get(self, request: Request) -> Response:
        return Response({"changed": False, "ts": 0.0})
