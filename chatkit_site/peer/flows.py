"""Workflows with every version, which one runs, and which one runs the chat.

A version is rebuilt from its steps and transitions into the graph the replaced system's API
serves, then read in that dialect (``workflows.dialect``): stored in this project's form with what
it sent kept beside each node, so its builder reads it back unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import APIException

from chatkit_site.peer.report import Report, Tally
from chatkit_site.peer.source import Source
from workflows.models import Workflow, WorkflowVersion
from workflows.services import (
    version_activate,
    version_import,
    workflow_create_bare,
    workflow_set_chatkit,
)

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")


def peer_graph(steps: list[dict[str, Any]], transitions: list[dict[str, Any]]) -> dict[str, Any]:
    """The graph as the replaced system's API gives it (without its row ids and timestamps)."""
    slugs = {step["id"]: step["slug"] for step in steps}
    nodes = [
        {
            "slug": step["slug"],
            "kind": step["kind"],
            "display_name": step.get("display_name"),
            "agent_key": step.get("agent_key"),
            "parent_slug": step.get("parent_slug"),
            "is_enabled": bool(step.get("is_enabled", True)),
            "parameters": step.get("parameters") or {},
            "metadata": step.get("ui_metadata") or {},
        }
        for step in sorted(steps, key=lambda s: (s.get("position") or 0, s["id"]))
    ]
    edges = [
        {
            "source": slugs.get(edge["source_step_id"]),
            "target": slugs.get(edge["target_step_id"]),
            "condition": edge.get("condition"),
            "metadata": edge.get("ui_metadata") or {},
        }
        for edge in transitions
    ]
    return {"nodes": nodes, "edges": edges}


def _by_definition(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["definition_id"]].append(row)
    return grouped


def workflows_import(source: Source, report: Report) -> None:
    flows = report.tally("workflows")
    versions = report.tally("workflow versions")
    steps = _by_definition(source.rows("SELECT * FROM workflow_steps ORDER BY id"))
    transitions = _by_definition(source.rows("SELECT * FROM workflow_transitions ORDER BY id"))
    definitions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in source.rows("SELECT * FROM workflow_definitions ORDER BY workflow_id, version, id"):
        definitions[row["workflow_id"]].append(row)

    for row in source.rows("SELECT * FROM workflows ORDER BY id"):
        flows.found += 1
        slug = str(row["slug"])
        if not _SLUG.match(slug):
            flows.skip(slug, "not a valid slug here (letters, digits, - and _; at most 100)")
            continue
        workflow = Workflow.objects.filter(slug=slug).first()
        created = workflow is None
        flows.present += 0 if created else 1
        flows.new += 1 if created else 0
        if created and not report.dry_run:
            workflow = workflow_create_bare(
                slug=slug, display_name=row["display_name"] or slug, description=row.get("description")
            )
        ours = set(workflow.versions.values_list("version", flat=True)) if workflow is not None else set()
        active_number = None
        for definition in definitions.get(row["id"], []):
            versions.found += 1
            number = int(definition["version"])
            if definition["id"] == row.get("active_version_id") or (
                row.get("active_version_id") is None and definition.get("is_active")
            ):
                active_number = number
            if number in ours:
                versions.present += 1
                continue
            graph = peer_graph(steps.get(definition["id"], []), transitions.get(definition["id"], []))
            label = f"{slug} v{number}"
            if report.dry_run:
                versions.new += 1
                continue
            try:
                _, problems = version_import(
                    workflow=workflow, number=number, name=definition.get("name"), graph=graph
                )
            except (APIException, DjangoValidationError) as exc:
                versions.skip(label, _reason(exc))
                continue
            versions.new += 1
            if problems:
                versions.notes.append(f"{label} kept as a draft with problems: {problems[0]}")
        if created and not report.dry_run and workflow is not None:
            _activate(workflow, active_number, bool(row.get("is_chatkit_default")), tally=flows)


def _activate(workflow: Workflow, number: int | None, runs_chat: bool, *, tally: Tally) -> None:
    """The version that ran there runs here, if it passes every check; the chat's workflow too."""
    version = WorkflowVersion.objects.filter(workflow=workflow, version=number).first() if number else None
    if version is None:
        if runs_chat:
            tally.skip(workflow.slug, "ran the chat there but has no running version to run it here")
        return
    try:
        version_activate(version=version)
    except (APIException, DjangoValidationError) as exc:
        tally.skip(f"{workflow.slug} v{number} as the running version", _reason(exc))
        return
    if runs_chat:
        workflow.refresh_from_db()
        workflow_set_chatkit(workflow=workflow)
        tally.notes.append(f"{workflow.slug} now runs the chat, as it did there")


def _reason(exc: Exception) -> str:
    detail: Any = getattr(exc, "detail", None) or getattr(exc, "messages", None) or str(exc)
    while isinstance(detail, dict | list) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail)[:300]
