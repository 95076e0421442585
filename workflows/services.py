"""Writes: workflows, their versions, activation, the chat's workflow, export and import."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.exceptions import DetailedError
from widgets.builtin import BUILTIN
from workflows.dialect import MARK, from_peer, graph_is_peer, message_for_peer
from workflows.graph import MAX_EDGES, MAX_NODES, SLUG, GraphError, References, default_graph, parse_graph
from workflows.models import AvailableModel, EditorViewport, Workflow, WorkflowVersion
from workflows.selectors import viewports_of
from workflows.testcases import case_create, publish_check

EXPORT_FORMAT = "chatkit-django.workflow/1"


def references() -> References:
    from conversations.engine import agent as agent_module
    from mcphub.models import McpServer
    from vectorstores.models import VectorStore
    from widgets.models import WidgetTemplate

    return References(
        stores=set(VectorStore.objects.values_list("slug", flat=True)),
        widgets=set(WidgetTemplate.objects.values_list("slug", flat=True)) | set(BUILTIN),
        models=set(AvailableModel.objects.values_list("name", flat=True)),
        registered_tools={getattr(tool, "name", "") for tool in agent_module._extra_tools},
        mcp_servers=set(McpServer.objects.values_list("name", flat=True)),
    )


def graph_clean(raw: Any) -> dict[str, Any]:
    """The graph in its stored form, or a 400 naming each problem (``detail``: the first).

    Either dialect comes in (``workflows.dialect``); the stored form is this project's, with what
    the replaced system's builder sent kept beside each translated node.
    """
    native = from_peer(raw)
    try:
        return parse_graph(native, references()).to_wire()
    except GraphError as exc:
        errors = _messages(exc, native)
        raise DetailedError(errors[0], errors) from None


def graph_clean_draft(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """A graph for a version that does not run yet, and its problems.

    The replaced system's builder saves work in progress as versions (a step not connected yet, a
    condition without its path): such a graph in its dialect is kept with its problems listed, and
    checked in full when it is made the running version. Ours is checked in full at once (its
    editor keeps work in progress as the workflow's draft).
    """
    if not graph_is_peer(raw):
        return graph_clean(raw), []
    native = from_peer(raw)
    try:
        return parse_graph(native, references()).to_wire(), []
    except GraphError as exc:
        errors = _messages(exc, native)
        shaped = _shaped(native)
        if shaped is None:
            raise DetailedError(errors[0], errors) from None
        return shaped, errors


def _messages(exc: GraphError, native: Any) -> list[str]:
    """Problems of nodes that came in the replaced system's dialect name its keys."""
    if not isinstance(native, dict) or not isinstance(native.get("nodes"), list):
        return exc.errors
    nodes = {
        node["slug"]: node
        for node in native["nodes"]
        if isinstance(node, dict) and isinstance(node.get("slug"), str)
    }
    out = []
    for slug, message in zip(exc.nodes, exc.errors, strict=True):
        node = (nodes.get(slug) if isinstance(slug, str) else None) or {}
        translated = isinstance(node.get("metadata"), dict) and MARK in node["metadata"]
        out.append(message_for_peer(message, node.get("kind")) if translated else message)
    return out


def _shaped(native: Any) -> dict[str, Any] | None:
    """A work-in-progress graph kept as it is, if it has the shape of one: node objects with a
    slug and a kind, edges between named nodes; None otherwise."""
    if not isinstance(native, dict):
        return None
    nodes, edges = native.get("nodes"), native.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return None
    if len(nodes) > MAX_NODES or len(edges) > MAX_EDGES:
        return None
    out_nodes, slugs = [], set()
    for node in nodes:
        if (
            not isinstance(node, dict)
            or not isinstance(node.get("slug"), str)
            or not SLUG.match(node["slug"])
        ):
            return None
        if node["slug"] in slugs or not isinstance(node.get("kind"), str) or len(node["kind"]) > 50:
            return None
        slugs.add(node["slug"])
        display_name = node.get("display_name") or ""
        parameters, metadata = node.get("parameters") or {}, node.get("metadata") or {}
        if (
            not isinstance(display_name, str)
            or not isinstance(parameters, dict)
            or not isinstance(metadata, dict)
        ):
            return None
        out_nodes.append(
            {
                "slug": node["slug"],
                "kind": node["kind"],
                "display_name": display_name[:200],
                "is_enabled": node.get("is_enabled") is not False,
                "parameters": parameters,
                "metadata": metadata,
            }
        )
    out_edges = []
    for edge in edges:
        if not isinstance(edge, dict) or edge.get("source") not in slugs or edge.get("target") not in slugs:
            return None
        condition = edge.get("condition")
        metadata = edge.get("metadata") or {}
        if not isinstance(condition, str | type(None)) or not isinstance(metadata, dict):
            return None
        out_edges.append(
            {"source": edge["source"], "target": edge["target"], "condition": condition, "metadata": metadata}
        )
    return {"nodes": out_nodes, "edges": out_edges}


def graph_problems(raw: Any) -> list[tuple[str | None, str]]:
    """Every problem of a graph, each with the node it is about (None: the whole graph)."""
    native = from_peer(raw)
    try:
        parse_graph(native, references())
    except GraphError as exc:
        return list(zip(exc.nodes, _messages(exc, native), strict=True))
    return []


def _next_number(workflow: Workflow) -> int:
    return (workflow.versions.aggregate(top=Max("version"))["top"] or 0) + 1


def version_create(
    *,
    workflow: Workflow,
    graph: Any,
    name: str | None = None,
    activate: bool = False,
    user: Any = None,
    publish_anyway: bool = False,
) -> WorkflowVersion:
    cleaned = graph_clean(graph) if activate else graph_clean_draft(graph)[0]
    # Test cases run before anything is written or locked (they may take a model's time).
    failing = (
        publish_check(workflow=workflow, graph=cleaned, user=user, anyway=publish_anyway) if activate else []
    )
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        number = _next_number(workflow)
        name = name or f"v{number}"
        if workflow.versions.filter(name=name).exists():
            raise ValidationError(_("A version named %(name)s already exists.") % {"name": name})
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            version=number,
            name=name,
            graph=cleaned,
            created_by=user,
            published_despite=failing,
        )
        if activate:
            _activate(version)
    return version


