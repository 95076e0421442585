from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.usage import RefuseDeletingWhatIsUsed
from widgets.models import WidgetTemplate
from widgets.renderer import render_widget
from widgets.services import widget_delete, widget_index, widget_save
from widgets.validation import check_definition


class WidgetForm(forms.ModelForm):
    definition = forms.JSONField(
        label=_("Definition"),
        widget=forms.Textarea(attrs={"rows": 28, "class": "ck-json-editor", "spellcheck": "false"}),
        help_text=_("A static widget (root Card, ListView or Basic) or a .widget template document."),
    )

    class Meta:
        model = WidgetTemplate
        fields = ["slug", "title", "description", "definition"]

    def clean_definition(self) -> Any:
        definition = self.cleaned_data["definition"]
        checked = check_definition(definition)
        if not checked.ok:
            # Shown inline under the editor; nothing is saved.
            raise forms.ValidationError(checked.errors)
        return checked.normalized


@admin.register(WidgetTemplate)
class WidgetTemplateAdmin(RefuseDeletingWhatIsUsed, admin.ModelAdmin):
    usage_kind = "widget"  # a published workflow's widget is listed as protected

    def usage_name(self, obj: Any) -> str:
        return obj.slug

    form = WidgetForm
    list_display = ("slug", "title", "kind", "index_status", "updated_at")
    list_filter = ("index_status",)
    search_fields = ("slug", "title", "description")
    readonly_fields = ("index_status", "index_error", "created_at", "updated_at")
    actions = ["reindex"]
    change_form_template = "admin/widgets/widgettemplate/change_form.html"

    @admin.display(description=_("kind"))
    def kind(self, obj: WidgetTemplate) -> str:
        return _("template") if obj.is_template else _("static")

    def save_model(self, request: HttpRequest, obj: WidgetTemplate, form: forms.Form, change: bool) -> None:
        widget_save(widget=obj)

    def delete_model(self, request: HttpRequest, obj: WidgetTemplate) -> None:
        widget_delete(widget=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WidgetTemplate]) -> None:
        for widget in queryset:
            widget_delete(widget=widget)

    @admin.action(description=_("Index the selected widgets again"))
    def reindex(self, request: HttpRequest, queryset: QuerySet[WidgetTemplate]) -> None:
        for widget in queryset:
            widget_index(slug=widget.slug)
        messages.info(request, _("Indexing done; see the index status column."))

    def get_urls(self) -> list[Any]:
        preview = path(
            "preview/",
            self.admin_site.admin_view(require_POST(self.preview_view)),
            name="widgets_widgettemplate_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """Live preview for the editor (session + CSRF, like the rest of the admin)."""
        try:
            definition = json.loads(request.body or b"null")
        except json.JSONDecodeError as exc:
            return JsonResponse(
                {"ok": False, "errors": [f"definition: invalid JSON (line {exc.lineno}: {exc.msg})"]}
            )
        checked = check_definition(definition)
        if not checked.ok:
            return JsonResponse({"ok": False, "errors": checked.errors})
        return JsonResponse({"ok": True, "html": str(render_widget(checked.rendered))})
