from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message, function_call

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread
from vectorstores.models import VectorStore
from vectorstores.services import documents_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb():
    documents_ingest(
        store_slug="kb",
        documents=[
            ("fr-retours", {"texte": "Vous pouvez retourner un article sous trente jours."}, {}),
            ("en-hours", {"text": "Support answers from nine to five."}, {}),
        ],
    )
    VectorStore.objects.filter(slug="kb").update(read_access=VectorStore.ReadAccess.USERS)


@pytest.fixture
def client():
    return chat_client(UserFactory())


def test_the_assistant_can_search_the_knowledge_base(client, kb, scripted, settings):
    settings.CHATKIT_KNOWLEDGE_STORES = ["kb"]
    scripted.extend(
        [
            [function_call("search_knowledge_base", {"query": "how long to return an item"}, call_id="c1")],
            [assistant_message("You have thirty days [kb/fr-retours].")],
        ]
    )

    _, events = create_thread(client, "How long do I have to return something?")

    outputs = [item for item in scripted.last_call.input if item.get("type") == "function_call_output"]
    assert "[kb/fr-retours]" in json.dumps(outputs)
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert done[-1]["content"][0]["text"] == "You have thirty days [kb/fr-retours]."


def test_the_tool_can_name_a_store_and_says_when_none_is_configured(client, kb, scripted, settings):
    settings.CHATKIT_KNOWLEDGE_STORES = []
    scripted.extend(
        [
            [
                function_call("search_knowledge_base", {"query": "hours"}, call_id="c1"),
                function_call("search_knowledge_base", {"query": "hours", "store": "kb"}, call_id="c2"),
            ],
            [assistant_message("done")],
        ]
    )

    create_thread(client, "When are you open?")

    outputs = {
        item["call_id"]: item["output"]
        for item in scripted.last_call.input
        if item.get("type") == "function_call_output"
    }
    assert outputs["c1"] == "No knowledge base store is configured."
    assert "[kb/en-hours]" in outputs["c2"]


def test_offline_mode_answers_with_passages_and_cites_them(client, kb, settings):
    settings.OPENAI_API_KEY = None
    settings.CHATKIT_KNOWLEDGE_STORES = ["kb"]

    _, events = create_thread(client, "Can I return an item I bought?")

    text = next(
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    )["content"][0]["text"]
    assert text.startswith("Offline mode: no language model configured.")
    assert "kb/fr-retours" in text
    assert "trente jours" in text
