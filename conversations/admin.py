from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from conversations.models import Attachment, ChatConfig, Feedback, Thread


def item_text(payload: dict[str, Any]) -> str:
    """A readable line for an item of any type."""
    kind = payload.get("type")
    if kind in ("user_message", "assistant_message"):
        return " ".join(part.get("text", "") for part in payload.get("content", []))
    if kind == "client_tool_call":
        arguments, output = json.dumps(payload.get("arguments")), json.dumps(payload.get("output"))
        return f"{payload.get('name')}({arguments}) → {output}"
    if kind in ("hidden_context_item", "sdk_hidden_context"):
        return str(payload.get("content"))
    return json.dumps(payload, ensure_ascii=False)[:500]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title_or_id", "owner", "item_count", "created_at", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("id", "title", "owner__email")
    list_filter = ("created_at",)
    readonly_fields = (
        "id",
        "owner",
        "title",
        "status",
        "metadata",
        "created_at",
        "updated_at",
        "workflow_runs",
        "transcript",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Thread]:
        return super().get_queryset(request).annotate(_item_count=Count("items"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Thread | None = None) -> bool:
        return False  # read-only: conversations are the users' record

    @admin.display(description=_("title"), ordering="title")
    def title_or_id(self, obj: Thread) -> str:
        return obj.title or obj.id

    @admin.display(description=_("items"), ordering="_item_count")
    def item_count(self, obj: Thread) -> int:
        return obj._item_count

    @admin.display(description=_("workflow runs"))
    def workflow_runs(self, obj: Thread) -> str:
        from django.urls import reverse
        from django.utils.http import urlencode

        count = obj.workflow_runs.count()
        url = reverse("admin:workflows_workflowrun_changelist") + "?" + urlencode({"q": obj.id})
        return format_html('<a href="{}">{}</a>', url, _("%(count)s run log(s)") % {"count": count})

    @admin.display(description=_("transcript"))
    def transcript(self, obj: Thread) -> str:
        items = obj.items.order_by("created_at", "sequence")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td style='white-space:pre-wrap'>{}</td></tr>",
            (
                (item.created_at.strftime("%Y-%m-%d %H:%M:%S"), item.item_type, item_text(item.payload))
                for item in items
            ),
        )
        return format_html("<table class='transcript'><tbody>{}</tbody></table>", rows)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "mime_type", "size", "thread", "created_at")
    list_select_related = ("owner", "thread")
    search_fields = ("id", "name", "owner__email")
    readonly_fields = ("id", "owner", "thread", "name", "mime_type", "size", "file", "payload", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("kind", "user", "item", "created_at")
    list_filter = ("kind",)
    list_select_related = ("user", "item")
    readonly_fields = ("item", "user", "kind", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ChatConfig)
class ChatConfigAdmin(admin.ModelAdmin):
    list_display = ("__str__", "greeting", "color_scheme", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ChatConfig.objects.exists()  # one row
