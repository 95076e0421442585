"""REST endpoints of workflows: versions, production, import/export, validation, drafts
(CONTRACT.md "Workflows")."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from workflows import services
from workflows.dialect import DIALECT_NATIVE, DIALECT_PEER, from_peer, graph_dialect, to_peer
from workflows.models import Workflow, WorkflowVersion
from workflows.problems import problem_text
from workflows.selectors import run_detail, run_summary, runs_of, tool_choices, viewports_of


class WorkflowSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    display_name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    active_version_id = serializers.IntegerField(allow_null=True)
    active_version_number = serializers.IntegerField(allow_null=True)
    is_chatkit_default = serializers.BooleanField()
    versions_count = serializers.IntegerField()

    class Meta:
        ref_name = "WorkflowSummary"


class VersionSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    workflow_id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    is_active = serializers.BooleanField()
    created_by = serializers.EmailField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_despite = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "WorkflowVersionSummary"


class DefinitionOutput(VersionSummaryOutput):
    workflow_slug = serializers.CharField()
    workflow_display_name = serializers.CharField()
    workflow_is_chatkit_default = serializers.BooleanField()
    graph = serializers.JSONField()

    class Meta:
        ref_name = "WorkflowDefinition"


def summary(workflow: Workflow) -> dict[str, Any]:
    active = workflow.active_version
    count = getattr(workflow, "versions_count", None)
    return {
        "id": workflow.pk,
        "slug": workflow.slug,
        "display_name": workflow.display_name,
        "description": workflow.description,
        "created_at": workflow.created_at,
        "updated_at": workflow.updated_at,
        "active_version_id": active.pk if active else None,
        "active_version_number": active.version if active else None,
        "is_chatkit_default": workflow.is_chatkit_default,
        "versions_count": count if count is not None else workflow.versions.count(),
    }


def version_summary(version: WorkflowVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "workflow_id": version.workflow_id,
        "name": version.name,
        "version": version.version,
        "is_active": version.workflow.active_version_id == version.pk,
        "created_by": version.created_by.email if version.created_by else None,
        "published_despite": version.published_despite or [],
        "created_at": version.created_at,
        "updated_at": version.updated_at,
    }


def definition(version: WorkflowVersion, *, dialect: str | None = None) -> dict[str, Any]:
    """A version with its graph in the dialect it was written in (``workflows.dialect``), or the
    one asked for (``?dialect=peer|chatkit``)."""
    workflow = version.workflow
    stamps = {"created_at": version.created_at, "updated_at": version.updated_at}
    graph = version.graph
    if (dialect or graph_dialect(graph)) == DIALECT_PEER:
        graph = to_peer(graph)
    return {
        **version_summary(version),
        "workflow_slug": workflow.slug,
        "workflow_display_name": workflow.display_name,
        "workflow_is_chatkit_default": workflow.is_chatkit_default,
        "graph": {
            "nodes": [
                {"id": index + 1, **node, **stamps} for index, node in enumerate(graph.get("nodes", []))
            ],
            "edges": [
                {"id": index + 1, **edge, **stamps} for index, edge in enumerate(graph.get("edges", []))
            ],
        },
    }


def asked_dialect(request: Request) -> str | None:
    dialect = request.query_params.get("dialect")
    if dialect is None:
        return None
    if dialect not in (DIALECT_NATIVE, DIALECT_PEER):
        raise ValidationError({"dialect": [_("Use chatkit or peer.")]})
    return dialect


def saved(version: WorkflowVersion) -> dict[str, Any]:
    """A version just written: its definition, and the problems of a work in progress kept in the
    replaced system's dialect (checked in full when it is made the running version)."""
    body = definition(version)
    if graph_dialect(version.graph) == DIALECT_PEER:
        body["problems"] = [message for _slug, message in services.graph_problems(version.graph)]
    return body


def get_workflow(workflow_id: int) -> Workflow:
    workflow = Workflow.objects.select_related("active_version").filter(pk=workflow_id).first()
    if workflow is None:
        raise NotFound(_("Workflow not found."))
    return workflow


def get_version(workflow_id: int, version_id: int) -> WorkflowVersion:
    version = (
        WorkflowVersion.objects.select_related("workflow")
        .filter(pk=version_id, workflow_id=workflow_id)
        .first()
    )
    if version is None:
        raise NotFound(_("Workflow version not found."))
    return version


class GraphInput(serializers.Serializer):
    graph = serializers.JSONField()

    class Meta:
        ref_name = "WorkflowGraphInput"


class WorkflowListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        # Without a slug, one is made from the display name (the replaced system's "New" sends none).
        slug = serializers.SlugField(max_length=100, required=False)
        display_name = serializers.CharField(max_length=200)
        description = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=5000
        )
        graph = serializers.JSONField(required=False, allow_null=True)  # null: the default graph

        class Meta:
            ref_name = "WorkflowCreateInput"

    @extend_schema(responses=WorkflowSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        from django.db.models import Count

        workflows = Workflow.objects.select_related("active_version").annotate(
            versions_count=Count("versions")
        )
        return Response([summary(workflow) for workflow in workflows])

    @extend_schema(request=Input, responses={201: DefinitionOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["slug"] = values.get("slug") or services.workflow_slug_for(values["display_name"])
        version = services.workflow_create(**values, user=request.user)
        return Response(definition(version), status=status.HTTP_201_CREATED)


class DuplicateApi(APIView):
    """A new workflow from this one's running version (else its latest), under a new name."""

    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        display_name = serializers.CharField(max_length=200, required=False)
        slug = serializers.SlugField(max_length=100, required=False)

        class Meta:
            ref_name = "WorkflowDuplicateInput"

    @extend_schema(request=Input, responses={201: DefinitionOutput})
    def post(self, request: Request, workflow_id: int) -> Response:
        source = get_workflow(workflow_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.workflow_duplicate(
            workflow=source,
            display_name=data.validated_data.get("display_name"),
            slug=data.validated_data.get("slug"),
            user=request.user,
        )
        return Response(definition(version), status=status.HTTP_201_CREATED)


class WorkflowDetailApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        display_name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, max_length=5000
        )
        apply_to_running_threads = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "WorkflowUpdateInput"

    @extend_schema(responses=WorkflowSummaryOutput)
    def get(self, request: Request, workflow_id: int) -> Response:
        return Response(summary(get_workflow(workflow_id)))

    @extend_schema(request=Input, responses=WorkflowSummaryOutput)
    def patch(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(workflow, name, value)
        workflow.save(update_fields=[*data.validated_data, "updated_at"])
        return Response(summary(workflow))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workflow_id: int) -> Response:
        services.workflow_delete(workflow=get_workflow(workflow_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        graph = serializers.JSONField()
        name = serializers.CharField(required=False, allow_blank=False, max_length=100)
        mark_as_active = serializers.BooleanField(required=False, default=False)
        # Activate even when test cases fail (their names are recorded on the version).
        publish_anyway = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "WorkflowVersionCreateInput"

    @extend_schema(responses=VersionSummaryOutput(many=True))
    def get(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        versions = workflow.versions.select_related("created_by").order_by("-version")
        for version in versions:
            version.workflow = workflow
        return Response([version_summary(version) for version in versions])

    @extend_schema(request=Input, responses={201: DefinitionOutput})
    def post(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(
            workflow=workflow,
            graph=data.validated_data["graph"],
            name=data.validated_data.get("name"),
            activate=data.validated_data["mark_as_active"],
            user=request.user,
            publish_anyway=data.validated_data["publish_anyway"],
        )
        version.workflow.refresh_from_db()
        return Response(saved(version), status=status.HTTP_201_CREATED)


class VersionDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=DefinitionOutput)
    def get(self, request: Request, workflow_id: int, version_id: int) -> Response:
        return Response(definition(get_version(workflow_id, version_id), dialect=asked_dialect(request)))

    @extend_schema(request=GraphInput, responses=DefinitionOutput)
    def put(self, request: Request, workflow_id: int, version_id: int) -> Response:
        version = get_version(workflow_id, version_id)
        data = GraphInput(data=request.data)
        data.is_valid(raise_exception=True)
        written = services.version_update(
            version=version, graph=data.validated_data["graph"], user=request.user
        )
        written.workflow.refresh_from_db()
        return Response(saved(written))


class ProductionApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        version_id = serializers.IntegerField()
        publish_anyway = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "WorkflowProductionInput"

    @extend_schema(request=Input, responses=DefinitionOutput)
    def post(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        version = get_version(workflow.pk, data.validated_data["version_id"])
        services.version_activate(
            version=version, user=request.user, publish_anyway=data.validated_data["publish_anyway"]
        )
        return Response(definition(version))


class ChatkitWorkflowApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        workflow_id = serializers.IntegerField()

        class Meta:
            ref_name = "WorkflowChatkitInput"

    @extend_schema(request=Input, responses=WorkflowSummaryOutput)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        workflow = services.workflow_set_chatkit(workflow=get_workflow(data.validated_data["workflow_id"]))
        return Response(summary(workflow))


def chatkit_workflow_or_404() -> Workflow:
    """The workflow that runs the chat, with its active version (404 when none does)."""
    workflow = Workflow.objects.select_related("active_version").filter(is_chatkit_default=True).first()
    if workflow is None or workflow.active_version is None:
        raise NotFound(_("No workflow runs the chat."))
    return workflow


class CurrentWorkflowApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=DefinitionOutput, operation_id="workflows_current_retrieve")
    def get(self, request: Request) -> Response:
        workflow = chatkit_workflow_or_404()
        version = workflow.active_version
        version.workflow = workflow
        return Response(definition(version))

    @extend_schema(request=GraphInput, responses=DefinitionOutput, operation_id="workflows_current_update")
    def put(self, request: Request) -> Response:
        data = GraphInput(data=request.data)
        data.is_valid(raise_exception=True)
        workflow, graph = chatkit_workflow_or_404(), data.validated_data["graph"]
        version = services.version_create(workflow=workflow, graph=graph, activate=True, user=request.user)
        version.workflow.refresh_from_db()
        return Response(definition(version))


class ExportApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, workflow_id: int) -> Response:
        return Response(services.workflow_export(workflow=get_workflow(workflow_id)))


class ImportApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        document = serializers.JSONField()
        slug = serializers.SlugField(max_length=100, required=False)

        class Meta:
            ref_name = "WorkflowImportInput"

    class GraphImportInput(serializers.Serializer):
        """The replaced system's import: one graph, into a workflow (``workflow_id``) or a new one."""

        graph = serializers.JSONField()
        workflow_id = serializers.IntegerField(required=False, allow_null=True)
        slug = serializers.SlugField(max_length=100, required=False, allow_null=True)
        display_name = serializers.CharField(max_length=200, required=False, allow_null=True)
        description = serializers.CharField(required=False, allow_null=True, allow_blank=True)
        version_name = serializers.CharField(max_length=100, required=False, allow_null=True)
        mark_as_active = serializers.BooleanField(required=False, allow_null=True, default=False)

        class Meta:
            ref_name = "WorkflowGraphImportInput"

    @extend_schema(request=Input, responses={201: WorkflowSummaryOutput})
    def post(self, request: Request) -> Response:
        if isinstance(request.data, dict) and "graph" in request.data and "document" not in request.data:
            return self._graph_import(request)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        workflow = services.workflow_import(
            document=data.validated_data["document"], slug=data.validated_data.get("slug"), user=request.user
        )
        return Response(summary(workflow), status=status.HTTP_201_CREATED)

    def _graph_import(self, request: Request) -> Response:
        data = self.GraphImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activate = bool(values.get("mark_as_active"))
        if values.get("workflow_id") is not None:
            workflow = get_workflow(values["workflow_id"])
            version = services.version_create(
                workflow=workflow, graph=values["graph"], name=values.get("version_name"),
                activate=activate, user=request.user,
            )  # fmt: skip
        else:
            name = values.get("display_name") or values.get("slug") or _("Imported workflow")
            version = services.workflow_create(
                slug=values.get("slug") or services.workflow_slug_for(name), display_name=name,
                description=values.get("description") or None, graph=values["graph"], user=request.user,
            )  # fmt: skip
        version.refresh_from_db()
        return Response(definition(version), status=status.HTTP_201_CREATED)


class VersionExportApi(APIView):
    """One version's graph, as the replaced system's builder exports it."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, workflow_id: int, version_id: int) -> Response:
        return Response(
            definition(get_version(workflow_id, version_id), dialect=asked_dialect(request))["graph"]
        )


class GraphProblemOutput(serializers.Serializer):
    node = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    text = serializers.CharField(help_text="The problem in plain words, in the request's language.")

    class Meta:
        ref_name = "WorkflowGraphProblem"


class ValidateApi(APIView):
    """Check a graph without saving it (the editor calls this as the admin edits)."""

    permission_classes = [IsAdmin]

    class Output(serializers.Serializer):
        valid = serializers.BooleanField()
        errors = GraphProblemOutput(many=True)

        class Meta:
            ref_name = "WorkflowValidation"

    @extend_schema(request=GraphInput, responses=Output)
    def post(self, request: Request) -> Response:
        data = GraphInput(data=request.data)
        data.is_valid(raise_exception=True)
        graph = data.validated_data["graph"]
        problems = services.graph_problems(graph)
        native = from_peer(graph)
        errors = [
            {"node": n, "message": m, "text": problem_text(message=m, node=n, graph=native)}
            for n, m in problems
        ]
        return Response({"valid": not problems, "errors": errors})


class DraftApi(APIView):
    """The editor's autosaved work in progress: any JSON graph shape, checked only when published."""

    permission_classes = [IsAdmin]

    class Output(serializers.Serializer):
        graph = serializers.JSONField()
        saved_at = serializers.DateTimeField(allow_null=True)
        based_on_version_id = serializers.IntegerField(allow_null=True)

        class Meta:
            ref_name = "WorkflowEditorDraft"

    @extend_schema(responses=Output)
    def get(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        if workflow.editor_draft is not None:
            return Response(
                {
                    "graph": workflow.editor_draft,
                    "saved_at": workflow.editor_draft_saved_at,
                    "based_on_version_id": None,
                }
            )
        version = workflow.active_version or workflow.versions.order_by("-version").first()
        return Response(
            {
                "graph": version.graph if version else {},
                "saved_at": None,
                "based_on_version_id": version and version.pk,
            }
        )

    @extend_schema(request=GraphInput, responses=Output)
    def put(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = GraphInput(data=request.data)
        data.is_valid(raise_exception=True)
        graph = data.validated_data["graph"]
        if not isinstance(graph, dict) or not all(
            isinstance(graph.get(k, []), list) for k in ("nodes", "edges")
        ):
            raise ValidationError(_("A graph is an object with lists of nodes and edges."))
        saved = services.draft_save(workflow=workflow, graph=graph)
        return Response(
            {
                "graph": saved.editor_draft,
                "saved_at": saved.editor_draft_saved_at,
                "based_on_version_id": None,
            }
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workflow_id: int) -> Response:
        services.draft_save(workflow=get_workflow(workflow_id), graph=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ViewportsApi(APIView):
    """The canvas positions the replaced system's builder saves per admin (its own route)."""

    permission_classes = [IsAdmin]

    class Entry(serializers.Serializer):
        workflow_id = serializers.IntegerField(min_value=1)
        version_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        device_type = serializers.ChoiceField(choices=["desktop", "mobile"], default="desktop")
        x = serializers.FloatField()
        y = serializers.FloatField()
        zoom = serializers.FloatField()

        class Meta:
            ref_name = "WorkflowViewportEntry"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not all(math.isfinite(attrs[name]) for name in ("x", "y", "zoom")):
                raise ValidationError(_("x, y and zoom must be finite numbers."))
            return attrs

    class Input(serializers.Serializer):
        viewports = serializers.ListField(max_length=1000, default=list)

        class Meta:
            ref_name = "WorkflowViewportReplace"

    class OutputEntry(serializers.Serializer):
        workflow_id = serializers.IntegerField()
        version_id = serializers.IntegerField(allow_null=True)
        device_type = serializers.CharField()
        x = serializers.FloatField()
        y = serializers.FloatField()
        zoom = serializers.FloatField()
        updated_at = serializers.DateTimeField()

        class Meta:
            ref_name = "WorkflowViewport"

    class Output(serializers.Serializer):
        viewports = serializers.ListField()

        class Meta:
            ref_name = "WorkflowViewportList"

    def _out(self, rows: list[Any]) -> Response:
        return Response({"viewports": [self.OutputEntry(row).data for row in rows]})

    @extend_schema(responses=Output)
    def get(self, request: Request) -> Response:
        return self._out(viewports_of(user=request.user))

    @extend_schema(request=Input, responses=Output)
    def put(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        entries = self.Entry(data=data.validated_data["viewports"], many=True)
        entries.is_valid(raise_exception=True)
        return self._out(services.viewports_replace(user=request.user, entries=list(entries.validated_data)))


class RunListApi(APIView):
    """A workflow's recent runs in production (newest first): the editor's Runs panel."""

    permission_classes = [IsAdmin]

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        operation_id="workflows_runs_list",
        parameters=[
            OpenApiParameter("limit", int, description="How many runs, 1 to 200 (50 by default)."),
            OpenApiParameter("status", str, description="Only runs with this status."),
        ],
    )
    def get(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        try:
            limit = min(max(int(request.query_params.get("limit", 50)), 1), 200)
        except ValueError:
            raise ValidationError({"limit": [_("A number from 1 to 200.")]}) from None
        status_filter = request.query_params.get("status") or None
        return Response(runs_of(workflow_id=workflow.pk, limit=limit, status=status_filter))


class RunDetailApi(APIView):
    """One run: each step's input, output, error and the state after it."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, workflow_id: int, run_id: int) -> Response:
        run = run_detail(workflow_id=workflow_id, run_id=run_id)
        if run is None:
            raise NotFound(_("Run not found."))
        return Response(
            {
                **run_summary(run, user_email=run.thread.owner.email if run.thread.owner_id else None),
                "version": run.version.version,
                "steps": run.steps,
                "state_before": run.state_before,
                "state_after": run.state_after,
            }
        )


class ToolChoiceOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()

    class Meta:
        ref_name = "WorkflowToolChoice"


class ToolChoicesApi(APIView):
    """What the editor's tool pickers offer an agent step: MCP servers and registered tools."""

    permission_classes = [IsAdmin]

    class Output(serializers.Serializer):
        mcp_servers = ToolChoiceOutput(many=True)
        registered_tools = ToolChoiceOutput(many=True)

        class Meta:
            ref_name = "WorkflowToolChoices"

    @extend_schema(responses=Output, operation_id="workflows_tool_choices")
    def get(self, request: Request) -> Response:
        return Response(tool_choices())
