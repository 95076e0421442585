"""GET /api/chatkit/workflow: which workflow answers the chat, in the replaced system's shape.

Its front end asks on every chat page (the workflow's name in the header, and whether to start the
conversation by itself); this project has no auto-start, so those fields say so.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.apis.workflows import chatkit_workflow_or_404


class ChatWorkflowOutput(serializers.Serializer):
    workflow_id = serializers.IntegerField()
    workflow_slug = serializers.CharField()
    workflow_display_name = serializers.CharField()
    definition_id = serializers.IntegerField()
    definition_version = serializers.IntegerField()
    auto_start = serializers.BooleanField()
    auto_start_user_message = serializers.CharField(allow_null=True)
    auto_start_assistant_message = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PeerChatWorkflowOutput"


class ChatWorkflowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ChatWorkflowOutput, operation_id="chatkit_workflow_retrieve")
    def get(self, request: Request) -> Response:
        workflow = chatkit_workflow_or_404()
        version = workflow.active_version
        return Response(
            ChatWorkflowOutput(
                {
                    "workflow_id": workflow.pk,
                    "workflow_slug": workflow.slug,
                    "workflow_display_name": workflow.display_name,
                    "definition_id": version.pk,
                    "definition_version": version.version,
                    "auto_start": False,
                    "auto_start_user_message": None,
                    "auto_start_assistant_message": None,
                    "updated_at": version.updated_at,
                }
            ).data
        )