def version_import(
    *, workflow: Workflow, number: int, name: str | None, graph: Any
) -> tuple[WorkflowVersion, list[str]]:
    """A version brought from another system under its own number (``import_peer``), checked like
    a draft: kept with its problems, checked in full only when it is made the running version."""
    cleaned, problems = graph_clean_draft(graph)
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if workflow.versions.filter(version=number).exists():
            raise ValidationError(_("Version %(number)s already exists.") % {"number": number})
        name = (name or f"v{number}")[:100]
        if workflow.versions.filter(name=name).exists():
            name = f"v{number}"
        if workflow.versions.filter(name=name).exists():
            name = f"v{number} ({_('imported')})"
        version = WorkflowVersion.objects.create(workflow=workflow, version=number, name=name, graph=cleaned)
    return version, problems


def version_update(*, version: WorkflowVersion, graph: Any, user: Any = None) -> WorkflowVersion:
    """Replace a draft's graph; a version that has run the chat is never changed: a new draft is made."""
    if version.was_activated:
        return version_create(workflow=version.workflow, graph=graph, user=user)
    version.graph = graph_clean_draft(graph)[0]
    version.save(update_fields=["graph", "updated_at"])
    return version


def version_activate(
    *, version: WorkflowVersion, user: Any = None, publish_anyway: bool = False
) -> WorkflowVersion:
    """Make ``version`` the one that runs (any version: rolling back is the same call), once it
    passes every check and the workflow's test cases (``workflows.testcases``)."""
    graph_clean(version.graph)  # stores, widgets or models it names may have gone since
    failing = publish_check(workflow=version.workflow, graph=version.graph, user=user, anyway=publish_anyway)
    if failing:
        version.published_despite = failing
        version.save(update_fields=["published_despite", "updated_at"])
    return _activate(version)


