"""The ChatKit ``Store`` on the Django ORM, scoped to the request's user.

Every method filters by ``context.user``: an id that belongs to someone else raises
``NotFoundError`` exactly like an id that does not exist.

What the SDK expects of a store, read from its code (openai-chatkit, pinned):

* Threads: ``save_thread`` creates or updates (the SDK saves the same thread on every title or
  status change); every ``ThreadMetadata`` field round-trips (``allowed_image_domains`` too: the
  whole model is kept in ``Thread.payload``, the queried fields in their own columns).
* Items: ``save_item`` creates or replaces (replaced items, client tool outputs, structured
  input answers). ``add_thread_item`` adds; the one case where the SDK adds an id that exists
  is a workflow item it stored unfinished at the end of a run and finishes in a later turn,
  which is updated in place. Any other existing id is refused (``DuplicateItem``): a finished
  item's content is never replaced by an add.
* Datetimes: the SDK stamps items with naive ``datetime.now()`` (local time) and subtracts
  stored ``created_at`` values from it (workflow durations). Rows keep aware UTC; what the store
  returns is naive local time, like what the SDK makes.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import Attachment as AttachmentModel
from chatkit.types import Page, ThreadItem, ThreadMetadata
from django.db import connection, transaction
from pydantic import TypeAdapter

from conversations.engine.checks import TITLE_MAX_CHARS, RequestRejected
from conversations.engine.context import RequestContext
from conversations.engine.extensions import extensions
from conversations.models import Attachment, Thread
from conversations.models import ThreadItem as ThreadItemRow
from core.db import db_call
from core.validation import strip_nul
from events.publish import thread_event_send

_ID_PREFIXES: dict[str, str] = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "workflow": "wf",
    "task": "tsk",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
}

item_adapter: TypeAdapter[ThreadItem] = TypeAdapter(ThreadItem)
attachment_adapter: TypeAdapter[AttachmentModel] = TypeAdapter(AttachmentModel)


def new_id(item_type: str) -> str:
    # The SDK's default ids carry 32 random bits, which collide across a whole site
    # (thread and attachment ids are global keys here); use the full UUID instead.
    return f"{_ID_PREFIXES[item_type]}_{uuid.uuid4().hex}"


class DuplicateItem(ValueError):
    """An item added under an id the thread already has (only unfinished workflows may be)."""


def aware(value: datetime) -> datetime:
    """The SDK stamps items with naive ``datetime.now()``: read it as local time, store UTC."""
    return value.astimezone(UTC)  # a naive value is taken as local time by astimezone()


def sdk_time(value: datetime) -> datetime:
    """A stored (aware) datetime as the SDK makes its own: naive, local time."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value


def _item(payload: Any) -> ThreadItem:
    item = item_adapter.validate_python(payload)
    item.created_at = sdk_time(item.created_at)
    return item


def _order_sql(order: str) -> tuple[str, str]:
    if order not in ("asc", "desc"):
        raise ValueError("order must be 'asc' or 'desc'")
    return (">", "ASC") if order == "asc" else ("<", "DESC")


# ThreadMetadata fields kept in their own columns; Thread.payload has the others.
_THREAD_COLUMNS = {"id", "title", "created_at", "status", "metadata"}


def _thread_metadata(row: Thread) -> ThreadMetadata:
    return ThreadMetadata.model_validate(
        {
            **(row.payload or {}),
            "id": row.id,
            "title": row.title,
            "created_at": sdk_time(row.created_at),
            "status": row.status or {"type": "active"},
            "metadata": row.metadata or {},
        }
    )


NEWEST_KEPT = 4


def _load_thread_row(thread_id: str, owner_id: int, extras: dict[str, str]) -> Thread | None:
    """The user's thread, with what other apps read along (extensions.thread_annotations)."""
    selected = "".join(f", ({sql}) AS {name}" for name, sql in extras.items())
    query = (
        f"SELECT conversations_thread.*{selected} FROM conversations_thread"
        " WHERE conversations_thread.id = %s AND conversations_thread.owner_id = %s"
    )
    return next(iter(Thread.objects.raw(query, [thread_id, owner_id])), None)


