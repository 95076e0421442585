"""Chat threads and their items (the replaced system's ChatKit store tables), with their owners.

Its store keeps the SDK's own JSON (``ThreadMetadata`` / ``ThreadItem``) in ``payload``; owners are
user ids as text (``"7"``, or ``"user:7"`` for voice sessions).
"""

from __future__ import annotations

from typing import Any

from chatkit.types import ThreadMetadata
from pydantic import ValidationError
from tqdm import tqdm

from chatkit_site.peer.report import Report
from chatkit_site.peer.source import Source
from conversations.engine.store import item_adapter, thread_import
from conversations.models import Thread
from conversations.models import ThreadItem as ThreadItemRow


def _owner(raw: str, users: dict[int, int]) -> int | None:
    text = str(raw or "").removeprefix("user:")
    return users.get(int(text)) if text.isdigit() else None


def threads_import(source: Source, report: Report, *, users: dict[int, int]) -> None:
    threads = report.tally("chat threads")
    items = report.tally("thread items")
    rows = source.rows(
        "SELECT id, owner_id, payload, created_at, updated_at FROM chat_threads ORDER BY created_at, id"
    )
    for row in tqdm(rows, desc="threads", unit="thread", disable=None):
        threads.found += 1
        owner = _owner(row["owner_id"], users)
        if owner is None:
            threads.skip(row["id"], f"its owner {row['owner_id']!r} is not a user that was carried over")
            continue
        try:
            thread = _thread(row)
        except (ValidationError, ValueError) as exc:
            threads.skip(row["id"], f"not a ChatKit thread this version reads: {_first(exc)}")
            continue
        parsed = []
        item_rows = source.rows(
            "SELECT id, payload FROM chat_thread_items WHERE thread_id = %s ORDER BY created_at, id",
            (row["id"],),
        )
        for item_row in item_rows:
            items.found += 1
            try:
                payload = dict(item_row["payload"] or {})
                payload.setdefault("id", item_row["id"])
                payload["thread_id"] = thread.id
                parsed.append(item_adapter.validate_python(payload))
            except (ValidationError, ValueError, TypeError) as exc:
                items.skip(
                    f"{row['id']}/{item_row['id']}", f"not a ChatKit item this version reads: {_first(exc)}"
                )
        existing = Thread.objects.filter(pk=thread.id).values_list("owner_id", flat=True).first()
        if existing is not None and existing != owner:
            threads.skip(row["id"], "a thread with this id belongs to someone else here")
            continue
        have = set(ThreadItemRow.objects.filter(thread_id=thread.id).values_list("item_id", flat=True))
        todo = [item for item in parsed if item.id not in have]
        threads.present += 0 if existing is None else 1
        threads.new += 1 if existing is None else 0
        items.present += len(parsed) - len(todo)
        items.new += len(todo)
        if report.dry_run or (existing is not None and not todo):
            continue
        thread_import(thread=thread, owner_id=owner, items=todo, updated_at=row.get("updated_at"))


def _thread(row: dict[str, Any]) -> ThreadMetadata:
    payload = dict(row["payload"] or {})
    payload["id"] = row["id"]
    payload.setdefault("created_at", row["created_at"])
    return ThreadMetadata.model_validate(payload)


def _first(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        error = exc.errors()[0]
        return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"[:200]
    return str(exc)[:200]
