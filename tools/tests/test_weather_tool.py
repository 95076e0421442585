from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message, function_call

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread

pytestmark = pytest.mark.django_db


def test_the_server_side_tool_answers_and_shows_a_weather_card(open_meteo, scripted, settings):
    settings.CHATKIT_WEATHER_TOOL = "server"
    scripted.extend(
        [
            [function_call("get_weather", {"city": "Lyon"}, call_id="w1")],
            [assistant_message("It is 7.4 °C in Lyon.")],
        ]
    )

    _, events = create_thread(chat_client(UserFactory()), "weather in Lyon?")

    output = next(item for item in scripted.last_call.input if item.get("type") == "function_call_output")
    assert json.loads(output["output"])["temperature_celsius"] == 7.4
    cards = [
        e["item"]["widget"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"
    ]
    assert cards[0]["children"][0]["children"][1] == {"type": "Title", "value": "Lyon, France"}
    assert not [
        e for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "client_tool_call"
    ]


def test_the_server_side_tool_reports_upstream_failures_to_the_model(open_meteo, scripted, settings):
    import httpx

    settings.CHATKIT_WEATHER_TOOL = "server"
    open_meteo.routes[0].mock(side_effect=httpx.ConnectError("offline"))
    scripted.extend(
        [[function_call("get_weather", {"city": "Lyon"}, call_id="w1")], [assistant_message("Sorry.")]]
    )

    create_thread(chat_client(UserFactory()), "weather in Lyon?")

    output = next(item for item in scripted.last_call.input if item.get("type") == "function_call_output")
    assert output["output"].startswith(
        "The weather could not be looked up: The weather service cannot be reached"
    )
