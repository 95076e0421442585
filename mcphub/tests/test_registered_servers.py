"""Agents call the tools of an admin-registered MCP server: a real second server on a local port."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from agents.testing import assistant_message, function_call

from accounts.tests.factories import UserFactory
from chatkit_site.tests.processes import BASE_DIR, free_port, python_server, wait
from conversations.tests.helpers import chat_client, create_thread
from mcphub.admin import connection_report
from mcphub.lazy import tool_lists_forget
from mcphub.models import McpServer
from workflows import services
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def crm_url():
    port = free_port()
    with python_server("mcphub.tests.crm_server", str(port), port=port, name="CRM MCP") as url:
        yield url


def crm(url: str, **fields) -> McpServer:
    defaults = {"allowed_tools": ["lookup_customer", "broken_lookup"], "in_assistant": True}
    return McpServer.objects.create(name="crm", url=url, **{**defaults, **fields})


def tool_outputs(call) -> list[str]:
    return [
        str(item.get("output"))
        for item in call.input
        if isinstance(item, dict) and item.get("type") == "function_call_output"
    ]


def workflow_tasks(events) -> list[tuple[str, str]]:
    items = [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "workflow"]
    return [(task["title"], task["status_indicator"]) for item in items for task in item["workflow"]["tasks"]]


def test_the_assistant_calls_a_registered_servers_tool(crm_url, scripted):
    crm(crm_url)
    scripted.extend(
        [
            [function_call("lookup_customer", {"email": "ada@example.com"}, call_id="c1")],
            [assistant_message("Ada is on the gold plan.")],
        ]
    )
    _, events = create_thread(chat_client(UserFactory()), "Which plan is ada@example.com on?")

    first, second = scripted.calls
    offered = {tool.name for tool in first.tools}
    assert {"lookup_customer", "broken_lookup"} <= offered
    assert "delete_everything" not in offered  # the allow-list holds
    assert "Ada Lovelace" in tool_outputs(second)[0]
    assert ("Called crm.lookup_customer", "complete") in workflow_tasks(events)
    assert any(e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events)


def test_a_failing_tool_is_an_error_the_model_sees(crm_url, scripted):
    crm(crm_url)
    scripted.extend(
        [
            [function_call("broken_lookup", {"email": "ada@example.com"}, call_id="c1")],
            [assistant_message("The CRM is down, sorry.")],
        ]
    )
    _, events = create_thread(chat_client(UserFactory()), "Look up ada@example.com")

    assert "database is down" in tool_outputs(scripted.calls[1])[0]
    assert not any(e["type"] == "error" for e in events)


def test_an_unreachable_server_is_a_tool_error_and_the_turn_completes(scripted, caplog):
    crm(f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=2)
    scripted.extend(
        [
            [function_call("lookup_customer", {"email": "ada@example.com"}, call_id="c1")],
            [assistant_message("The CRM cannot be reached.")],
        ]
    )
    _, events = create_thread(chat_client(UserFactory()), "Look up ada@example.com")

    assert "unavailable" in tool_outputs(scripted.calls[1])[0]
    assert any(e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events)
    assert not any(e["type"] == "error" for e in events)
    assert any("MCP server crm unreachable" in record.getMessage() for record in caplog.records)


def test_a_workflow_agent_step_uses_the_server_it_picks(crm_url, scripted):
    crm(crm_url, in_assistant=False)
    graph = linear_graph(
        {"slug": "support", "kind": "agent", "parameters": {"tools": [{"type": "mcp", "server": "crm"}]}}
    )
    workflow = services.workflow_create(slug="support", display_name="Support", graph=graph).workflow
    services.workflow_set_chatkit(workflow=workflow)
    scripted.extend(
        [
            [function_call("lookup_customer", {"email": "ada@example.com"}, call_id="c1")],
            [assistant_message("Gold.")],
        ]
    )
    create_thread(chat_client(UserFactory()), "Which plan?")

    assert {tool.name for tool in scripted.calls[0].tools} == {"lookup_customer", "broken_lookup"}
    assert "Ada Lovelace" in tool_outputs(scripted.calls[1])[0]


def test_a_workflow_cannot_name_an_unknown_server():
    graph = linear_graph(
        {"slug": "support", "kind": "agent", "parameters": {"tools": [{"type": "mcp", "server": "nope"}]}}
    )
    with pytest.raises(Exception, match="no MCP server 'nope'"):
        services.workflow_create(slug="support", display_name="Support", graph=graph)


def test_test_connection_lists_the_allowed_tools(crm_url):
    assert connection_report(crm(crm_url)) == (True, "lookup_customer, broken_lookup")


def test_test_connection_reports_an_unreachable_server():
    ok, report = connection_report(crm(f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=2))
    assert not ok
    assert report


def test_stdio_servers_are_refused_unless_allowed(settings):
    from django.core.exceptions import ValidationError

    settings.MCP_ALLOW_STDIO = False
    entry = McpServer(name="local", transport="stdio", command="python")
    with pytest.raises(ValidationError, match="MCP_ALLOW_STDIO"):
        entry.full_clean()
    settings.MCP_ALLOW_STDIO = True
    entry.full_clean()


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "ftp://x"), ("allowed_tools", ["ok", 3])],
)
def test_it_rejects_bad_entries(field, value):
    from django.core.exceptions import ValidationError

    entry = McpServer(name="bad", **{"url": "http://127.0.0.1:1/mcp", field: value})
    with pytest.raises(ValidationError):
        entry.full_clean()


def test_the_assistants_server_list_costs_no_query_per_turn_and_follows_changes(django_assert_num_queries):
    from mcphub.clients import SELF_NAME, assistant_server_names

    assert assistant_server_names() == [SELF_NAME]
    with django_assert_num_queries(0):
        assert assistant_server_names() == [SELF_NAME]

    crm("http://127.0.0.1:9/mcp")  # a change is seen at once by the process that made it

    assert assistant_server_names() == ["crm", SELF_NAME]


@pytest.fixture
def sessions(monkeypatch) -> list[str]:
    """The names of the servers an MCP session was opened to, in order."""
    from agents.mcp import MCPServerStreamableHttp

    opened: list[str] = []
    connect = MCPServerStreamableHttp.connect

    async def counted(self) -> None:
        opened.append(self.name)
        await connect(self)

    monkeypatch.setattr(MCPServerStreamableHttp, "connect", counted)
    tool_lists_forget()
    yield opened
    tool_lists_forget()


def test_a_turn_that_calls_none_of_a_known_servers_tools_opens_no_session(crm_url, scripted, sessions):
    crm(crm_url)
    client = chat_client(UserFactory())
    scripted.extend([[assistant_message("Hello.")], [assistant_message("Hello again.")]])

    create_thread(client, "Hi")  # the first turn of this process lists the server's tools
    assert sessions == ["crm"]
    create_thread(client, "Hi again")

    assert sessions == ["crm"]  # the list is known: no session, tools still offered
    assert {"lookup_customer", "broken_lookup"} <= {tool.name for tool in scripted.calls[1].tools}


def test_a_known_server_is_connected_once_when_the_model_calls_its_tools(crm_url, scripted, sessions):
    crm(crm_url)
    client = chat_client(UserFactory())
    scripted.extend(
        [
            [assistant_message("Hello.")],
            [
                function_call("lookup_customer", {"email": "ada@example.com"}, call_id="c1"),
                function_call("lookup_customer", {"email": "bob@example.com"}, call_id="c2"),
            ],
            [function_call("lookup_customer", {"email": "eve@example.com"}, call_id="c3")],
            [assistant_message("Found them.")],
        ]
    )
    create_thread(client, "Hi")
    sessions.clear()

    _, events = create_thread(client, "Look up three customers")

    assert sessions == ["crm"]  # one session for the turn's three calls
    outputs = tool_outputs(scripted.calls[3])
    assert len(outputs) == 3
    assert all("Ada Lovelace" in output for output in outputs)
    assert not any(e["type"] == "error" for e in events)


def test_an_edited_entry_is_listed_again_with_its_new_allow_list(crm_url, scripted, sessions):
    entry = crm(crm_url)
    client = chat_client(UserFactory())
    scripted.extend([[assistant_message("Hello.")], [assistant_message("Hello again.")]])
    create_thread(client, "Hi")

    entry.allowed_tools = ["lookup_customer"]
    entry.save()
    create_thread(client, "Hi again")

    assert sessions == ["crm", "crm"]
    offered = {tool.name for tool in scripted.calls[1].tools}
    assert "lookup_customer" in offered
    assert "broken_lookup" not in offered


def test_a_known_server_that_went_down_is_an_error_the_model_sees(scripted, sessions):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mcphub.tests.crm_server", str(port)], cwd=BASE_DIR,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait(lambda: _listening(port), 30), "the CRM MCP server did not start"
        crm(f"http://127.0.0.1:{port}/mcp", timeout_seconds=2)
        client = chat_client(UserFactory())
        scripted.extend([[assistant_message("Hello.")]])
        create_thread(client, "Hi")
    finally:
        process.terminate()
        process.wait(10)
    scripted.extend(
        [
            [function_call("lookup_customer", {"email": "ada@example.com"}, call_id="c1")],
            [assistant_message("The CRM cannot be reached.")],
        ]
    )

    _, events = create_thread(client, "Look up ada@example.com")

    assert "The tool failed" in tool_outputs(scripted.calls[2])[0]
    assert any(e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events)
    assert not any(e["type"] == "error" for e in events)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
