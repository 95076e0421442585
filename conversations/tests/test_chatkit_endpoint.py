"""POST /api/chatkit: authentication, malformed bodies, headers, upstream failures."""

from __future__ import annotations

import httpx
import pytest
from agents.testing import ModelStep, assistant_message
from django.test import Client
from openai import APIConnectionError

from conversations.models import Thread, ThreadItem
from conversations.tests.helpers import create_thread, events_of, post, user_input

pytestmark = pytest.mark.django_db


def test_no_token_is_401_before_the_body_is_even_parsed():
    response = Client().post("/api/chatkit", data="this is not json", content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided or are invalid."}


def test_a_forged_token_is_401(alice_client):
    response = Client(HTTP_AUTHORIZATION="Bearer abc.def.ghi").post(
        "/api/chatkit", data="{}", content_type="application/json"
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", "Invalid ChatKit request: the body is empty."),
        ("{not json", "Invalid ChatKit request: the body is not valid JSON."),
        ('{"type": "threads.explode", "params": {}}', "Invalid ChatKit request: "),
        (
            '{"type": "threads.get_by_id", "params": {}}',
            "Invalid ChatKit request: threads.get_by_id.params.thread_id",
        ),
        ('{"params": {}}', "Invalid ChatKit request: "),
        ("[1, 2, 3]", "Invalid ChatKit request: "),
    ],
)
def test_a_malformed_body_is_400_with_a_readable_message(alice_client, body, detail):
    response = post(alice_client, body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_get_is_405(alice_client):
    assert alice_client.get("/api/chatkit").status_code == 405


def test_streaming_responses_are_marked_unbuffered(alice_client, scripted):
    scripted.enqueue([assistant_message("hi")])

    response = post(alice_client, {"type": "threads.create", "params": {"input": user_input("hi")}})

    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    events_of(response)


def test_non_streaming_responses_are_json(alice_client):
    response = post(alice_client, {"type": "threads.list", "params": {}})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"data": [], "has_more": False}


def test_an_oversized_body_is_413(alice_client, settings):
    settings.CHATKIT_MAX_REQUEST_BYTES = 1024

    response = post(alice_client, {"type": "threads.list", "params": {}, "metadata": {"pad": "x" * 2000}})

    assert response.status_code == 413


def test_a_model_failure_is_a_safe_error_event_and_the_thread_stays_usable(alice_client, scripted, caplog):
    request = httpx.Request("POST", "https://api.openai.com/v1/responses")
    scripted.extend(
        [
            ModelStep.raise_error(APIConnectionError(message="secret upstream detail", request=request)),
            [assistant_message("back online")],
        ]
    )

    thread_id, events = create_thread(alice_client, "hello?")

    errors = [e for e in events if e["type"] == "error"]
    assert errors == [
        {
            "type": "error",
            "code": "custom",
            "message": "The assistant could not answer right now. Please try again.",
            "allow_retry": True,
        }
    ]
    assert "secret upstream detail" not in str(events)
    assert "secret upstream detail" in caplog.text

    events = events_of(
        post(
            alice_client,
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": thread_id, "input": user_input("again")},
            },
        )
    )
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert done[0]["content"][0]["text"] == "back online"
    assert Thread.objects.get(id=thread_id).title == "hello?"
    assert ThreadItem.objects.filter(thread_id=thread_id, item_type="user_message").count() == 2
