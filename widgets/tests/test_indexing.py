from __future__ import annotations

import logging

import pytest

from vectorstores.models import Document, VectorStore
from widgets.models import WidgetTemplate
from widgets.tests.conftest import STATIC

pytestmark = pytest.mark.django_db


def test_a_created_widget_is_indexed_after_commit(admin_client_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client_api.post(
            "/api/widgets",
            {"slug": "hello", "title": "Hello", "description": "Greets", "definition": STATIC},
            format="json",
        )
        assert not Document.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    store = VectorStore.objects.get(slug="chatkit-widgets")
    assert store.title == "Widget library"
    assert store.metadata == {"scope": "widget_library"}
    document = Document.objects.get(store=store)
    assert document.doc_id == "hello"
    assert document.document == {
        "slug": "hello",
        "title": "Hello",
        "description": "Greets",
        "definition": STATIC,
    }
    assert WidgetTemplate.objects.get().index_status == "indexed"


def test_an_update_reindexes_and_a_delete_removes(admin_client_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_api.post("/api/widgets", {"slug": "hello", "definition": STATIC}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_api.patch("/api/widgets/hello", {"title": "Renamed"}, format="json")

    assert Document.objects.get(doc_id="hello").document["title"] == "Renamed"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_api.delete("/api/widgets/hello")

    assert not Document.objects.filter(doc_id="hello").exists()


def test_the_widget_library_is_searchable(admin_client_api, user_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_api.post(
            "/api/widgets",
            {
                "slug": "flight-status",
                "title": "Flight status",
                "description": "Shows departure and arrival of a flight",
                "definition": STATIC,
            },
            format="json",
        )
        admin_client_api.post(
            "/api/widgets",
            {
                "slug": "invoice",
                "title": "Invoice summary",
                "description": "Amounts due and payment date",
                "definition": STATIC,
            },
            format="json",
        )

    hits = admin_client_api.post(
        "/api/vector-stores/chatkit-widgets/search_json",
        {"query": "when does my plane leave", "top_k": 1},
        format="json",
    ).json()

    assert hits[0]["doc_id"] == "flight-status"


def test_an_indexing_failure_is_logged_and_shown_but_keeps_the_widget(
    admin_client_api, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("embedding service down")

    monkeypatch.setattr("vectorstores.services.document_ingest", broken)
    with (
        caplog.at_level(logging.ERROR, logger="chatkit.widgets"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client_api.post(
            "/api/widgets", {"slug": "hello", "definition": STATIC}, format="json"
        )

    assert response.status_code == 201
    widget = WidgetTemplate.objects.get()
    assert widget.index_status == "failed"
    assert widget.index_error == "RuntimeError: embedding service down"
    assert "Indexing widget hello" in caplog.text
