"""Reads of the workflows app that more than one caller needs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from workflows.models import EditorViewport, Workflow, WorkflowRun


def viewports_of(*, user: Any) -> list[EditorViewport]:
    return list(EditorViewport.objects.filter(user=user).order_by("workflow_id", "version_id", "device_type"))


def run_summary(run: WorkflowRun, *, user_email: str | None) -> dict[str, Any]:
    """One line of a workflow's run list (the editor's Runs panel, live events)."""
    duration = None
    if run.ended_at is not None and run.started_at is not None:
        duration = round((run.ended_at - run.started_at).total_seconds() * 1000)
    return {
        "id": run.pk,
        "thread_id": run.thread_id,
        "version_id": run.version_id,
        "trigger": run.trigger,
        "status": run.status,
        "error": run.error,
        "user": user_email,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "duration_ms": duration,
        "path": [step.get("node") for step in run.steps],
    }


def runs_of(*, workflow_id: int, limit: int = 50, status: str | None = None) -> list[dict[str, Any]]:
    runs = (
        WorkflowRun.objects.filter(version__workflow_id=workflow_id)
        .select_related("thread__owner", "version")
        .order_by("-started_at", "-pk")
    )
    if status:
        runs = runs.filter(status=status)
    out = []
    for run in runs[:limit]:
        line = run_summary(run, user_email=run.thread.owner.email if run.thread.owner_id else None)
        line["version"] = run.version.version
        out.append(line)
    return out


def run_detail(*, workflow_id: int, run_id: int) -> WorkflowRun | None:
    return (
        WorkflowRun.objects.filter(pk=run_id, version__workflow_id=workflow_id)
        .select_related("thread__owner", "version")
        .first()
    )


def tool_choices() -> dict[str, list[dict[str, str]]]:
    """What an agent step's tool pickers offer: registered MCP servers and in-process tools."""
    from conversations.engine import agent as agent_module
    from mcphub.models import McpServer

    servers = [
        {"name": name, "description": description}
        for name, description in McpServer.objects.order_by("name").values_list("name", "description")
    ]
    registered = sorted(
        (
            {"name": tool.name, "description": str(getattr(tool, "description", "") or "")[:200]}
            for tool in agent_module._extra_tools
            if getattr(tool, "name", "")
        ),
        key=lambda tool: tool["name"],
    )
    return {"mcp_servers": servers, "registered_tools": registered}


def workflows_using(kind: str, name: str) -> list[str]:
    """The workflows whose published version names ``name`` (a store, widget, model or MCP
    server), in words; a core.usage finder. Drafts and old versions are not counted: they are
    checked again when published."""
    from workflows.graph import references_of

    users = []
    for workflow in Workflow.objects.select_related("active_version").exclude(active_version=None):
        if (kind, name) in references_of(workflow.active_version.graph):
            users.append(
                _("workflow %(name)s (v%(version)s)")
                % {"name": workflow.display_name or workflow.slug, "version": workflow.active_version.version}
            )
    return users
