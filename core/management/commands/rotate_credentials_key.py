"""Re-encrypt every stored credential with the first key of CREDENTIALS_KEY.

Rotation: put the new key first, keep the old one after it (``CREDENTIALS_KEY=new,old``),
restart, run this command, then remove the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core.credentials import rotate, sealed_fields


class Command(BaseCommand):
    help = "Re-encrypt the stored credentials (MCP server headers, model API keys) with the first key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for model, field in sealed_fields():
                for row in model.objects.select_for_update().exclude(**{field: ""}):
                    model.objects.filter(pk=row.pk).update(**{field: rotate(getattr(row, field))})
                    count += 1
        self.stdout.write(f"Re-encrypted {count} credentials with the first key of CREDENTIALS_KEY.")
