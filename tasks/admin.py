from django.contrib import admin

from tasks.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "priority", "due_date", "completed", "updated_at")
    list_filter = ("completed", "priority")
    search_fields = ("title", "owner__email")
    raw_id_fields = ("owner",)
