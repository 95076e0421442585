"""The chart MCP server: a real process an agent calls; its figures are validated by plotly."""

from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message, function_call

from accounts.tests.factories import UserFactory
from chatkit_site.tests.processes import free_port, python_server
from conversations.tests.helpers import chat_client, create_thread
from mcphub.chart_server import figure_for
from mcphub.models import McpServer
from mcphub.tests.test_registered_servers import tool_outputs

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def charts_url():
    port = free_port()
    with python_server("mcphub.chart_server", "--port", str(port), port=port, name="chart MCP") as url:
        yield url


SALES = {
    "title": "Sales",
    "kind": "bar",
    "labels": ["Q1", "Q2"],
    "series": [{"name": "2026", "values": [3, 5]}],
}


def test_an_agent_makes_a_chart_through_the_registered_chart_server(charts_url, scripted):
    McpServer.objects.create(name="charts", url=charts_url, in_assistant=True)
    scripted.extend([[function_call("make_chart", SALES, call_id="c1")], [assistant_message("Here it is.")]])

    create_thread(chat_client(UserFactory()), "graph of sales")

    output = next(i["output"] for i in scripted.calls[1].input if isinstance(i, dict) and "output" in i)
    chart = json.loads(output[0]["text"] if isinstance(output, list) else output)
    assert chart["kind"] == "bar"
    assert chart["figure"]["data"][0]["type"] == "bar"
    assert chart["figure"]["data"][0]["y"] == [3, 5]
    assert chart["figure"]["layout"] == {"title": {"text": "Sales"}}  # no bulky default template


def test_a_chart_the_data_cannot_make_is_an_error_the_model_sees(charts_url, scripted):
    McpServer.objects.create(name="charts", url=charts_url, in_assistant=True)
    wrong = {**SALES, "series": [{"name": "2026", "values": [3]}]}
    scripted.extend([[function_call("make_chart", wrong, call_id="c1")], [assistant_message("Sorry.")]])

    create_thread(chat_client(UserFactory()), "graph of sales")

    assert "one number per label" in tool_outputs(scripted.calls[1])[0]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "radar"}, "kind must be one of"),
        ({"labels": []}, "labels"),
        ({"series": [{"values": [1, float("nan")]}]}, "finite numbers"),
        ({"kind": "pie", "series": [{"values": [1, 2]}, {"values": [3, 4]}]}, "one series"),
    ],
)
def test_figures_are_checked_before_they_leave_the_server(change, problem):
    with pytest.raises(ValueError, match=problem):
        figure_for(**{**SALES, **change})


def test_a_line_chart_is_a_plotly_scatter_with_lines():
    figure = figure_for(**{**SALES, "kind": "line"})
    assert figure["data"][0]["type"] == "scatter"
    assert figure["data"][0]["mode"] == "lines+markers"