class DjangoStore(Store[RequestContext]):
    def generate_thread_id(self, context: RequestContext) -> str:
        thread_id = new_id("thread")
        if context.write_new_threads_with_first_item:
            context.new_thread_ids.add(thread_id)
        return thread_id

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: RequestContext
    ) -> str:
        return new_id(item_type)

    # --- threads ------------------------------------------------------------------------
    # Every call goes through db_call: the connection goes back to the pool when it returns,
    # so a stream waiting on the model holds none.

    async def _ensure_owned(self, thread_id: str, context: RequestContext) -> None:
        if thread_id in context.owned_threads:
            return
        owned = await db_call(Thread.objects.filter(id=thread_id, owner=context.user).exists)
        if not owned:
            raise NotFoundError(f"Thread {thread_id} not found")
        context.owned_threads.add(thread_id)

    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        if thread_id in context.unsaved_threads:
            return context.unsaved_threads[thread_id]
        preloaded = context.preloaded_threads.pop(thread_id, None)
        if preloaded is not None:
            return preloaded
        extras = extensions.thread_annotations
        row = await db_call(_load_thread_row, thread_id, context.user.pk, extras)
        if row is None:
            raise NotFoundError(f"Thread {thread_id} not found")
        context.owned_threads.add(thread_id)
        context.thread_extras[thread_id] = {name: getattr(row, name) for name in extras}
        return _thread_metadata(row)

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        if thread.id in context.new_thread_ids and thread.id not in context.created_threads:
            # Written with its first item (see RequestContext); the title is checked now.
            _check_title(thread)
            context.unsaved_threads[thread.id] = thread
            context.owned_threads.add(thread.id)
            return
        saved, inserted, title_before = await db_call(_upsert_thread, thread, context.user.pk)
        if not saved:
            # The id exists but belongs to another user: behave as if it did not exist.
            raise NotFoundError(f"Thread {thread.id} not found")
        context.owned_threads.add(thread.id)
        if inserted:
            context.created_threads.add(thread.id)
            await thread_event_send(user_id=context.user.pk, kind="thread.created", thread=thread)
        elif title_before != strip_nul(thread.title):
            await thread_event_send(user_id=context.user.pk, kind="thread.renamed", thread=thread)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        rows = await db_call(_keyset_threads, context.user.pk, after, limit, order)
        has_more = len(rows) > limit
        rows = rows[:limit]
        data = [_thread_metadata(row) for row in rows]
        return Page(data=data, has_more=has_more, after=data[-1].id if data else None)

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        deleted, _ = await db_call(Thread.objects.filter(id=thread_id, owner=context.user).delete)
        if not deleted:
            raise NotFoundError(f"Thread {thread_id} not found")
        context.owned_threads.discard(thread_id)
        await thread_event_send(user_id=context.user.pk, kind="thread.deleted", thread_id=thread_id)

    # --- items --------------------------------------------------------------------------

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        await self._ensure_owned(thread_id, context)
        newest = after is None and order == "desc"
        known = context.newest_items.get(thread_id) if newest else None
        if known is not None and (len(known[0]) >= limit or not known[1]):
            data = [item.model_copy(deep=True) for item in known[0][:limit]]
            has_more = len(known[0]) > limit or known[1]
            return Page(data=data, has_more=has_more, after=data[-1].id if data else None)
        rows = await db_call(_keyset_items, thread_id, after, limit, order)
        has_more = len(rows) > limit
        data = [_item(payload) for _, payload in rows[:limit]]
        if newest:  # a few are enough for the SDK's look at the last two; copies, not shared
            kept = [item.model_copy(deep=True) for item in data[:NEWEST_KEPT]]
            context.newest_items[thread_id] = (kept, has_more or len(data) > NEWEST_KEPT)
        return Page(data=data, has_more=has_more, after=data[-1].id if data else None)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        context.newest_items.pop(thread_id, None)
        if thread_id in context.unsaved_threads:
            await self._create_with_item(thread_id, item, context, replace=False)
            return
        await self._ensure_owned(thread_id, context)
        if not await db_call(_write_item, thread_id, item, replace=False):
            raise DuplicateItem(f"Item {item.id} already exists in thread {thread_id}")
        context.threads_with_items.add(thread_id)

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        context.newest_items.pop(thread_id, None)
        if thread_id in context.unsaved_threads:
            await self._create_with_item(thread_id, item, context, replace=True)
            return
        await self._ensure_owned(thread_id, context)
        await db_call(_write_item, thread_id, item, replace=True)
        context.threads_with_items.add(thread_id)

    async def _create_with_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext, *, replace: bool
    ) -> None:
        thread = context.unsaved_threads.pop(thread_id)
        attachments = context.unsaved_attachments.pop(thread_id, [])
        saved = await db_call(
            _insert_thread_with_item, thread, context.user.pk, item, attachments, replace=replace
        )
        if not saved:  # a made-up id that exists already, or another user's attachment
            raise NotFoundError(f"Thread {thread_id} not found")
        context.created_threads.add(thread_id)
        context.threads_with_items.add(thread_id)
        await thread_event_send(user_id=context.user.pk, kind="thread.created", thread=thread)

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        payload = await db_call(
            ThreadItemRow.objects.filter(thread_id=thread_id, thread__owner=context.user, item_id=item_id)
            .values_list("payload", flat=True)
            .first
        )
        if payload is None:
            raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")
        return _item(payload)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: RequestContext) -> None:
        context.newest_items.pop(thread_id, None)
        await self._ensure_owned(thread_id, context)
        await db_call(ThreadItemRow.objects.filter(thread_id=thread_id, item_id=item_id).delete)

    # --- attachment metadata ------------------------------------------------------------

    async def save_attachment(self, attachment: AttachmentModel, context: RequestContext) -> None:
        if attachment.thread_id in context.unsaved_threads:
            # Linked to a thread not written yet: saved with it and its first item.
            context.unsaved_attachments.setdefault(attachment.thread_id, []).append(attachment)
            return
        if attachment.thread_id is not None:
            await self._ensure_owned(attachment.thread_id, context)
        if not await db_call(_save_attachment, attachment, context.user.pk):
            raise NotFoundError(f"Attachment {attachment.id} not found")

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> AttachmentModel:
        payload = await db_call(
            Attachment.objects.filter(id=attachment_id, owner=context.user)
            .values_list("payload", flat=True)
            .first
        )
        if payload is None:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return attachment_adapter.validate_python(payload)

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        # The file itself went with AttachmentStore.delete_attachment (same request); the
        # row is removed here, and a post_delete signal removes any file still left.
        await db_call(Attachment.objects.filter(id=attachment_id, owner=context.user).delete)


