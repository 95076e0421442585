"""Reads: a user's tasks (never anyone else's)."""

from __future__ import annotations

from django.db.models import QuerySet

from tasks.models import Task


def task_list(*, user: object, completed: bool | None = None) -> QuerySet[Task]:
    tasks = Task.objects.filter(owner=user)
    return tasks if completed is None else tasks.filter(completed=completed)


def task_get(*, user: object, task_id: int) -> Task | None:
    return Task.objects.filter(owner=user, pk=task_id).first()
