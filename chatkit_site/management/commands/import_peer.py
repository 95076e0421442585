"""Move a deployment of the replaced system (its PostgreSQL) into this one.

    python manage.py import_peer --database-url postgresql://user:pass@host/db [--dry-run]

Read only on the source; idempotent (what is already here is skipped, never overwritten, so a
second run has nothing to do and an interrupted one continues); prints what it could not carry.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chatkit_site.peer.basics import models_import, users_import, voice_import, widgets_import
from chatkit_site.peer.flows import workflows_import
from chatkit_site.peer.history import threads_import
from chatkit_site.peer.knowledge import stores_import
from chatkit_site.peer.report import Report
from chatkit_site.peer.source import SourceError, source_open
from vectorstores.models import VectorStore


class Command(BaseCommand):
    help = (
        "Import users (with their passwords), models, voice settings, widgets, vector stores with their "
        "documents, workflows with their versions and chat threads from the replaced system's database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url", required=True, help="The replaced system's PostgreSQL (postgresql://…)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be imported; write nothing."
        )
        parser.add_argument(
            "--store-access",
            choices=[VectorStore.ReadAccess.USERS, VectorStore.ReadAccess.ADMINS],
            default=VectorStore.ReadAccess.USERS,
            help="Who may read the imported stores (default: everyone signed in, as in the replaced system).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=32, help="Documents embedded and written together."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = Report(dry_run=options["dry_run"])
        try:
            with source_open(options["database_url"]) as source:
                users = users_import(source, report)
                models_import(source, report)
                voice_import(source, report)
                widgets_import(source, report)
                stores_import(
                    source,
                    report,
                    read_access=options["store_access"],
                    batch_size=max(1, options["batch_size"]),
                )
                workflows_import(source, report)
                threads_import(source, report, users=users)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(report.lines()))
