"""Writes: a user's tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from tasks.models import Task

FIELDS = ("title", "description", "completed", "due_date", "priority")


def task_create(
    *, user: Any, title: str, description: str = "", due_date: date | None = None, priority: str = "medium"
) -> Task:
    return Task.objects.create(
        owner=user, title=title, description=description, due_date=due_date, priority=priority
    )


def task_update(*, task: Task, **changes: Any) -> Task:
    for name, value in changes.items():
        if name not in FIELDS:
            raise ValueError(f"unknown task field {name!r}")
        setattr(task, name, value)
    task.save(update_fields=[*changes, "updated_at"])
    return task


def task_delete(*, task: Task) -> None:
    task.delete()