def _activate(version: WorkflowVersion) -> WorkflowVersion:
    with transaction.atomic():
        version.was_activated = True
        version.save(update_fields=["was_activated", "updated_at"])
        Workflow.objects.filter(pk=version.workflow_id).update(active_version=version)
    version.workflow.refresh_from_db()
    return version


def workflow_create(
    *, slug: str, display_name: str, description: str | None = None, graph: Any = None, user: Any = None
) -> WorkflowVersion:
    if Workflow.objects.filter(slug=slug).exists():
        raise ValidationError(_("A workflow with this slug already exists."))
    cleaned = graph_clean(graph) if graph is not None else default_graph()
    try:
        with transaction.atomic():
            workflow = Workflow.objects.create(slug=slug, display_name=display_name, description=description)
            version = WorkflowVersion.objects.create(
                workflow=workflow, version=1, name="v1", graph=cleaned, created_by=user
            )
            if graph is not None:
                version_activate(version=version)
    except IntegrityError:  # created concurrently under the same slug
        raise ValidationError(_("A workflow with this slug already exists.")) from None
    return version


def workflow_create_bare(*, slug: str, display_name: str, description: str | None = None) -> Workflow:
    """A workflow with no version yet: its versions come next (``version_import``)."""
    if Workflow.objects.filter(slug=slug).exists():
        raise ValidationError(_("A workflow with this slug already exists."))
    return Workflow.objects.create(slug=slug, display_name=display_name[:200], description=description)


def workflow_slug_for(display_name: str) -> str:
    """A free slug made from a display name ("Mon flux" → mon-flux, then mon-flux-2, …)."""
    base = (slugify(display_name) or "workflow")[:90].strip("-_") or "workflow"
    slug, number = base, 1
    while Workflow.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def workflow_duplicate(
    *, workflow: Workflow, display_name: str | None = None, slug: str | None = None, user: Any = None
) -> WorkflowVersion:
    """A new workflow whose v1 is ``workflow``'s running version (else its latest); running too
    when the source had one running."""
    source = workflow.active_version or workflow.versions.order_by("-version").first()
    name = display_name or _("%(name)s (copy)") % {"name": workflow.display_name}
    slug = slug or workflow_slug_for(name)
    if Workflow.objects.filter(slug=slug).exists():
        raise ValidationError(_("A workflow with this slug already exists."))
    graph = source.graph if source is not None else default_graph()
    with transaction.atomic():
        copy = Workflow.objects.create(slug=slug, display_name=name[:200], description=workflow.description)
        version = WorkflowVersion.objects.create(
            workflow=copy, version=1, name="v1", graph=graph, created_by=user
        )
        if workflow.active_version_id is not None:
            version_activate(version=version)
    return version


def draft_save(*, workflow: Workflow, graph: dict[str, Any] | None) -> Workflow:
    """Keep (or, with None, drop) the editor's draft; it is not validated until published."""
    from django.utils import timezone

    workflow.editor_draft = graph
    workflow.editor_draft_saved_at = timezone.now() if graph is not None else None
    workflow.save(update_fields=["editor_draft", "editor_draft_saved_at", "updated_at"])
    return workflow


def workflow_set_chatkit(*, workflow: Workflow) -> Workflow:
    if workflow.active_version_id is None:
        raise ValidationError(_("This workflow has no active version."))
    with transaction.atomic():
        Workflow.objects.filter(is_chatkit_default=True).exclude(pk=workflow.pk).update(
            is_chatkit_default=False
        )
        Workflow.objects.filter(pk=workflow.pk).update(is_chatkit_default=True)
    workflow.refresh_from_db()
    return workflow


def workflow_delete(*, workflow: Workflow) -> None:
    if workflow.is_chatkit_default:
        raise ValidationError(_("The workflow that runs the chat cannot be deleted."))
    workflow.delete()


def workflow_export(*, workflow: Workflow) -> dict[str, Any]:
    versions = list(workflow.versions.order_by("version"))
    return {
        "format": EXPORT_FORMAT,
        "slug": workflow.slug,
        "display_name": workflow.display_name,
        "description": workflow.description,
        "active_version": workflow.active_version.version if workflow.active_version else None,
        "versions": [{"version": v.version, "name": v.name, "graph": v.graph} for v in versions],
        "cases": [
            {"name": c.name, "messages": c.messages, "state": c.state, "expectations": c.expectations}
            for c in workflow.test_cases.order_by("name", "pk")
        ],
    }


