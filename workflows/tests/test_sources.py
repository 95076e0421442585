"""Grounded answers carry their sources: the passages the search tool found, as annotations."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message, function_call
from django.test import Client

from accounts.tests.factories import UserFactory
from conversations.models import ThreadItem
from conversations.tests.helpers import create_thread
from workflows import services
from workflows.models import Workflow
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq():
    from vectorstores.services import document_ingest, store_create

    store_create(slug="faq", title="FAQ", read_access="users")
    document_ingest(
        store_slug="faq",
        doc_id="refunds",
        document={"title": "Refunds", "text": "Refunds take five business days."},
    )
    document_ingest(store_slug="faq", doc_id="shipping", document={"text": "Parcels ship from Lyon."})


def answering_agent(**parameters) -> dict:
    tools = [{"type": "knowledge_base", "stores": ["faq"], "top_k": 2}]
    return {"slug": "answer", "kind": "agent", "parameters": {"tools": tools, **parameters}}


def run_chat_with(graph: dict) -> None:
    version = services.workflow_create(slug="qa", display_name="Q&A", graph=graph)
    services.workflow_set_chatkit(workflow=version.workflow)


def annotations_of(events: list[dict]) -> list[dict]:
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    return [a for part in done[-1]["content"] for a in part.get("annotations", [])]


def test_an_answer_that_cites_a_passage_carries_it_as_a_numbered_source_saved_with_the_message(
    faq, alice_chat, scripted
):
    run_chat_with(linear_graph(answering_agent()))
    scripted.enqueue([function_call("search_knowledge_base", {"query": "refund delay"}, call_id="c1")])
    scripted.enqueue([assistant_message("Five business days [faq/refunds].")])

    thread_id, events = create_thread(alice_chat, "how long do refunds take?")

    annotations = annotations_of(events)
    assert len(annotations) == 1  # only what the answer cites, though the search found two
    source = annotations[0]["source"]
    assert source["type"] == "url"
    assert source["title"] == "Refunds"
    assert source["group"] == "FAQ"
    assert source["url"].endswith("/knowledge/faq/refunds?chunk=0#chunk-0")
    assert "five business days" in source["description"]
    saved = ThreadItem.objects.filter(thread_id=thread_id, item_type="assistant_message").last()
    assert "knowledge/faq/refunds" in str(saved.payload)


def test_an_answer_citing_nothing_lists_every_passage_and_a_step_can_hide_them(faq, alice_chat, scripted):
    run_chat_with(linear_graph(answering_agent()))
    scripted.enqueue([function_call("search_knowledge_base", {"query": "refunds parcels"}, call_id="c1")])
    scripted.enqueue([assistant_message("Five days; parcels leave from Lyon.")])
    _thread, events = create_thread(alice_chat, "refunds and shipping?")
    assert {a["source"]["attribution"] for a in annotations_of(events)} == {"faq/refunds", "faq/shipping"}

    services.version_create(
        workflow=Workflow.objects.get(slug="qa"),
        graph=linear_graph(answering_agent(show_sources=False)),
        activate=True,
    )
    scripted.enqueue([function_call("search_knowledge_base", {"query": "refunds"}, call_id="c2")])
    scripted.enqueue([assistant_message("Five days [faq/refunds].")])
    _thread, events = create_thread(alice_chat, "refunds?")
    assert annotations_of(events) == []


def test_a_source_opens_its_passage_for_readers_only(faq):
    from vectorstores.services import store_create

    reader = Client()
    reader.force_login(UserFactory())
    page = reader.get("/knowledge/faq/refunds?chunk=0")
    assert page.status_code == 200
    assert "Refunds take five business days." in page.content.decode()
    assert 'class="passage-chunk passage-cited"' in page.content.decode()

    store_create(slug="private", title="Private", read_access="admins")
    from vectorstores.services import document_ingest

    document_ingest(store_slug="private", doc_id="salaries", document={"text": "Secret."})
    assert reader.get("/knowledge/private/salaries").status_code == 404
    assert reader.get("/knowledge/faq/missing").status_code == 404
    assert Client().get("/knowledge/faq/refunds").status_code == 302  # to the login page
