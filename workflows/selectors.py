"""Reads of the workflows app that more than one caller needs."""

from __future__ import annotations

from typing import Any

from workflows.models import EditorViewport


def viewports_of(*, user: Any) -> list[EditorViewport]:
    return list(EditorViewport.objects.filter(user=user).order_by("workflow_id", "version_id", "device_type"))
