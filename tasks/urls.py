"""Routes of tasks, by the prefix they live under (see chatkit_site/urls.py)."""

from django.urls import path

from tasks import apis

# /api/tasks and /api/tasks/…
root = [path("", apis.TaskListCreateApi.as_view(), name="api-tasks")]
routes = [path("<int:task_id>", apis.TaskDetailApi.as_view(), name="api-task")]
