"""Workflows in the Django admin: the registry, workflows with their versions, run logs per thread."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from core.usage import RefuseDeletingWhatIsUsed
from workflows import services
from workflows.diagram import graph_svg, state_changes
from workflows.graph import GraphError, parse_graph
from workflows.models import AvailableModel, Workflow, WorkflowRun, WorkflowVersion


def _problem(exc: APIException) -> str:
    """The readable text of a service's 400 (a graph's list of problems, or one message)."""
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(errors)
    detail = exc.detail
    return "; ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Exported workflow (JSON)"))
    slug = forms.SlugField(label=_("Slug (default: the exported one)"), max_length=100, required=False)


class AvailableModelForm(forms.ModelForm):
    """The API key is write-only: entered here, sealed for the endpoint, never shown again."""

    base_url = forms.URLField(label=_("base URL"), required=False, max_length=500, assume_scheme="https")

    new_api_key = forms.CharField(
        label=_("Set the API key"),
        required=False,
        max_length=4096,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Replaces the stored key; leave empty to keep it. Sent only to this model's endpoint; "
            "a base URL on another server clears it. Without a key, only an entry without a base URL "
            "uses the server's own OpenAI key."
        ),
    )
    clear_api_key = forms.BooleanField(label=_("Clear the stored key"), required=False)

    class Meta:
        model = AvailableModel
        fields = ("name", "display_name", "description", "provider", "base_url", "supports_reasoning")

    def clean_new_api_key(self) -> str:
        key = self.cleaned_data.get("new_api_key") or ""
        if any(char in key for char in "\r\n\x00"):
            raise forms.ValidationError(_("An API key is one line of text."))
        return key.strip()

    def save(self, commit: bool = True) -> AvailableModel:
        entry = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            entry.api_key_set("")
        elif self.cleaned_data.get("new_api_key"):
            entry.api_key_set(self.cleaned_data["new_api_key"])
        if commit:
            entry.save()
        return entry


@admin.register(AvailableModel)
class AvailableModelAdmin(RefuseDeletingWhatIsUsed, admin.ModelAdmin):
    usage_kind = "model"  # a published workflow's model is listed as protected

    def usage_name(self, obj: Any) -> str:
        return obj.name

    form = AvailableModelForm
    list_display = ("name", "display_name", "provider", "supports_reasoning", "has_key", "updated_at")
    search_fields = ("name", "display_name")
    fields = (
        "name", "display_name", "description", "provider", "base_url", "supports_reasoning", "has_key",
        "new_api_key", "clear_api_key",
    )  # fmt: skip
    readonly_fields = ("has_key",)

    @admin.display(description=_("API key set"), boolean=True)
    def has_key(self, entry: AvailableModel) -> bool:
        return entry.has_api_key


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
    change_list_template = "admin/workflows/workflow/change_list.html"

    def get_urls(self) -> list[Any]:
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="workflows_workflow_import")
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = json.loads(form.cleaned_data["file"].read())
                workflow = services.workflow_import(
                    document=document, slug=form.cleaned_data["slug"] or None, user=request.user
                )
            except (ValueError, UnicodeDecodeError):
                form.add_error("file", _("This file is not JSON."))
            except APIException as exc:
                form.add_error("file", _problem(exc))
            else:
                messages.success(request, _("%(slug)s imported.") % {"slug": workflow.slug})
                return HttpResponseRedirect(reverse("admin:workflows_workflow_change", args=[workflow.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import a workflow"),
            "opts": self.model._meta,
        }
        return render(request, "admin/workflows/import.html", context)

    @admin.action(description=_("Make the selected workflow run the chat"))
    def run_the_chat(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        for workflow in queryset[:1]:
            try:
                services.workflow_set_chatkit(workflow=workflow)
                self.message_user(request, _("%(slug)s now runs the chat.") % {"slug": workflow.slug})
            except APIException as exc:
                self.message_user(request, _problem(exc), messages.ERROR)

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
            self.message_user(request, _problem(exc), messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=_("diagram"))
    def diagram(self, obj: WorkflowVersion) -> str:
        return graph_svg(obj.graph if isinstance(obj.graph, dict) else {})

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
                self.message_user(request, _problem(exc), messages.ERROR)

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

    @admin.display(description=_("state changes"))
    def state_diff(self, obj: WorkflowRun) -> str:
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>→</td><td>{}</td></tr>",
            (
                (path, json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
                for path, old, new in state_changes(obj.state_before or {}, obj.state_after or {})
            ),
        )
        return format_html("<table class='workflow-state'><tbody>{}</tbody></table>", rows) if rows else "—"

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
