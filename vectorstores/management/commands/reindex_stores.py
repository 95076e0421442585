"""Re-index, now and in this process, the stores an older pipeline wrote (the worker does it
in the background after ``migrate``; this is for installations that run no worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vectorstores.models import INDEX_VERSION, VectorStore
from vectorstores.tasks import store_reindex_run


class Command(BaseCommand):
    help = "Re-index the knowledge stores written by an older chunking/indexing pipeline."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slugs", nargs="*", help="only these stores (default: every outdated store)")

    def handle(self, *args: Any, slugs: list[str], **options: Any) -> None:
        stores = VectorStore.objects.filter(index_version__lt=INDEX_VERSION).order_by("slug")
        if slugs:
            stores = stores.filter(slug__in=slugs)
        for store in stores:
            done = store_reindex_run(store.pk)
            self.stdout.write(f"{store.slug}: {done} documents re-indexed")
        if not stores:
            self.stdout.write("Every store is up to date.")
