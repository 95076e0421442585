"""Writes to the widget library, and its index in the "chatkit-widgets" vector store."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from core.usage import refuse_if_used
from events.publish import staff_event_send
from vectorstores.models import WIDGET_STORE_SLUG
from widgets.models import WidgetTemplate
from widgets.validation import Checked, check_definition

logger = logging.getLogger("chatkit.widgets")

WIDGET_STORE = WIDGET_STORE_SLUG
WIDGET_STORE_TITLE = "Widget library"
WIDGET_STORE_METADATA = {"scope": "widget_library"}


class InvalidWidget(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def clean_text(value: str | None) -> str | None:
    """Titles and descriptions are stripped; an empty one is stored as null."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def definition_check(definition: Any) -> Checked:
    checked = check_definition(definition)
    if not checked.ok:
        raise InvalidWidget(checked.errors)
    return checked


def widget_index(*, slug: str) -> None:
    """Index one widget into the library store; record the outcome on the widget."""
    from vectorstores.selectors import document_get, store_get
    from vectorstores.services import document_delete, document_ingest

    widget = WidgetTemplate.objects.filter(slug=slug).first()
    try:
        if widget is None:
            store = store_get(slug=WIDGET_STORE)
            document = document_get(store=store, doc_id=slug) if store else None
            if document is not None:
                document_delete(document=document)
            return
        document_ingest(
            store_slug=WIDGET_STORE,
            doc_id=widget.slug,
            document={
                "slug": widget.slug,
                "title": widget.title,
                "description": widget.description,
                "definition": widget.definition,
            },
            metadata={"kind": "template" if widget.is_template else "static"},
            store_title=WIDGET_STORE_TITLE,
            store_metadata=WIDGET_STORE_METADATA,
        )
    except Exception as exc:
        # The widget itself is saved; only its search entry is missing. Say so where admins look.
        logger.exception("Indexing widget %s into %s failed", slug, WIDGET_STORE)
        if widget is not None:
            error = f"{type(exc).__name__}: {exc}"
            WidgetTemplate.objects.filter(pk=widget.pk).update(
                index_status=WidgetTemplate.IndexStatus.FAILED, index_error=error
            )
            _index_announce(slug=slug, status=WidgetTemplate.IndexStatus.FAILED, error=error)
        return
    if widget is not None:
        WidgetTemplate.objects.filter(pk=widget.pk).update(
            index_status=WidgetTemplate.IndexStatus.INDEXED, index_error=""
        )
        _index_announce(slug=slug, status=WidgetTemplate.IndexStatus.INDEXED, error="")


def _index_announce(*, slug: str, status: str, error: str) -> None:
    """Admins' open pages hear of it (/ws/events, ``widget.index``)."""
    staff_event_send(
        event={"type": "widget.index", "widget": {"slug": slug, "status": status, "error": error}}
    )


def _index_after_commit(slug: str) -> None:
    transaction.on_commit(lambda: widget_index(slug=slug))


def widget_save(*, widget: WidgetTemplate) -> WidgetTemplate:
    """Validate, normalise and save a widget, then (after commit) index it."""
    widget.definition = definition_check(widget.definition).normalized
    widget.title = clean_text(widget.title)
    widget.description = clean_text(widget.description)
    widget.index_status = WidgetTemplate.IndexStatus.PENDING
    with transaction.atomic():
        widget.save()
        _index_after_commit(widget.slug)
    return widget


def widget_create(
    *, slug: str, definition: Any, title: str | None = None, description: str | None = None
) -> WidgetTemplate:
    return widget_save(
        widget=WidgetTemplate(slug=slug, title=title, description=description, definition=definition)
    )


def widget_update(*, widget: WidgetTemplate, **fields: Any) -> WidgetTemplate:
    for name in ("title", "description", "definition"):
        if name in fields:
            setattr(widget, name, fields[name])
    return widget_save(widget=widget)


def widget_delete(*, widget: WidgetTemplate) -> None:
    """Delete a widget no published workflow shows (InUse, a 409, otherwise)."""
    slug = widget.slug
    refuse_if_used(kind="widget", name=slug)
    with transaction.atomic():
        widget.delete()
        _index_after_commit(slug)


def widget_kit_install() -> list[str]:
    """Add the widget kit's widgets missing from the library (widgets.kit); the slugs added.
    One already there is left as it is: an admin may have changed it."""
    from widgets.kit import KIT, TITLES

    added = []
    for slug, definition in KIT.items():
        if not WidgetTemplate.objects.filter(slug=slug).exists():
            widget_create(slug=slug, title=TITLES[slug], description=None, definition=definition)
            added.append(slug)
    return added
