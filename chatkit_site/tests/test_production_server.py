"""``make serve``, the production command: uvicorn serves the whole site with its limits.

A real ``make serve`` on a fresh data folder (migrations included), probed over a socket.
"""

from __future__ import annotations

import os
import signal
import socket

import httpx
import psutil
import pytest

from chatkit_site.tests.processes import free_port, health_answers, start_make, wait

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="only with the embedded server (DATABASE_URL unset)"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    make = start_make("serve", port, data_dir, own_group=True)

    def serving() -> bool:
        return health_answers(base)

    try:
        assert wait(serving, 180), "make serve did not serve"
        server = next(
            p
            for p in psutil.Process(make.pid).children(recursive=True)
            if "chatkit_site.serve" in p.cmdline()
        )
        yield base, port, server, make, data_dir
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait(timeout=60)


def test_the_api_answers_through_uvicorn_after_migrating(served):
    base, *_ = served

    login = httpx.post(f"{base}/api/auth/login", json={"email": "nobody@example.com", "password": "x"})
    chat = httpx.post(f"{base}/api/chatkit", json={"type": "threads.list", "params": {}})

    assert login.status_code == 401  # the users table exists: migrated
    assert chat.status_code == 401
    assert "detail" in chat.json()
    assert "server" not in chat.headers


def test_a_huge_body_is_refused_without_being_read(served):
    _base, port, server, *_ = served
    before = server.memory_info().rss
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/chatkit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        try:
            for _ in range(160):  # tries to send 10 MB
                sock.sendall(b"a" * 65536)
        except OSError:
            pass  # the server closed the connection
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except OSError:
            pass

    assert answer.startswith(b"HTTP/1.1 413")
    assert server.memory_info().rss - before < 10 * 1024 * 1024


def test_sigterm_stops_the_server_and_its_database(served):
    _base, _port, server, make, data_dir = served

    os.killpg(make.pid, signal.SIGTERM)  # what a supervisor (systemd, docker stop) or Ctrl-C does

    server.wait(timeout=60)
    make.wait(timeout=30)
    # Stopped by the server's exit handlers, which a death by the signal would have skipped.
    log = data_dir / "pgdata" / "log"
    assert wait(
        lambda: "database system is shut down" in log.read_text().rsplit("ready to accept", 1)[-1], 30
    )
