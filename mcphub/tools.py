"""What the project's MCP tools do, as the user they authenticate (sync: run through db_call).

Each function takes the user first and returns JSON-ready data, or raises ``ToolFailure``
with a message the calling model (or person) can act on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import User
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.apis import TaskInput, TaskOutput
from tasks.models import Task
from vectorstores.models import VectorStore
from vectorstores.selectors import document_get, store_list_readable, store_readable, store_search
from widgets.models import WidgetTemplate

MAX_QUERY = 2000
MAX_TOP_K = 20
PASSAGE_CHARS = 2000


class ToolFailure(Exception):
    pass


def _text(value: str, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ToolFailure(f"{name} is required.")
    if len(value) > limit or "\x00" in value:
        raise ToolFailure(f"{name} must be at most {limit} characters, without NUL.")
    return value


def readable_stores(user: User) -> list[VectorStore]:
    """The stores ``user`` may read (the knowledge base's one rule)."""
    return list(store_list_readable(user=user))


def _store(user: User, slug: str) -> VectorStore:
    _text(slug, "store", 100)
    found = store_readable(user=user, slug=slug)
    if found is None:  # missing and forbidden look alike
        raise ToolFailure(f"No knowledge store {slug!r}. Call list_vector_stores to see yours.")
    return found


def list_vector_stores(user: User) -> list[dict[str, Any]]:
    return [
        {
            "slug": store.slug,
            "title": store.title,
            "description": store.description,
            "chunks": store.chunk_count,
        }
        for store in readable_stores(user)
    ]


def search_knowledge_base(
    user: User, query: str, store: str | None, top_k: int, filters: dict[str, Any] | None
) -> list[dict[str, Any]]:
    _text(query, "query", MAX_QUERY)
    if not 1 <= top_k <= MAX_TOP_K:
        raise ToolFailure(f"top_k must be between 1 and {MAX_TOP_K}.")
    if filters is not None and not isinstance(filters, dict):
        raise ToolFailure("filters must be an object of metadata key → value.")
    stores = [_store(user, store)] if store else readable_stores(user)
    hits: list[dict[str, Any]] = []
    for row in stores:
        try:
            found = store_search(store=row, query=query, top_k=top_k, metadata_filters=filters or None)
        except ValidationError as exc:
            if store:  # the one store asked for: say why
                raise ToolFailure("; ".join(exc.messages)) from None
            continue
        hits += [
            {
                "store": row.slug,
                "doc_id": hit.doc_id,
                "score": round(hit.score, 4),
                "text": hit.text[:PASSAGE_CHARS],
                "metadata": hit.metadata,
            }
            for hit in found
        ]
    hits.sort(key=lambda hit: hit["score"], reverse=True)
    return hits[:top_k]


def get_document(user: User, store: str, doc_id: str) -> dict[str, Any]:
    row = _store(user, store)
    document = document_get(store=row, doc_id=_text(doc_id, "doc_id", 255))
    if document is None:
        raise ToolFailure(f"No document {doc_id!r} in store {store!r}.")
    return {
        "store": row.slug,
        "doc_id": document.doc_id,
        "document": document.document,
        "metadata": document.metadata,
    }


def list_widgets(user: User) -> list[dict[str, Any]]:
    return [
        {"slug": widget.slug, "title": widget.title, "description": widget.description}
        for widget in WidgetTemplate.objects.order_by("slug")
    ]


def _task(user: User, task_id: int) -> Task:
    task = task_selectors.task_get(user=user, task_id=task_id) if isinstance(task_id, int) else None
    if task is None:  # someone else's task is as missing as a deleted one
        raise ToolFailure(f"No task {task_id}. Call list_tasks to see your tasks.")
    return task


def _valid(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    given = {name: value for name, value in data.items() if value is not None}
    checked = TaskInput(data=given, partial=partial)
    if not checked.is_valid():
        raise ToolFailure(_errors(checked.errors))
    return dict(checked.validated_data)


def _errors(errors: Any) -> str:
    return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())


def task_data(task: Task) -> dict[str, Any]:
    return dict(TaskOutput(task).data)


def add_task(user: User, **fields: Any) -> dict[str, Any]:
    data = _valid(fields)
    data.pop("completed", None)
    return task_data(task_services.task_create(user=user, **data))


def list_tasks(user: User, completed: bool | None) -> list[dict[str, Any]]:
    return [task_data(task) for task in task_selectors.task_list(user=user, completed=completed)[:200]]


def complete_task(user: User, task_id: int) -> dict[str, Any]:
    return task_data(task_services.task_update(task=_task(user, task_id), completed=True))


def update_task(user: User, task_id: int, **fields: Any) -> dict[str, Any]:
    task = _task(user, task_id)
    changes = _valid(fields, partial=True)
    if not changes:
        raise ToolFailure("Nothing to change: give a title, description, due_date, priority or completed.")
    return task_data(task_services.task_update(task=task, **changes))


def delete_task(user: User, task_id: int) -> dict[str, Any]:
    task = _task(user, task_id)
    title = task.title
    task_services.task_delete(task=task)
    return {"deleted": task_id, "title": title}
