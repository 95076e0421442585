"""``manage.py import_peer``: a real database of the replaced system, moved over."""

from __future__ import annotations

import json
from io import StringIO

import psycopg
import pytest
from agents.testing import assistant_message
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import User
from chatkit_site.peer.basics import password_from_peer
from chatkit_site.peer.source import source_open
from chatkit_site.tests.hash_embedder import HashEmbedder
from chatkit_site.tests.peer_source import PASSWORDS, WIDGET_DEFINITION, fill, peer_hash, source_database
from conversations.models import Thread
from conversations.tests.helpers import chat_client, events_of, post
from vectorstores.embeddings import set_embedder
from vectorstores.models import Document, VectorStore
from voice.models import VoiceSettings
from widgets.models import WidgetTemplate
from workflows.dialect import graph_dialect
from workflows.models import AvailableModel, Workflow, WorkflowRun

pytestmark = pytest.mark.django_db

PBKDF2 = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _hash_embedder():
    set_embedder(HashEmbedder())
    yield
    set_embedder(None)


@pytest.fixture
def source():
    with source_database() as conninfo:
        yield conninfo


def run(conninfo: str, *args: str) -> str:
    out = StringIO()
    call_command("import_peer", "--database-url", conninfo, *args, stdout=out)
    return out.getvalue()


def login(email: str, password: str) -> dict | None:
    response = APIClient().post("/api/auth/login", {"email": email, "password": password}, format="json")
    return response.json() if response.status_code == 200 else None


def chatkit(user, payload: dict) -> dict:
    response = post(chat_client(user), payload)
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def test_the_old_password_hash_becomes_one_django_checks(settings):
    settings.PASSWORD_HASHERS = PBKDF2
    converted = password_from_peer(peer_hash("correct horse", "a1b2c3"))

    assert converted.startswith("pbkdf2_sha256$390000$a1b2c3$")
    assert check_password("correct horse", converted)
    assert not check_password("wrong horse", converted)
    assert password_from_peer("not-a-hash") is None


def test_a_whole_deployment_moves_over_and_a_second_run_has_nothing_to_do(source, settings, scripted):
    settings.PASSWORD_HASHERS = PBKDF2
    fill(source)

    dry = run(source, "--dry-run")

    assert "would import" in dry
    assert "nothing was written" in dry
    assert not User.objects.filter(email__endswith="@example.org").exists()
    assert not VectorStore.objects.filter(slug__in=["guides", "faq"]).exists()

    first = run(source)

    # users, with their roles, log in with their old passwords
    for email, password in PASSWORDS.items():
        assert login(email, password) is not None, email
        assert login(email, password + "x") is None
    assert User.objects.get(email="ada@example.org").is_admin
    assert not User.objects.get(email="bob@example.org").is_admin
    # models, voice, widgets
    assert AvailableModel.objects.get(name="llama3").provider == AvailableModel.Provider.COMPATIBLE
    assert "llama3" in first
    assert "enter them in the admin" in first
    assert VoiceSettings.current().instructions == "Parle lentement."
    assert set(WidgetTemplate.objects.values_list("slug", flat=True)) >= {"greeting", "banner", "farewell"}
    # stores and their documents, searchable by a signed-in user
    assert Document.objects.filter(store__slug="guides").count() == 200
    assert Document.objects.filter(store__slug="faq").count() == 200
    assert VectorStore.objects.get(slug="faq").metadata == {"team": "ops"}
    bob = User.objects.get(email="bob@example.org")
    searcher = APIClient()
    searcher.force_authenticate(bob)
    # the test embedder's vectors are noise: the words decide
    query = {"query": "guides137zeta", "dense_weight": 0}
    hits = searcher.post("/api/vector-stores/guides/search_json", query, format="json")
    assert hits.status_code == 200, hits.content
    assert hits.json()[0]["doc_id"] == "guides-137"
    # workflows with every version; the one that ran the chat runs it here, in the dialect it was written in
    support = Workflow.objects.get(slug="support")
    assert sorted(support.versions.values_list("version", "name")) == [
        (1, "support release 1"),
        (2, "support release 2"),
        (3, "support release 3"),
    ]
    assert support.active_version.version == 3
    assert support.is_chatkit_default
    assert graph_dialect(support.active_version.graph) == "peer"
    assert Workflow.objects.get(slug="helpdesk").active_version.version == 3
    # the threads list with their items, for their owners
    ada = User.objects.get(email="ada@example.org")
    listed = chatkit(ada, {"type": "threads.list", "params": {"limit": 20}})
    assert {t["id"] for t in listed["data"]} == {"thr_peer0", "thr_peer3"}
    page = {"thread_id": "thr_peer3", "limit": 20, "order": "asc"}
    items = chatkit(ada, {"type": "items.list", "params": page})
    assert [i["id"] for i in items["data"]] == ["msg_u3", "msg_a3"]
    assert Thread.objects.get(pk="thr_peer1").owner == bob
    # the imported workflow answers in the chat
    scripted.enqueue([assistant_message("From the guides: restart it.")])
    events = events_of(
        post(
            chat_client(bob),
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": "thr_peer1", "input": _input("Help?")},
            },
        )
    )
    assert any(e["type"] == "thread.item.done" and "restart it" in json.dumps(e["item"]) for e in events), (
        events
    )
    turn = WorkflowRun.objects.get(thread_id="thr_peer1")
    assert turn.version == support.active_version
    assert [step["node"] for step in turn.steps] == ["start", "answer", "count", "check", "end"]

    second = run(source)

    assert "Nothing to do" in second, second
    assert Document.objects.filter(store__slug="guides").count() == 200
    assert support.versions.count() == 3


def _input(text: str) -> dict:
    return {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}


def test_what_cannot_be_carried_is_listed_with_its_reason(source):
    fill(source, documents_per_store=3)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO chat_threads (id, owner_id, created_at, updated_at, payload) "
            "VALUES ('thr_orphan', '999', now(), now(), '{\"title\": null}')"
        )
        conn.execute(
            "INSERT INTO json_documents (store_id, doc_id, raw_document, linearized_text) "
            "SELECT id, 'broken', %s, '' FROM json_vector_stores WHERE slug = 'chatkit-widgets'",
            [json.dumps({"slug": "broken", "definition": {"type": "NoSuchComponent"}})],
        )
        conn.execute(
            "UPDATE workflow_steps SET kind = 'while' WHERE slug = 'count' AND definition_id = "
            "(SELECT active_version_id FROM workflows WHERE slug = 'helpdesk')"
        )

    out = run(source)

    assert "thr_orphan: its owner '999' is not a user that was carried over" in out
    assert "broken: its definition is not valid here" in out
    assert "helpdesk v3 as the running version" in out
    assert not Thread.objects.filter(pk="thr_orphan").exists()
    assert not WidgetTemplate.objects.filter(slug="broken").exists()
    helpdesk = Workflow.objects.get(slug="helpdesk")
    assert helpdesk.versions.count() == 3
    assert helpdesk.active_version is None
    assert WIDGET_DEFINITION["type"] == WidgetTemplate.objects.get(slug="greeting").definition["type"]


def test_the_source_is_opened_read_only_and_a_wrong_one_is_a_clear_error(source):
    with source_open(source) as opened, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        opened.rows("INSERT INTO users (email, password_hash) VALUES ('x@y.z', 'h') RETURNING id")

    with pytest.raises(CommandError, match="cannot connect"):
        run("host=/nonexistent-dir dbname=nothing")
