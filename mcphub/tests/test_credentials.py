"""Credentials admins enter: sealed at rest, write-only, and sent only where they belong.

A real HTTP listener on a local port stands in for the attacker's URL: it records every request
it receives, so the tests see exactly which headers left the server.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import connection

from chatkit_site.tests.processes import free_port
from core.credentials import CredentialError, origin_of, project_variables, seal
from mcphub.admin import NO_ANSWER, connection_report
from mcphub.models import McpServer
from workflows.engine.agents import model_for
from workflows.models import AvailableModel

pytestmark = pytest.mark.django_db

SECRET = "crm-token-8f1d2c"


class Listener:
    """An HTTP server on loopback that answers 404 to everything and remembers the headers."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                received.append(dict(self.headers))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_DELETE = _record

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/mcp"

    def saw(self, value: str) -> bool:
        return any(value in str(headers) for headers in self.received)

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_headers_are_stored_encrypted_and_nowhere_in_clear(admin_browser):
    entry = McpServer(name="crm", url="https://crm.example.com/mcp")
    entry.headers_set({"Authorization": f"Bearer {SECRET}"})
    entry.save()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mcphub_mcpserver")
        assert SECRET not in str(cursor.fetchall())
    dump = io.StringIO()
    call_command("dumpdata", "mcphub", stdout=dump)
    assert SECRET not in dump.getvalue()
    page = admin_browser.get(f"/admin/mcphub/mcpserver/{entry.pk}/change/").content.decode()
    assert "Authorization" in page  # the names of the headers set
    assert SECRET not in page
    assert entry.request_headers() == {"Authorization": f"Bearer {SECRET}"}


def test_moving_an_entry_to_another_url_drops_its_headers(listener):
    entry = McpServer(name="crm", url="https://crm.example.com/mcp")
    entry.headers_set({"X-Api-Key": SECRET})
    entry.save()

    entry.url = listener.url
    entry.save()
    ok, _report = connection_report(entry)

    assert not ok
    assert listener.received  # the test reached it…
    assert not listener.saw(SECRET)  # …without the secret
    assert McpServer.objects.get().header_names == []


def test_a_sealed_value_copied_to_another_entry_does_not_open_for_its_url():
    sealed = seal({"X-Api-Key": SECRET}, url="https://crm.example.com/mcp")
    McpServer.objects.create(name="evil", url="http://127.0.0.1:9/mcp")
    McpServer.objects.filter(name="evil").update(sealed_headers=sealed, header_names=["X-Api-Key"])

    with pytest.raises(CredentialError):
        McpServer.objects.get(name="evil").request_headers()


def test_the_admin_sets_replaces_and_clears_headers_without_ever_seeing_them(admin_browser):
    form = {
        "name": "crm", "description": "", "transport": "streamable_http", "url": "https://crm.example.com/mcp",
        "command": "", "args": "[]", "timeout_seconds": "10", "allowed_tools": "[]", "enabled": "on",
        "new_headers": '{"Authorization": "Bearer ' + SECRET + '"}',
    }  # fmt: skip
    response = admin_browser.post("/admin/mcphub/mcpserver/add/", form)
    assert response.status_code == 302
    entry = McpServer.objects.get()
    assert entry.header_names == ["Authorization"]

    kept = admin_browser.post(f"/admin/mcphub/mcpserver/{entry.pk}/change/", {**form, "new_headers": ""})
    assert kept.status_code == 302
    assert McpServer.objects.get().request_headers() == {"Authorization": f"Bearer {SECRET}"}

    admin_browser.post(
        f"/admin/mcphub/mcpserver/{entry.pk}/change/", {**form, "new_headers": "", "clear_headers": "on"}
    )
    assert McpServer.objects.get().header_names == []

    bad = admin_browser.post(
        "/admin/mcphub/mcpserver/add/", {**form, "name": "x", "new_headers": '{"Host": "a"}'}
    )
    assert bad.status_code == 200  # the form again, with the error
    assert not McpServer.objects.filter(name="x").exists()
    other_error = admin_browser.post("/admin/mcphub/mcpserver/add/", {**form, "name": "x", "url": "ftp://x"})
    assert other_error.status_code == 200
    assert SECRET not in other_error.content.decode()  # not even echoed back on an error


