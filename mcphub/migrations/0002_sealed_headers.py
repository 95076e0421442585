"""MCP server headers become sealed credentials (core.credentials).

Until now a header named an environment variable, any variable — SECRET_KEY included. Each
entry's headers are carried over with the values their variables hold now, sealed for the
entry's URL, except variables the project itself reads (its own secrets and settings), which
are dropped: those headers must be entered again in the admin.
"""

import logging
import os

from django.db import migrations, models

logger = logging.getLogger("chatkit.mcp")


def seal_headers(apps, schema_editor):
    from core.credentials import project_variables, seal

    McpServer = apps.get_model("mcphub", "McpServer")
    refused = project_variables()
    for entry in McpServer.objects.all():
        references = entry.headers if isinstance(entry.headers, dict) else {}
        values = {}
        for header, variable in references.items():
            if not isinstance(variable, str) or variable in refused or not os.environ.get(variable):
                logger.warning(
                    "MCP server %s: header %s dropped (its variable is the server's own or unset); "
                    "enter it again in the admin",
                    entry.name,
                    header,
                )
                continue
            values[header] = os.environ[variable]
        if values and entry.url:
            entry.sealed_headers = seal(values, url=entry.url)
            entry.header_names = sorted(values)
            entry.save(update_fields=["sealed_headers", "header_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("mcphub", "0001_mcp_server"),
    ]

    operations = [
        migrations.AddField(
            model_name="mcpserver",
            name="header_names",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="headers set"),
        ),
        migrations.AddField(
            model_name="mcpserver",
            name="sealed_headers",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="headers (encrypted)"),
        ),
        migrations.RunPython(seal_headers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="mcpserver",
            name="headers",
        ),
    ]
