"""The offline responder: honest, deterministic, streams, and can call tools."""

from __future__ import annotations

import pytest

from conversations.engine import offline_model
from conversations.models import Thread, ThreadItem
from conversations.tests.helpers import create_thread, events_of, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_key(settings):
    settings.OPENAI_API_KEY = None


def assistant_texts(events) -> list[str]:
    return [
        e["item"]["content"][0]["text"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]


def test_it_says_it_is_offline_and_streams_the_answer_in_pieces(alice_client):
    thread_id, events = create_thread(alice_client, "hello")

    texts = assistant_texts(events)
    assert texts[0].startswith("Offline mode: no language model configured.")
    assert "“hello”" in texts[0]
    deltas = [
        e
        for e in events
        if e["type"] == "thread.item.updated"
        and e["update"]["type"] == "assistant_message.content_part.text_delta"
    ]
    assert len(deltas) > 5
    assert Thread.objects.get(id=thread_id).title == "hello"


def test_it_answers_the_same_way_twice(alice_client):
    _, first = create_thread(alice_client, "what is 2+2?")
    _, second = create_thread(alice_client, "what is 2+2?")

    assert assistant_texts(first) == assistant_texts(second)


@pytest.mark.parametrize(
    ("message", "arguments"),
    [
        ("What's the weather in Lyon?", {"city": "Lyon"}),
        ("weather in Paris, France", {"city": "Paris", "country": "France"}),
        ("Quelle est la météo à Marseille ?", {"city": "Marseille"}),
    ],
)
def test_it_routes_weather_questions_to_the_weather_tool(alice_client, message, arguments):
    thread_id, events = create_thread(alice_client, message)

    calls = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "client_tool_call"
    ]
    assert calls[0]["name"] == "get_weather"
    assert calls[0]["arguments"] == arguments
    assert ThreadItem.objects.filter(thread_id=thread_id, item_type="client_tool_call").exists()


def test_it_reports_the_tool_result_after_the_browser_answers(alice_client):
    thread_id, _ = create_thread(alice_client, "weather in Lyon")

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_client_tool_output",
                "params": {"thread_id": thread_id, "result": {"city": "Lyon", "temperature_celsius": 18.5}},
            },
        )
    )

    text = assistant_texts(events)[0]
    assert text.startswith("Offline mode")
    assert "18.5" in text


def test_registered_answerers_can_answer_offline(alice_client, monkeypatch):
    monkeypatch.setattr(offline_model, "_answerers", [])

    async def knowledge(question: str, tools: list[str]) -> str | None:
        return "From the handbook: returns within 30 days [doc faq-1]." if "return" in question else None

    offline_model.register_offline_answerer(knowledge)

    _, events = create_thread(alice_client, "What is the return policy?")
    _, other = create_thread(alice_client, "hello")

    assert "returns within 30 days [doc faq-1]" in assistant_texts(events)[0]
    assert "handbook" not in assistant_texts(other)[0]


def test_parse_weather_request_ignores_other_questions():
    assert offline_model.parse_weather_request("tell me a joke") is None
