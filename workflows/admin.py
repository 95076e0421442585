"""Workflows in the Django admin: the registry, workflows with their versions, run logs per thread."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from workflows import services
from workflows.graph import GraphError, parse_graph
from workflows.models import AvailableModel, Workflow, WorkflowRun, WorkflowVersion


@admin.register(AvailableModel)
class AvailableModelAdmin(admin.ModelAdmin):
    list_display = ("name", "display_name", "provider", "supports_reasoning", "updated_at")
    search_fields = ("name", "display_name")


class VersionInline(admin.TabularInline):
    model = WorkflowVersion
    fields = ("version", "name", "was_activated", "created_by", "created_at", "link")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("open"))
    def link(self, obj: WorkflowVersion) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:workflows_workflowversion_change", args=[obj.pk]),
            _("graph"),
        )


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ("slug", "display_name", "active_version", "is_chatkit_default", "updated_at")
    fields = (
        "slug",
        "display_name",
        "description",
        "active_version",
        "is_chatkit_default",
        "apply_to_running_threads",
    )
    readonly_fields = ("active_version", "is_chatkit_default")
    inlines = [VersionInline]
    actions = ["run_the_chat", "export_json"]

    @admin.action(description=_("Make the selected workflow run the chat"))
    def run_the_chat(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        for workflow in queryset[:1]:
            try:
                services.workflow_set_chatkit(workflow=workflow)
                self.message_user(request, _("%(slug)s now runs the chat.") % {"slug": workflow.slug})
            except APIException as exc:
                self.message_user(request, str(exc.detail), messages.ERROR)

    @admin.action(description=_("Export as JSON"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> HttpResponse:
        documents = [services.workflow_export(workflow=workflow) for workflow in queryset]
        body = json.dumps(documents[0] if len(documents) == 1 else documents, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="workflows.json"'
        return response


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ("workflow", "version", "name", "was_activated", "created_at")
    list_filter = ("workflow",)
    fields = ("workflow", "version", "name", "was_activated", "diagram", "validation", "graph")
    readonly_fields = ("workflow", "version", "was_activated", "diagram", "validation")
    actions = ["activate", "duplicate"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: WorkflowVersion | None = None
    ) -> tuple[str, ...]:
        # A version that ran the chat is immutable; edit a duplicate.
        if obj is not None and obj.was_activated:
            return (*self.readonly_fields, "name", "graph")
        return self.readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: WorkflowVersion, form: Any, change: bool) -> None:
        try:
            obj.graph = services.graph_clean(obj.graph)
        except APIException as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=_("diagram"))
    def diagram(self, obj: WorkflowVersion) -> str:
        """The graph as the steps each node leads to, from start."""
        kinds = {node["slug"]: node["kind"] for node in obj.graph.get("nodes", [])}
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code> <small>{}</small></td><td>→{}</td>"
            "<td><code>{}</code> <small>{}</small></td></tr>",
            (
                (
                    e["source"],
                    kinds.get(e["source"], "?"),
                    f" [{e['condition']}]" if e.get("condition") else "",
                    e["target"],
                    kinds.get(e["target"], "?"),
                )
                for e in obj.graph.get("edges", [])
            ),
        )
        return format_html("<table class='workflow-diagram'><tbody>{}</tbody></table>", rows)

    @admin.display(description=_("validation"))
    def validation(self, obj: WorkflowVersion) -> str:
        try:
            parse_graph(obj.graph, services.references())
        except GraphError as exc:
            return format_html(
                "<ul class='errorlist'>{}</ul>",
                format_html_join("", "<li>{}</li>", ((e,) for e in exc.errors)),
            )
        return str(_("Valid."))

    @admin.action(description=_("Activate the selected version (also rolls back)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[WorkflowVersion]) -> None:
        for version in queryset[:1]:
            try:
                services.version_activate(version=version)
                self.message_user(request, _("%(v)s is active.") % {"v": version})
            except APIException as exc:
                self.message_user(request, str(getattr(exc, "detail", exc)), messages.ERROR)

    @admin.action(description=_("Duplicate as a new draft"))
    def duplicate(self, request: HttpRequest, queryset: QuerySet[WorkflowVersion]) -> None:
        for version in queryset:
            services.version_create(workflow=version.workflow, graph=version.graph, user=request.user)


@admin.register(WorkflowRun)
class WorkflowRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "thread", "version", "trigger", "status")
    list_filter = ("status", "trigger")
    search_fields = ("thread__id",)
    fields = (
        "thread",
        "version",
        "trigger",
        "status",
        "started_at",
        "ended_at",
        "error",
        "step_table",
        "state_before",
        "state_after",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("steps"))
    def step_table(self, obj: WorkflowRun) -> str:
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    s.get("node"),
                    s.get("kind"),
                    s.get("started_at", "")[11:23],
                    s.get("ended_at", "")[11:23],
                    s.get("input", ""),
                    s.get("output", ""),
                    s.get("error", ""),
                )
                for s in obj.steps
            ),
        )
        return format_html("<table class='workflow-steps'><tbody>{}</tbody></table>", rows)