def test_test_the_connection_says_the_same_for_every_network_failure(listener):
    closed = McpServer.objects.create(
        name="closed", url=f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=2
    )
    not_mcp = McpServer.objects.create(name="open", url=listener.url, timeout_seconds=2)
    unresolvable = McpServer.objects.create(
        name="dns", url="http://no-such-host.invalid/mcp", timeout_seconds=2
    )

    reports = {connection_report(entry) for entry in (closed, not_mcp, unresolvable)}

    assert reports == {(False, str(NO_ANSWER))}


def test_no_entry_can_name_an_environment_variable(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "server-signing-secret")
    for field in ("headers", "api_key_env"):
        assert field not in {f.name for f in McpServer._meta.get_fields()}
        assert field not in {f.name for f in AvailableModel._meta.get_fields()}
    assert {
        "SECRET_KEY",
        "JWT_SIGNING_KEY",
        "OPENAI_API_KEY",
        "DATABASE_URL",
        "REDIS_URL",
    } <= project_variables()


def test_a_model_with_an_admin_chosen_url_never_gets_the_servers_openai_key(settings):
    settings.OPENAI_API_KEY = "sk-server-own"
    AvailableModel.objects.create(name="evil", provider="openai", base_url="http://127.0.0.1:9/v1")
    AvailableModel.objects.create(
        name="compatible", provider="openai-compatible", base_url="http://127.0.0.1:9/v1"
    )
    AvailableModel.objects.create(name="gpt-5", provider="openai")  # the operator's endpoint

    for name in ("evil", "compatible"):
        model, _ = async_to_sync(model_for)(name)
        assert model._client.api_key != "sk-server-own"
    default, _ = async_to_sync(model_for)("gpt-5")
    assert default._client.api_key == "sk-server-own"


def test_a_models_key_is_write_only_in_the_api_and_cleared_when_its_url_moves(admin_client_api):
    created = admin_client_api.post(
        "/api/admin/models",
        {"name": "llama", "provider": "openai-compatible", "base_url": "https://llm.example.com/v1",
         "api_key": SECRET},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json()["api_key_set"] is True
    assert SECRET not in created.content.decode()
    model_id = created.json()["id"]
    listed = admin_client_api.get("/api/admin/models").content.decode()
    assert SECRET not in listed
    assert AvailableModel.objects.get().api_key() == SECRET

    moved = admin_client_api.patch(
        f"/api/admin/models/{model_id}", {"base_url": "http://127.0.0.1:9/v1"}, format="json"
    )
    assert moved.json()["api_key_set"] is False
    model, _ = async_to_sync(model_for)("llama")
    assert model._client.api_key != SECRET

    cleared = admin_client_api.patch(
        f"/api/admin/models/{model_id}", {"api_key": "sk-new"}, format="json"
    ).json()
    assert cleared["api_key_set"] is True
    again = admin_client_api.patch(f"/api/admin/models/{model_id}", {"clear_api_key": True}, format="json")
    assert again.json()["api_key_set"] is False


def test_origins_compare_scheme_host_and_port():
    assert origin_of("https://CRM.example.com/mcp") == origin_of("https://crm.example.com:443/other")
    assert origin_of("http://crm.example.com/mcp") != origin_of("https://crm.example.com/mcp")
    assert origin_of("https://crm.example.com.evil.net/") != origin_of("https://crm.example.com/")
    assert origin_of("ftp://x") == ""


def test_the_key_rotation_command_re_encrypts_every_credential(settings):
    from cryptography.fernet import Fernet

    old = Fernet.generate_key().decode()
    settings.CREDENTIALS_KEY = old
    entry = McpServer(name="crm", url="https://crm.example.com/mcp")
    entry.headers_set({"X-Api-Key": SECRET})
    entry.save()
    model = AvailableModel(name="m", provider="openai-compatible", base_url="https://llm.example.com/v1")
    model.api_key_set(SECRET)
    model.save()

    new = Fernet.generate_key().decode()
    settings.CREDENTIALS_KEY = f"{new},{old}"
    call_command("rotate_credentials_key", stdout=io.StringIO())
    settings.CREDENTIALS_KEY = new  # the old key is gone

    assert McpServer.objects.get().request_headers() == {"X-Api-Key": SECRET}
    assert AvailableModel.objects.get().api_key() == SECRET
