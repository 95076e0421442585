"""Today's assistant as a workflow: start → one agent with the configured instructions and tools → end.

The agent node sets no instructions, model or tools, so it keeps following the settings
(CHATKIT_AGENT_INSTRUCTIONS, the configured model, every registered tool): nothing changes for
an existing install until an admin edits the workflow.
"""

from django.db import migrations

DEFAULT_GRAPH = {
    "nodes": [
        {"slug": "start", "kind": "start", "display_name": "Start", "is_enabled": True, "parameters": {},
         "metadata": {"position": {"x": 0, "y": 0}}},
        {"slug": "assistant", "kind": "agent", "display_name": "Assistant", "is_enabled": True, "parameters": {},
         "metadata": {"position": {"x": 240, "y": 0}}},
        {"slug": "end", "kind": "end", "display_name": "End", "is_enabled": True, "parameters": {},
         "metadata": {"position": {"x": 480, "y": 0}}},
    ],
    "edges": [
        {"source": "start", "target": "assistant", "condition": None, "metadata": {}},
        {"source": "assistant", "target": "end", "condition": None, "metadata": {}},
    ],
}  # fmt: skip


def create_default(apps, schema_editor):
    Workflow = apps.get_model("workflows", "Workflow")
    WorkflowVersion = apps.get_model("workflows", "WorkflowVersion")
    if Workflow.objects.filter(slug="assistant").exists():
        return
    workflow = Workflow.objects.create(
        slug="assistant",
        display_name="Assistant",
        description="The default assistant: one agent with the configured instructions and tools.",
        is_chatkit_default=not Workflow.objects.filter(is_chatkit_default=True).exists(),
    )
    version = WorkflowVersion.objects.create(
        workflow=workflow, version=1, name="v1", graph=DEFAULT_GRAPH, was_activated=True
    )
    workflow.active_version = version
    workflow.save(update_fields=["active_version"])


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