def workflow_import(*, document: Any, slug: str | None = None, user: Any = None) -> Workflow:
    """A new workflow from an export (every version; the exported active one active)."""
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ValidationError(_("Not a workflow export (format %(f)s).") % {"f": EXPORT_FORMAT})
    versions = document.get("versions")
    if not isinstance(versions, list) or not versions:
        raise ValidationError(_("The export has no versions."))
    active_number = document.get("active_version")
    if active_number is not None and (isinstance(active_number, bool) or not isinstance(active_number, int)):
        raise ValidationError(_("active_version must be a version number or null."))
    for index, entry in enumerate(versions):
        number = entry.get("version") if isinstance(entry, dict) else None
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise ValidationError(_("versions[%(n)s].version must be a number.") % {"n": index})
    slug = str(slug or document.get("slug") or "")
    if not SLUG.match(slug):
        raise ValidationError(_("The workflow slug must be 1-100 letters, digits, - or _."))
    if Workflow.objects.filter(slug=slug).exists():
        raise ValidationError(_("A workflow with this slug already exists."))
    with transaction.atomic():
        workflow = Workflow.objects.create(
            slug=slug,
            display_name=str(document.get("display_name") or slug)[:200],
            description=document.get("description") if isinstance(document.get("description"), str) else None,
        )
        created = {}
        for number, entry in enumerate(versions, start=1):
            if not isinstance(entry, dict):
                raise ValidationError(_("versions[%(n)s] is not an object.") % {"n": number - 1})
            version = WorkflowVersion.objects.create(
                workflow=workflow,
                version=number,
                name=str(entry.get("name") or f"v{number}")[:100],
                graph=graph_clean(entry.get("graph")),
                created_by=user,
            )
            created[entry.get("version")] = version
        active = created.get(active_number)
        if active is not None:
            version_activate(version=active)
        # The cases come last: the exported version ran as it was, they guard what comes next.
        cases = document.get("cases") or []
        if not isinstance(cases, list):
            raise ValidationError(_("cases must be a list."))
        for entry in cases:
            if not isinstance(entry, dict):
                raise ValidationError(_("Each case is an object."))
            case_create(
                workflow=workflow, name=entry.get("name"), messages=entry.get("messages"),
                state=entry.get("state"), expectations=entry.get("expectations"),
            )  # fmt: skip
    workflow.refresh_from_db()
    return workflow


def viewports_replace(*, user: Any, entries: list[dict[str, Any]]) -> list[EditorViewport]:
    """The user's saved canvas positions become ``entries`` (the replaced system's builder sends
    them all at once). Entries naming a workflow that is gone are dropped, like a version that is
    not that workflow's (kept without it)."""
    workflows = set(
        Workflow.objects.filter(pk__in={e["workflow_id"] for e in entries}).values_list("pk", flat=True)
    )
    versions = dict(
        WorkflowVersion.objects.filter(
            pk__in={e["version_id"] for e in entries if e.get("version_id")}
        ).values_list("pk", "workflow_id")
    )
    rows: dict[tuple[int, int | None, str], EditorViewport] = {}
    for entry in entries:
        if entry["workflow_id"] not in workflows:
            continue
        version = entry.get("version_id")
        version = version if versions.get(version) == entry["workflow_id"] else None
        key = (entry["workflow_id"], version, entry["device_type"])
        rows[key] = EditorViewport(
            user=user, workflow_id=key[0], version_id=version, device_type=key[2],
            x=entry["x"], y=entry["y"], zoom=entry["zoom"],
        )  # fmt: skip
    with transaction.atomic():
        # The builder sends a PUT on every pan and zoom, often two at once: without this lock
        # both delete, both insert, and the second insert breaks the unique constraint.
        list(type(user).objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        EditorViewport.objects.filter(user=user).delete()
        EditorViewport.objects.bulk_create(rows.values())
    return viewports_of(user=user)
