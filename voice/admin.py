from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from voice.models import VoiceSettings


@admin.register(VoiceSettings)
class VoiceSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "model", "voice", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not VoiceSettings.objects.exists()  # one row

    def save_model(self, request: HttpRequest, obj: VoiceSettings, form: object, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
