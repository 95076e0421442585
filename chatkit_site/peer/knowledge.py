"""JSON vector stores and their documents, re-embedded here with this server's embedder.

Resumable: documents are written a batch at a time (one transaction each) and a document already
here with the same content is skipped, so an interrupted import continues where it stopped.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from rest_framework.exceptions import APIException
from tqdm import tqdm

from chatkit_site.peer.basics import WIDGET_STORE
from chatkit_site.peer.report import Report, Tally
from chatkit_site.peer.source import Source
from vectorstores.ingestion import documents_ingest
from vectorstores.models import VectorStore
from vectorstores.services import store_create

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
_FINGERPRINT = "md5(coalesce({doc}::text, '') || '|' || coalesce({meta}::text, ''))"


def stores_import(source: Source, report: Report, *, read_access: str, batch_size: int = 32) -> None:
    stores = report.tally("vector stores")
    documents = report.tally("documents")
    rows = source.rows("SELECT * FROM json_vector_stores WHERE slug <> %s ORDER BY id", (WIDGET_STORE,))
    for row in rows:
        stores.found += 1
        slug = str(row["slug"])
        if not _SLUG.match(slug):
            stores.skip(slug, "not a valid slug here (letters, digits, - and _; at most 100)")
            continue
        store = VectorStore.objects.filter(slug=slug).first()
        if store is not None:
            stores.present += 1
        else:
            stores.new += 1
            if not report.dry_run:
                try:
                    store = store_create(
                        slug=slug,
                        title=row.get("title"),
                        description=row.get("description"),
                        metadata=row.get("metadata_json") or {},
                        read_access=read_access,
                    )
                except (DjangoValidationError, APIException) as exc:
                    stores.new -= 1
                    stores.skip(slug, f"the store could not be created: {exc}")
                    continue
        _documents_import(source, report, tally=documents, row=row, store=store, batch_size=batch_size)
    if stores.new:
        stores.notes.append(
            f"new stores are readable by {dict(VectorStore.ReadAccess.choices)[read_access]} "
            "(the replaced system had no per-store permissions); change it per store in the admin"
        )


def _documents_import(
    source: Source,
    report: Report,
    *,
    tally: Tally,
    row: dict[str, Any],
    store: VectorStore | None,
    batch_size: int,
) -> None:
    slug = str(row["slug"])
    theirs = {
        r["doc_id"]: r["fp"]
        for r in source.rows(
            f"SELECT doc_id, {_FINGERPRINT.format(doc='raw_document', meta='metadata_json')} AS fp "
            "FROM json_documents WHERE store_id = %s",
            (row["id"],),
        )
    }
    tally.found += len(theirs)
    ours = _fingerprints(store) if store is not None else {}
    missing: set[str] = set()
    for doc_id, fingerprint in theirs.items():
        if doc_id not in ours:
            missing.add(doc_id)
        elif ours[doc_id] == fingerprint:
            tally.present += 1
        else:
            tally.skip(
                f"{slug}/{doc_id}", "a document with this id and other content is already here; left as it is"
            )
    if not missing:
        return
    if report.dry_run:
        tally.new += len(missing)
        return

    def wanted() -> Any:
        sql = "SELECT doc_id, raw_document, metadata_json FROM json_documents WHERE store_id = %s ORDER BY id"
        for doc in source.stream(sql, (row["id"],)):
            if doc["doc_id"] in missing:
                yield str(doc["doc_id"]), doc["raw_document"], doc["metadata_json"] or {}

    with tqdm(total=len(missing), desc=f"store {slug}", unit="doc", disable=None) as bar:

        def advance(progress: Any) -> None:
            bar.update(progress.documents - bar.n)
            tally.new = written_before + progress.documents

        written_before = tally.new
        try:
            documents_ingest(store_slug=slug, documents=wanted(), batch_size=batch_size, on_batch=advance)
        except (DjangoValidationError, APIException) as exc:
            left = len(missing) - (tally.new - written_before)
            tally.skip(f"{slug}", f"{left} documents not written: {exc}; run the import again to continue")


def _fingerprints(store: VectorStore) -> dict[str, str]:
    sql = (
        f"SELECT doc_id, {_FINGERPRINT.format(doc='document', meta='metadata')} "
        "FROM vectorstores_document WHERE store_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [store.pk])
        return dict(cursor.fetchall())
