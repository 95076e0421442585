"""REST endpoints of the to-do list: each user sees and changes only their own tasks."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks import selectors, services
from tasks.models import Task


class TaskOutput(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "completed",
            "due_date",
            "priority",
            "created_at",
            "updated_at",
        ]
        ref_name = "Task"


class TaskInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    completed = serializers.BooleanField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Task.Priority.choices, required=False)

    class Meta:
        ref_name = "TaskInput"


def get_task_or_404(request: Request, task_id: int) -> Task:
    task = selectors.task_get(user=request.user, task_id=task_id)
    if task is None:  # another user's task answers exactly like a missing one
        raise NotFound(_("Task not found."))
    return task


class TaskListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("completed", bool, required=False)], responses=TaskOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("completed")
        completed = None if raw is None else serializers.BooleanField().to_internal_value(raw)
        return Response(
            TaskOutput(selectors.task_list(user=request.user, completed=completed), many=True).data
        )

    @extend_schema(request=TaskInput, responses={201: TaskOutput})
    def post(self, request: Request) -> Response:
        data = TaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        completed = fields.pop("completed", False)
        task = services.task_create(user=request.user, **fields)
        if completed:
            services.task_update(task=task, completed=True)
        return Response(TaskOutput(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TaskOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return Response(TaskOutput(get_task_or_404(request, task_id)).data)

    @extend_schema(request=TaskInput(partial=True), responses=TaskOutput)
    def patch(self, request: Request, task_id: int) -> Response:
        task = get_task_or_404(request, task_id)
        data = TaskInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(TaskOutput(services.task_update(task=task, **data.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, task_id: int) -> Response:
        services.task_delete(task=get_task_or_404(request, task_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