def _save_attachment(attachment: AttachmentModel, owner_id: int) -> bool:
    """Update the owner's attachment, or create it; False when the id is another user's."""
    payload = attachment.model_dump(mode="json")
    fields = {
        "payload": payload,
        "thread_id": attachment.thread_id,
        "name": attachment.name,
        "mime_type": attachment.mime_type,
    }
    if Attachment.objects.filter(id=attachment.id, owner_id=owner_id).update(**fields):
        return True
    if Attachment.objects.filter(id=attachment.id).exists():
        return False
    size = (attachment.metadata or {}).get("size", 0)
    Attachment.objects.create(id=attachment.id, owner_id=owner_id, size=size, **fields)
    return True


def _payload_json(item: ThreadItem) -> str:
    """The item as JSON for the jsonb column, without NUL characters.

    User input with a NUL never gets here (refused with 400 by the endpoint); what the server
    produced itself (model output, tool results) has its NULs stripped, so a turn never fails
    on one.
    """
    payload = item.model_dump_json()
    if "\\u0000" in payload:
        payload = json.dumps(strip_nul(json.loads(payload)))
    return payload


def _write_item(thread_id: str, item: ThreadItem, *, replace: bool) -> bool:
    """Insert an item, or update the stored one with the same id: always when ``replace``,
    otherwise only an unfinished workflow the SDK continues. False when nothing was written.

    One statement either way; an updated item keeps its original position (created_at, sequence).
    """
    item.created_at = aware(item.created_at)
    allowed = (
        ""
        if replace
        else "WHERE conversations_threaditem.item_type = 'workflow' AND EXCLUDED.item_type = 'workflow'"
    )
    sql = f"""
        INSERT INTO conversations_threaditem (thread_id, item_id, item_type, payload, created_at)
        VALUES (%s, %s, %s, %s::jsonb, %s)
        ON CONFLICT (thread_id, item_id) DO UPDATE
           SET item_type = EXCLUDED.item_type, payload = EXCLUDED.payload {allowed}
        RETURNING 1
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [thread_id, item.id, item.type, _payload_json(item), item.created_at])
            return cursor.fetchone() is not None
    finally:
        item.created_at = sdk_time(item.created_at)


def _insert_thread_with_item(
    thread: ThreadMetadata,
    owner_id: int,
    item: ThreadItem,
    attachments: list[AttachmentModel],
    *,
    replace: bool,
) -> bool:
    """A new thread, the attachments of its first message and that message: all or nothing."""
    with transaction.atomic():
        saved, inserted, _ = _upsert_thread(thread, owner_id)
        if not (saved and inserted) or not all(_save_attachment(a, owner_id) for a in attachments):
            transaction.set_rollback(True)
            return False
        if not _write_item(thread.id, item, replace=replace):
            raise DuplicateItem(f"Item {item.id} already exists in thread {thread.id}")
        return True


def _check_title(thread: ThreadMetadata) -> None:
    if thread.title is not None and len(thread.title) > TITLE_MAX_CHARS:
        raise RequestRejected(
            f"A thread title may be at most {TITLE_MAX_CHARS} characters (got {len(thread.title)})."
        )


def _upsert_thread(thread: ThreadMetadata, owner_id: int) -> tuple[bool, bool, str | None]:
    """Insert or update a thread of ``owner_id``: (saved, inserted, title before).

    Not saved: another owner's id. The title before comes from the statement's snapshot (the
    CTE), so a rename is told without a second round trip.
    """
    _check_title(thread)
    sql = """
        WITH before AS (SELECT title FROM conversations_thread WHERE id = %s)
        INSERT INTO conversations_thread
               (id, owner_id, title, status, metadata, payload, created_at, updated_at)
        VALUES (%s, %s, %s, %s::jsonb, %s::jsonb, %s::jsonb, %s, now())
        ON CONFLICT (id) DO UPDATE
           SET title = EXCLUDED.title, status = EXCLUDED.status, metadata = EXCLUDED.metadata,
               payload = EXCLUDED.payload, updated_at = now()
         WHERE conversations_thread.owner_id = EXCLUDED.owner_id
        RETURNING (xmax = 0) AS inserted, (SELECT title FROM before)
    """
    others = thread.model_dump(mode="json", exclude=_THREAD_COLUMNS)
    params = [
        thread.id,
        thread.id,
        owner_id,
        strip_nul(thread.title),
        json.dumps(strip_nul(thread.status.model_dump(mode="json"))),
        json.dumps(strip_nul(thread.metadata)),
        json.dumps(strip_nul(others)),
        aware(thread.created_at),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False, False, None
    return True, bool(row[0]), row[1]


def _keyset_threads(owner_id: int, after: str | None, limit: int, order: str) -> list[Thread]:
    op, direction = _order_sql(order)
    queryset = Thread.objects.filter(owner_id=owner_id)
    if after:
        anchor = (
            Thread.objects.filter(id=after, owner_id=owner_id).values_list("created_at", "sequence").first()
        )
        if anchor is None:
            raise NotFoundError(f"Thread {after} not found")
        queryset = queryset.extra(where=[f"(created_at, sequence) {op} (%s, %s)"], params=list(anchor))
    prefix = "" if direction == "ASC" else "-"
    return list(queryset.order_by(f"{prefix}created_at", f"{prefix}sequence")[: limit + 1])


def _keyset_items(thread_id: str, after: str | None, limit: int, order: str) -> list[tuple[int, Any]]:
    op, direction = _order_sql(order)
    params: list[Any] = [thread_id]
    where = ""
    if after:
        # The anchor is looked up inside the same statement; a missing anchor yields no rows
        # at all, which is checked below to answer "not found" rather than "empty".
        where = (
            f"AND (created_at, sequence) {op} (SELECT created_at, sequence FROM conversations_threaditem"
            " WHERE thread_id = %s AND item_id = %s)"
        )
        params += [thread_id, after]
    sql = (
        "SELECT sequence, payload FROM conversations_threaditem WHERE thread_id = %s "
        f"{where} ORDER BY created_at {direction}, sequence {direction} LIMIT %s"
    )
    params.append(limit + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if after and not rows:
            cursor.execute(
                "SELECT 1 FROM conversations_threaditem WHERE thread_id = %s AND item_id = %s",
                [thread_id, after],
            )
            if cursor.fetchone() is None:
                raise NotFoundError(f"Item {after} not found in thread {thread_id}")
    # A raw cursor returns jsonb as text or as parsed JSON depending on the driver's loaders.
    return [(seq, payload if isinstance(payload, dict) else json.loads(payload)) for seq, payload in rows]


def thread_import(
    *, thread: ThreadMetadata, owner_id: int, items: list[ThreadItem], updated_at: datetime | None = None
) -> int | None:
    """Bring a thread and its items from another system (``import_peer``): the items it does not
    have yet are added, in the given order, none replaced. None when the id is another user's.

    All or nothing per thread; returns how many items were added (0: nothing to do).
    """
    with transaction.atomic():
        existing = Thread.objects.filter(pk=thread.id).values_list("owner_id", flat=True).first()
        if existing is not None and existing != owner_id:
            return None
        if existing is None:
            _upsert_thread(thread, owner_id)
        present = set(ThreadItemRow.objects.filter(thread_id=thread.id).values_list("item_id", flat=True))
        added = 0
        for item in items:
            if item.id not in present and _write_item(thread.id, item, replace=False):
                present.add(item.id)
                added += 1
        if existing is None and updated_at is not None:
            Thread.objects.filter(pk=thread.id).update(updated_at=aware(updated_at))
    return added
