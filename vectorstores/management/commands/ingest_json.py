"""manage.py ingest_json STORE PATH [PATH …] — load files into a store: JSON / JSON Lines (one
document per object), and PDF, Word, HTML, Markdown and text files (one document each)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vectorstores.converters import FORMATS, ConversionError
from vectorstores.models import VectorStore
from vectorstores.services import IngestProgress, documents_ingest
from vectorstores.sources import InvalidJSON, accepted, iter_documents, validate


def parse_metadata(pairs: list[str]) -> dict[str, str]:
    metadata = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--metadata takes key=value (got {pair!r}).")
        metadata[key] = value
    return metadata


def collect_files(paths: list[str], kind: str | None = None) -> list[Path]:
    """The files named, and in folders those of a supported type (or every file, with --format)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and (kind or accepted(p.name)))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{raw}: no such file or directory.")
    return files


class Command(BaseCommand):
    help = (
        "Ingest files (or folders of them) into a vector store: .json and .jsonl, and .pdf, .docx, "
        ".html, .md and .txt as one document each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("store", help="Slug of the store (created when missing).")
        parser.add_argument("paths", nargs="+", help="Files or folders.")
        parser.add_argument(
            "--format",
            choices=["json", *sorted(set(FORMATS.values()))],
            default=None,
            help="Read every file as this format, whatever its extension says.",
        )
        parser.add_argument("--id-field", default=None, help="Field holding each document's id.")
        parser.add_argument(
            "--metadata",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Metadata added to every document (repeatable).",
        )
        parser.add_argument("--batch-size", type=int, default=64, help="Documents embedded together.")
        parser.add_argument("--title", default=None, help="Title of the store when it is created.")
        parser.add_argument(
            "--read-access",
            choices=[choice for choice, _label in VectorStore.ReadAccess.choices if choice != "groups"],
            default=None,
            help="Who may read the store: users (everyone signed in) or admins. New stores are "
            "admins' unless CHATKIT_KNOWLEDGE_STORES lists them; groups are chosen in the admin.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        metadata = parse_metadata(options["metadata"])
        kind = options["format"]
        files = collect_files(options["paths"], kind)
        if not files:
            raise CommandError("No files to ingest found.")
        if options["read_access"]:
            store, _created = VectorStore.objects.get_or_create(
                slug=options["store"], defaults={"title": options["title"] or options["store"]}
            )
            store.read_access = options["read_access"]
            store.save(update_fields=["read_access"])  # save(): the widget store stays admins'

        interactive = sys.stderr.isatty() and options["verbosity"] > 0
        started = time.perf_counter()
        total = IngestProgress()
        failures: list[str] = []
        for path in files:
            try:
                with path.open("rb") as handle:
                    count = validate(handle, path.name, kind=kind)  # nothing is written from a bad file
            except InvalidJSON as exc:
                failures.append(f"{path}: line {exc.line}: {str(exc).split(': ', 2)[-1]}")
                self.stderr.write(f"{path}, line {exc.line}: invalid JSON, skipped")
                continue
            except ConversionError as exc:
                failures.append(str(exc))
                self.stderr.write(f"{exc} Skipped.")
                continue
            try:
                done = self._ingest(path, count, options, metadata, interactive)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            total.documents += done.documents
            total.chunks += done.chunks
        seconds = time.perf_counter() - started
        rate = total.chunks / seconds if seconds else 0.0
        self.stdout.write(
            f"Ingested {total.documents} documents, {total.chunks} chunks from {len(files) - len(failures)} "
            f"file(s) into {options['store']} in {seconds:.1f} s ({rate:.1f} chunks/s)."
        )
        if failures:
            raise CommandError("Not ingested: " + "; ".join(failures))

    def _ingest(
        self, path: Path, count: int, options: dict[str, Any], metadata: dict[str, str], interactive: bool
    ) -> IngestProgress:
        bar = None
        if interactive:
            from tqdm import tqdm

            bar = tqdm(total=count, desc=path.name, unit="doc", file=sys.stderr)
        last = 0

        def report(progress: IngestProgress) -> None:
            nonlocal last
            if bar is not None:
                bar.update(progress.documents - last)
            elif options["verbosity"] > 0:
                self.stderr.write(
                    f"{path.name}: {progress.documents}/{count} documents, {progress.chunks} chunks"
                )
            last = progress.documents

        with path.open("rb") as handle:
            documents = iter_documents(
                handle, path.name, id_field=options["id_field"], metadata=metadata, kind=options["format"]
            )
            progress = documents_ingest(
                store_slug=options["store"],
                documents=documents,
                batch_size=options["batch_size"],
                store_title=options["title"],
                on_batch=report,
            )
        if bar is not None:
            bar.close()
        return progress
