"""Registry models keep their own sealed API key instead of naming an environment variable.

Until now an entry named any variable (JWT_SIGNING_KEY included) and sent it to its base URL.
Each entry's key is carried over from the variable it names, sealed for the entry's endpoint,
unless that variable is one the project itself reads (OPENAI_API_KEY, the signing keys…): such
an entry keeps no key, so it goes on using the server's key only when it has no base URL.
"""

import logging
import os

from django.conf import settings
from django.db import migrations, models

logger = logging.getLogger("chatkit.workflows")


def seal_keys(apps, schema_editor):
    from core.credentials import project_variables, seal

    AvailableModel = apps.get_model("workflows", "AvailableModel")
    refused = project_variables()
    for entry in AvailableModel.objects.exclude(api_key_env=""):
        variable = entry.api_key_env
        if variable in refused or not os.environ.get(variable):
            logger.warning("Model %s: key variable %s not carried over; enter its key in the admin",
                           entry.name, variable)  # fmt: skip
            continue
        url = entry.base_url or settings.OPENAI_BASE_URL or "https://api.openai.com/v1"
        entry.sealed_api_key = seal({"key": os.environ[variable]}, url=url)
        entry.save(update_fields=["sealed_api_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_editor_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="availablemodel",
            name="sealed_api_key",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="API key (encrypted)"),
        ),
        migrations.RunPython(seal_keys, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="availablemodel",
            name="api_key_env",
        ),
    ]
