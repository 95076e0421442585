"""show_widget through /api/chatkit, and widget actions round trips."""

from __future__ import annotations

import pytest
from agents.testing import assistant_message, function_call

from accounts.tests.factories import UserFactory
from conversations.models import Feedback, ThreadItem
from conversations.tests.helpers import chat_client, create_thread, events_of, post
from widgets.models import WidgetTemplate
from widgets.tests.conftest import GREETING, STATIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return chat_client(UserFactory())


def widget_items(events):
    return [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"]


def test_the_assistant_shows_a_library_widget_and_a_reload_returns_it(client, scripted):
    WidgetTemplate.objects.create(slug="hello", definition=STATIC)
    scripted.extend(
        [[function_call("show_widget", {"slug": "hello"}, call_id="c1")], [assistant_message("Here it is.")]]
    )

    thread_id, events = create_thread(client, "show me the hello widget")

    shown = widget_items(events)
    assert shown[0]["widget"] == STATIC
    reloaded = post(client, {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}).json()
    # The show_widget call itself is shown first, as a (collapsed) workflow item.
    types = [item["type"] for item in reloaded["data"]]
    assert types == ["user_message", "workflow", "widget", "assistant_message"]
    assert reloaded["data"][1]["workflow"]["tasks"][0]["title"].startswith("Showed the widget")
    assert reloaded["data"][2]["widget"] == STATIC


def test_a_template_widget_is_built_with_the_data(client, scripted):
    WidgetTemplate.objects.create(slug="greeting", definition=GREETING)
    scripted.extend(
        [
            [
                function_call(
                    "show_widget",
                    {"slug": "greeting", "data": {"name": "Ada", "message": "Hi!"}},
                    call_id="c1",
                )
            ],
            [assistant_message("Done.")],
        ]
    )

    _, events = create_thread(client, "greet Ada")

    widget = widget_items(events)[0]["widget"]
    assert widget["children"][0]["value"] == "Hello Ada"
    assert widget["children"][1]["value"] == "Hi!"


def test_unknown_widgets_and_bad_data_are_reported_to_the_model(client, scripted):
    WidgetTemplate.objects.create(slug="greeting", definition=GREETING)
    scripted.extend(
        [
            [
                function_call("show_widget", {"slug": "nope"}, call_id="c1"),
                function_call("show_widget", {"slug": "greeting", "data": {"name": 5}}, call_id="c2"),
            ],
            [assistant_message("Sorry.")],
        ]
    )

    _, events = create_thread(client, "show things")

    outputs = {
        item["call_id"]: item["output"]
        for item in scripted.last_call.input
        if item.get("type") == "function_call_output"
    }
    assert outputs["c1"] == "There is no widget 'nope'."
    assert outputs["c2"].startswith("The data does not fit widget 'greeting'")
    assert widget_items(events) == []


def rating_thread(client, scripted):
    scripted.extend(
        [
            [function_call("show_widget", {"slug": "rating"}, call_id="c1")],
            [assistant_message("Please rate.")],
        ]
    )
    thread_id, events = create_thread(client, "rate me")
    return thread_id, widget_items(events)[0]


def test_a_rating_action_records_the_choice_and_persists_the_replaced_widget(client, scripted):
    thread_id, widget = rating_thread(client, scripted)
    button = widget["widget"]["children"][1]["children"][0]
    assert button["onClickAction"]["type"] == "widget.rate"

    events = events_of(
        post(
            client,
            {
                "type": "threads.custom_action",
                "params": {
                    "thread_id": thread_id,
                    "item_id": widget["id"],
                    "action": {"type": "widget.rate", "payload": button["onClickAction"]["payload"]},
                },
            },
        )
    )

    replaced = [e for e in events if e["type"] == "thread.item.replaced"]
    assert replaced[0]["item"]["id"] == widget["id"]
    assert replaced[0]["item"]["widget"]["children"][0]["value"] == "Thanks for your feedback!"
    stored = ThreadItem.objects.get(thread_id=thread_id, item_id=widget["id"]).payload
    assert stored["widget"]["children"][0]["value"] == "Thanks for your feedback!"
    assert Feedback.objects.get().kind == "positive"


def test_a_sync_rating_action_returns_and_persists_the_updated_item(client, scripted):
    thread_id, widget = rating_thread(client, scripted)

    response = post(
        client,
        {
            "type": "threads.sync_custom_action",
            "params": {
                "thread_id": thread_id,
                "item_id": widget["id"],
                "action": {"type": "widget.rate", "payload": {"rating": "negative"}},
            },
        },
    )

    assert response.status_code == 200
    assert response.json()["updated_item"]["widget"]["children"][1]["label"] == "Not helpful"
    stored = ThreadItem.objects.get(thread_id=thread_id, item_id=widget["id"]).payload
    assert stored["widget"]["children"][1]["label"] == "Not helpful"
    assert Feedback.objects.get().kind == "negative"


def test_a_rating_with_a_bad_payload_is_an_error_and_changes_nothing(client, scripted):
    thread_id, widget = rating_thread(client, scripted)

    events = events_of(
        post(
            client,
            {
                "type": "threads.custom_action",
                "params": {
                    "thread_id": thread_id,
                    "item_id": widget["id"],
                    "action": {"type": "widget.rate", "payload": {}},
                },
            },
        )
    )

    assert any(e["type"] == "error" for e in events)
    assert not Feedback.objects.exists()
    stored = ThreadItem.objects.get(thread_id=thread_id, item_id=widget["id"]).payload
    assert stored["widget"] == widget["widget"]
